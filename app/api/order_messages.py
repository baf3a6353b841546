"""An order's conversation between its shopper and the store, for apps and integrations."""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import api_user, idempotent, json_body, token_required
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import ORDER_MESSAGE_SIDES, OrderMessage
from app.services.orders import messages as conversation
from app.web.links import site_links

MESSAGE_SCHEMA = schema("OrderMessage", {
    "type": "object",
    "required": ["id", "order_id", "side", "author", "body", "language", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "order_id": {"type": "integer"},
        "side": {"type": "string", "enum": list(ORDER_MESSAGE_SIDES),
                 "description": "Who wrote it: the order's shopper or the store's team."},
        "author": {"type": ["object", "null"], "description": "Null once the account is gone.",
                   "properties": {"id": {"type": "integer"},
                                  "display_name": {"type": "string"}}},
        "body": {"type": "string"},
        "language": {"type": ["string", "null"],
                     "description": "ISO 639-1, detected when written; null if unsure."},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
MESSAGE_REQUEST = {"type": "object", "required": ["body"],
                   "properties": {"body": {"type": "string", "minLength": 1,
                                           "maxLength": conversation.MAX_MESSAGE_LENGTH}}}
POST_ERRORS = ("422 `message_empty` or `message_too_long` (field `body`); 429 "
               f"`order_message_rate_limited` after {conversation.MAX_MESSAGES_PER_HOUR} "
               "messages by you on the order in an hour.")


def message_json(message: OrderMessage) -> dict[str, Any]:
    """One message of an order's conversation."""
    author = message.author
    return {"id": message.id, "order_id": message.order_id, "side": message.side,
            "author": {"id": author.id, "display_name": author.display_name}
            if author else None,
            "body": message.body, "language": message.language,
            "created_at": timestamp(message.created_at)}


def _listing(order_id: int, store_id: int | None) -> dict[str, Any]:
    order, _side = conversation.conversation_order(api_user(), order_id, store_id=store_id)
    body = {"items": [message_json(m) for m in conversation.list_order_messages(order)],
            "next_cursor": None}
    commit()
    return body


def _post(order_id: int, store_id: int | None) -> tuple[dict[str, Any], int]:
    message = conversation.post_order_message(api_user(), order_id, json_body().get("body"),
                                              store_id=store_id, links=site_links)
    body = message_json(message)
    commit()
    return body, 201


@bp.get("/orders/<int:order_id>/messages")
@operation(summary="Your conversation with the seller about an order", tags=["orders"],
           responses={200: list_of(MESSAGE_SCHEMA), 401: None, 404: None},
           description=f"Oldest first; the latest {conversation.MAX_SHOWN} messages "
                       "(next_cursor is always null).")
@token_required("read")
def list_my_order_messages(order_id: int):
    """The shopper's side of an order's conversation."""
    return _listing(order_id, None)


@bp.post("/orders/<int:order_id>/messages")
@operation(summary="Write to the seller about an order", tags=["orders"], idempotent=True,
           request=MESSAGE_REQUEST,
           responses={201: MESSAGE_SCHEMA, 400: None, 401: None, 404: None, 422: None,
                      429: None},
           description="The store's team is told in the app and by e-mail. " + POST_ERRORS)
@token_required("write")
@idempotent()
def post_my_order_message(order_id: int):
    """A message from the order's shopper."""
    return _post(order_id, None)


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/messages")
@operation(summary="The buyer's conversation with the store about an order",
           tags=["orders"], responses={200: list_of(MESSAGE_SCHEMA), 401: None, 403: None,
                                       404: None},
           description=f"Store staff. Oldest first; the latest {conversation.MAX_SHOWN}.")
@token_required("read")
def list_store_order_messages(store_id: int, order_id: int):
    """The store's side of an order's conversation."""
    return _listing(order_id, store_id)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/messages")
@operation(summary="Write to the buyer about an order", tags=["orders"], idempotent=True,
           request=MESSAGE_REQUEST,
           responses={201: MESSAGE_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      422: None, 429: None},
           description="Store staff; the shopper is told in the app and by e-mail. "
                       + POST_ERRORS)
@token_required("write")
@idempotent()
def post_store_order_message(store_id: int, order_id: int):
    """A message from the store's team."""
    return _post(order_id, store_id)
