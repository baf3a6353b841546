"""Search API: notes, products, users and topics behind one endpoint."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import PAGE_PARAMS, page_limit
from app.api.notes import AUTHOR_SCHEMA, NOTE_SCHEMA, author_json, notes_json, optional_viewer
from app.api.openapi import operation, schema
from app.core.transaction import commit
from app.models import Product, Topic
from app.providers.media import media_storage
from app.services.social import search
from app.web.cursors import decode_cursor, encode_cursor
from app.web.viewer import current_preferences

TOPIC_SCHEMA = schema("Topic", {
    "type": "object", "required": ["name", "note_count"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "note_count": {"type": "integer"}},
})
PRODUCT_RESULT = schema("ProductSearchResult", {
    "type": "object", "required": ["id", "title", "store_id"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                   "title_en": {"type": ["string", "null"]},
                   "title_zh": {"type": ["string", "null"]},
                   "store_id": {"type": "integer"},
                   "image_url": {"type": ["string", "null"]}},
})
SEARCH_RESULTS = schema("SearchResults", {
    "type": "object", "required": ["type", "items", "next_cursor"],
    "properties": {
        "type": {"type": "string", "enum": list(search.SEARCH_TYPES)},
        "items": {"type": "array", "items": {"oneOf": [NOTE_SCHEMA, AUTHOR_SCHEMA,
                                                       TOPIC_SCHEMA, PRODUCT_RESULT]}},
        "next_cursor": {"type": ["string", "null"]},
    },
})


def _product_json(product: Product) -> dict[str, Any]:
    image = product.images[0] if product.images else None
    key = next(iter(image.keys.values()), None) if image else None
    return {"id": product.id, "title": product.title, "title_en": product.title_en,
            "title_zh": product.title_zh, "store_id": product.store_id,
            "image_url": media_storage().url(key) if key else None}


def _topic_json(topic: Topic) -> dict[str, Any]:
    return {"id": topic.id, "name": topic.name, "note_count": topic.note_count}


@bp.get("/search")
@operation(summary="Search notes, products, users or topics", tags=["search"], auth=False,
           params=[{"name": "q", "in": "query", "required": True,
                    "schema": {"type": "string", "maxLength": 100}},
                   {"name": "type", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": list(search.SEARCH_TYPES),
                               "default": "notes"}},
                   *PAGE_PARAMS],
           responses={200: SEARCH_RESULTS, 400: None, 401: None, 422: None})
def search_endpoint():
    """Substring matching in any script (口红 finds 这支口红太好看了; "lipstick" finds
    "Lipsticks I love"); every word must match; best matches first, newer ones ahead.
    """
    viewer = optional_viewer()
    kind = request.args.get("type", "notes")
    cursor = decode_cursor(1 if kind == "products" else 2)
    result = search.search(request.args.get("q", ""), kind, cursor, page_limit(),
                           market=current_preferences().ship_to_country)
    if kind == "notes":
        items = notes_json(result.items, viewer)
    elif kind == "users":
        items = [author_json(u) for u in result.items]
    elif kind == "topics":
        items = [_topic_json(t) for t in result.items]
    else:
        items = [_product_json(p) for p in result.items]
    body = {"type": kind, "items": items,
            "next_cursor": encode_cursor(result.next_cursor) if result.next_cursor else None}
    commit()
    return body
