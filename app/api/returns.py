"""Returns API: shoppers ask to return delivered items and send the parcel; stores decide."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.catalog import page_json
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit, rollback
from app.errors import json_error
from app.models import RETURN_REASONS, RETURN_STATES, ReturnRequest
from app.money import Money
from app.services import returns
from app.services.errors import DomainError
from app.services.logistics.carriers import list_carriers, tracking_url
from app.services.payments import REFUND_ROLE, submit_refund
from app.services.permissions import require_store_staff
from app.web.cursors import decode_cursor
from app.web.links import site_links

CARRIER_CODES = [carrier.code for carrier in list_carriers()]
LINE_IDS = {"order_line_id": {"type": "integer"}, "quantity": {"type": "integer", "minimum": 1}}
RETURN_REQUEST = schema("ReturnRequestCreate", {
    "type": "object", "required": ["lines", "reason"],
    "properties": {
        "lines": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["order_line_id", "quantity"],
            "properties": LINE_IDS}},
        "reason": {"type": "string", "enum": list(RETURN_REASONS)},
        "comment": {"type": "string", "maxLength": 2000},
    },
})
RETURN_SCHEMA = schema("ReturnRequest", {
    "type": "object",
    "required": ["id", "order_id", "store_id", "status", "reason", "lines", "created_at"],
    "properties": {
        "id": {"type": "integer"}, "order_id": {"type": "integer"},
        "store_id": {"type": "integer"},
        "status": {"type": "string", "enum": list(RETURN_STATES)},
        "reason": {"type": "string", "enum": list(RETURN_REASONS)},
        "comment": {"type": "string"}, "refusal_reason": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            **LINE_IDS, "received_quantity": {"type": "integer"},
            "restocked_quantity": {"type": "integer"},
            "restock_warehouse_id": {"type": ["integer", "null"]}}}},
        "parcel": {"type": ["object", "null"], "properties": {
            "shipment_id": {"type": "integer"}, "carrier": {"type": "string"},
            "tracking_number": {"type": "string"}, "tracking_url": {"type": "string"},
            "status": {"type": "string"}}},
        "refund": {"type": ["object", "null"], "properties": {
            "id": {"type": "integer"}, "state": {"type": "string"}, "amount": ref("Money")}},
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": ["string", "null"], "format": "date-time"},
        "received_at": {"type": ["string", "null"], "format": "date-time"},
        "refunded_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
PARCEL_REQUEST = schema("ReturnParcelRequest", {
    "type": "object", "required": ["carrier", "tracking_number"],
    "properties": {"carrier": {"type": "string", "enum": CARRIER_CODES},
                   "tracking_number": {"type": "string", "maxLength": 60}},
})
REFUSE_REQUEST = schema("ReturnRefusal", {
    "type": "object", "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}},
})
RECEIVE_REQUEST = schema("ReturnReceipt", {
    "type": "object",
    "properties": {"lines": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["order_line_id"],
        "properties": {
            "order_line_id": {"type": "integer"},
            "quantity": {"type": "integer", "minimum": 0,
                         "description": "Units that came back (default: all asked for)."},
            "restock": {"type": "boolean", "default": True},
            "warehouse_id": {"type": "integer", "description": "Where restocked units go "
                             "(default: the warehouse they shipped from)."}}}}},
})
TRANSITION_ERRORS = ("409 `invalid_return_transition` when the return's status does not "
                     "allow this step (e.g. already decided, or received twice).")


def return_json(found: ReturnRequest) -> dict[str, Any]:
    """A return with its lines, parcel and refund."""
    parcel = found.shipment
    refund = found.refund
    return {
        "id": found.id, "order_id": found.order_id, "store_id": found.store_id,
        "status": found.status, "reason": found.reason, "comment": found.comment,
        "refusal_reason": found.refusal_reason,
        "lines": [{"order_line_id": line.order_line_id, "quantity": line.quantity,
                   "received_quantity": line.received_quantity,
                   "restocked_quantity": line.restocked_quantity,
                   "restock_warehouse_id": line.restock_warehouse_id}
                  for line in found.lines],
        "parcel": {"shipment_id": parcel.id, "carrier": parcel.carrier,
                   "tracking_number": parcel.tracking_number,
                   "tracking_url": tracking_url(parcel.carrier, parcel.tracking_number),
                   "status": parcel.status} if parcel else None,
        "refund": {"id": refund.id, "state": refund.state,
                   "amount": Money(refund.amount_minor, refund.currency).to_api()}
        if refund else None,
        "created_at": timestamp(found.created_at), "decided_at": timestamp(found.decided_at),
        "received_at": timestamp(found.received_at),
        "refunded_at": timestamp(found.refunded_at),
    }


@bp.post("/orders/<int:order_id>/returns")
@operation(summary="Ask to return delivered items", tags=["returns"], idempotent=True,
           request=RETURN_REQUEST,
           responses={201: RETURN_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The order's shopper (404 for anyone else's order). Units of "
                       "delivered parcels within the store's return window, up to what was "
                       "delivered minus units already in a return or refunded. 422 "
                       "`return_window_closed`, `return_quantity_exceeded` (at "
                       "`lines.<i>.quantity`), `invalid_return_reason`, `unknown_order_line`, "
                       "`validation_failed`; 409 `not_returnable` (nothing delivered yet). "
                       "Nothing is written on an error; the store's team is e-mailed.")
@token_required("write")
@idempotent()
def create_return(order_id: int):
    """Ask the store to take back some delivered units."""
    body = json_body()
    made = returns.request_return(api_user(), order_id, lines=body.get("lines"),
                                  reason=body.get("reason"), comment=body.get("comment", ""),
                                  links=site_links)
    response = return_json(made)
    commit()
    return response, 201


@bp.get("/orders/<int:order_id>/returns")
@operation(summary="The returns of one of your orders", tags=["returns"],
           responses={200: list_of(RETURN_SCHEMA), 401: None, 404: None})
@token_required("read")
def list_order_returns(order_id: int):
    """The shopper's returns of the order, newest first (404 for another's order)."""
    body = {"items": [return_json(r) for r in returns.list_order_returns(api_user(), order_id)],
            "next_cursor": None}
    commit()
    return body


@bp.get("/returns/<int:return_id>")
@operation(summary="One return", tags=["returns"],
           responses={200: RETURN_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_return(return_id: int):
    """For its shopper or its store's staff; 404 for anyone else."""
    body = return_json(returns.get_return(api_user(), return_id))
    commit()
    return body


@bp.post("/returns/<int:return_id>/parcel")
@operation(summary="Give the return parcel's carrier and tracking number", tags=["returns"],
           idempotent=True, request=PARCEL_REQUEST,
           responses={201: RETURN_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The shopper or the store's staff, once the return is approved. The "
                       "parcel is tracked like any shipment (webhook and polling). 422 "
                       "`invalid_tracking_number`, `unknown_carrier`; 409 "
                       "`tracking_number_taken`, " + TRANSITION_ERRORS)
@token_required("write")
@idempotent()
def add_return_parcel(return_id: int):
    """Record the parcel going back."""
    body = json_body()
    found = returns.add_return_parcel(api_user(), return_id, carrier=body.get("carrier"),
                                      tracking_number=body.get("tracking_number"))
    response = return_json(found)
    commit()
    return response, 201


@bp.post("/returns/<int:return_id>/cancel")
@operation(summary="Withdraw a return", tags=["returns"], idempotent=True, body_required=False,
           request={"type": "object"},
           responses={200: RETURN_SCHEMA, 401: None, 404: None, 409: None},
           description="The return's shopper, before it is received; its units can be "
                       "asked for again. " + TRANSITION_ERRORS)
@token_required("write")
@idempotent()
def cancel_return(return_id: int):
    """Withdraw the request."""
    found = returns.cancel_return(api_user(), return_id)
    response = return_json(found)
    commit()
    return response


@bp.get("/stores/<int:store_id>/returns")
@operation(summary="The store's returns", tags=["returns"],
           params=[*PAGE_PARAMS, {"name": "status", "in": "query", "required": False,
                                  "schema": {"type": "string", "enum": list(RETURN_STATES)}}],
           responses={200: list_of(RETURN_SCHEMA), 400: None, 401: None, 403: None,
                      404: None, 422: None})
@token_required("read")
def list_store_returns(store_id: int):
    """Merchant staff: the store's returns, newest first, optionally of one status."""
    page = returns.list_store_returns(api_user(), store_id,
                                      status=request.args.get("status") or None,
                                      after=decode_cursor(1), limit=page_limit())
    body = page_json(page, return_json)
    commit()
    return body


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/approve")
@operation(summary="Approve a return", tags=["returns"], idempotent=True, body_required=False,
           request={"type": "object"},
           responses={200: RETURN_SCHEMA, 401: None, 403: None, 404: None, 409: None},
           description="Merchant staff; the shopper is e-mailed. " + TRANSITION_ERRORS)
@token_required("write")
@idempotent()
def approve_return(store_id: int, return_id: int):
    """Accept the return; the shopper then sends the parcel."""
    found = returns.approve_return(api_user(), store_id, return_id, links=site_links)
    response = return_json(found)
    commit()
    return response


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/refuse")
@operation(summary="Refuse a return", tags=["returns"], idempotent=True,
           request=REFUSE_REQUEST,
           responses={200: RETURN_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Merchant staff; the reason is required (422 `validation_failed` at "
                       "`reason`) and the shopper reads it. " + TRANSITION_ERRORS)
@token_required("write")
@idempotent()
def refuse_return(store_id: int, return_id: int):
    """Refuse with a reason; the units may be asked for again."""
    body = json_body()
    found = returns.refuse_return(api_user(), store_id, return_id, reason=body.get("reason"),
                                  links=site_links)
    response = return_json(found)
    commit()
    return response


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/receive")
@operation(summary="Receive a return: restock and refund", tags=["returns"], idempotent=True,
           request=RECEIVE_REQUEST, body_required=False,
           responses={200: RETURN_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Store admins (refunds need the admin role). Each line's received "
                       "units are refunded through Stripe in the order's currency, with the "
                       "line's duty and import-tax share only where the destination market "
                       "refunds them on a return (a sales tax the marketplace collected, such "
                       "as a US state's, always goes back); restocked units go back on hand "
                       "in the chosen warehouse. Without `lines`, every unit asked for is "
                       "received and restocked. 422 `refund_failed` when Stripe refused the "
                       "refund (the return stays received); " + TRANSITION_ERRORS)
@token_required("write")
@idempotent()
def receive_return(store_id: int, return_id: int):
    """The parcel arrived: restock what was chosen and refund what came back."""
    require_store_staff(api_user(), store_id, min_role=REFUND_ROLE)
    body = json_body() if request.get_data(cache=True) else {}
    try:
        found = returns.receive_return(api_user(), store_id, return_id,
                                       lines=body.get("lines"))
        commit()  # the refund claim and its idempotency key are durable before Stripe
        if found.refund is not None:
            submit_refund(found.refund, api_user())
            commit()
        returns.settle_return_refund(found, links=site_links)
        commit()
    except DomainError as exc:
        rollback()
        return json_error(exc.status, exc.code, exc.message, exc.fields)
    if found.refund is not None and found.refund.state == "failed":
        return json_error(422, "refund_failed",
                          f"Stripe did not refund it: {found.refund.failure_message}")
    return return_json(found)
