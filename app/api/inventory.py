"""Inventory API: warehouses and the all-or-nothing bulk stock update."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from app.api import bp
from app.api.catalog import page_json
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.fields import MAX_ID, id_field
from app.api.openapi import list_of, operation, schema
from app.core.transaction import commit
from app.models import Warehouse
from app.services import inventory
from app.services.catalog import stores
from app.services.errors import ValidationFailed
from app.services.permissions import require_store_staff
from app.web.cursors import decode_cursor

WAREHOUSE_SCHEMA = schema("Warehouse", {
    "type": "object", "required": ["id", "name", "country"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "address_line1": {"type": "string"}, "address_line2": {"type": "string"},
        "city": {"type": "string"}, "region": {"type": "string"},
        "postal_code": {"type": "string"}, "is_active": {"type": "boolean"},
    },
})
CREATE_WAREHOUSE = schema("CreateWarehouseRequest", {
    "type": "object", "required": ["name", "country"],
    "properties": {name: {"type": "string"} for name in (
        "name", "country", "address_line1", "address_line2", "city", "region", "postal_code")},
})
# The ledger reason of a bulk change sent without one (the contract made `reason` optional,
# while the service asks a reason of every adjust).
API_REASON = "Stock sync through the API"
BULK_REQUEST = schema("BulkInventoryRequest", {
    "type": "object", "required": ["mode", "items"],
    "properties": {
        "mode": {"type": "string", "enum": ["set", "adjust"],
                 "description": "set: quantity is the new on-hand count; adjust: it is added "
                                "(negative removes)."},
        "reason": {"type": "string", "maxLength": 500,
                   "description": "Optional. Why the stock changes, recorded on every ledger "
                                  f"row; left out, the rows read \"{API_REASON}\"."},
        "items": {"type": "array", "minItems": 1, "maxItems": inventory.MAX_BULK_ITEMS,
                  "items": {"type": "object", "required": ["sku", "warehouse_id", "quantity"],
                            "properties": {"sku": {"type": "string"},
                                           "warehouse_id": {"type": "integer"},
                                           "quantity": {"type": "integer"}}}},
    },
})
LEVEL_ROW = {
    "type": "object", "required": ["sku", "warehouse_id", "on_hand", "reserved", "available"],
    "properties": {"sku": {"type": "string"}, "variant_id": {"type": "integer"},
                   "warehouse_id": {"type": "integer"}, "on_hand": {"type": "integer"},
                   "reserved": {"type": "integer"}, "available": {"type": "integer"}},
}
BULK_RESPONSE = schema("BulkInventoryResult", {
    "type": "object", "required": ["mode", "items"],
    "properties": {"mode": {"type": "string"}, "items": {"type": "array", "items": LEVEL_ROW}},
})
IDEMPOTENCY_REQUIRED = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Required. A retry with the same key and body returns the first response; "
                   "the same key with another body answers 409 idempotency_key_reused.",
}


def warehouse_json(warehouse: Warehouse) -> dict[str, Any]:
    """A warehouse with its address."""
    return {"id": warehouse.id, "name": warehouse.name, "country": warehouse.country,
            "address_line1": warehouse.address_line1, "address_line2": warehouse.address_line2,
            "city": warehouse.city, "region": warehouse.region,
            "postal_code": warehouse.postal_code, "is_active": warehouse.is_active}


@bp.get("/stores/<int:store_id>/warehouses")
@operation(summary="The store's warehouses", tags=["inventory"],
           description="A bare array, as the API contract fixes it: a store has a handful of "
                       "warehouses, so the list is never paginated.",
           responses={200: {"type": "array", "items": WAREHOUSE_SCHEMA}, 401: None, 403: None,
                      404: None})
@token_required("read")
def list_warehouses(store_id: int):
    """Active warehouses, by id."""
    items = [warehouse_json(w) for w in stores.list_warehouses(api_user(), store_id)]
    commit()
    return jsonify(items)


@bp.post("/stores/<int:store_id>/warehouses")
@operation(summary="Add a warehouse", tags=["inventory"], idempotent=True,
           request=CREATE_WAREHOUSE,
           responses={201: WAREHOUSE_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
@idempotent()
def create_warehouse(store_id: int):
    """Store admins add a place to ship from."""
    warehouse = stores.create_warehouse(api_user(), store_id, json_body())
    commit()
    return warehouse_json(warehouse), 201


@bp.get("/stores/<int:store_id>/inventory")
@operation(summary="Stock of every variant in one warehouse", tags=["inventory"],
           params=[*PAGE_PARAMS,
                   {"name": "warehouse_id", "in": "query", "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                   {"name": "q", "in": "query", "required": False,
                    "schema": {"type": "string"}, "description": "SKU or title contains."}],
           responses={200: list_of(LEVEL_ROW), 400: None, 401: None, 403: None, 404: None,
                      422: None})
@token_required("read")
def list_inventory(store_id: int):
    """One row per variant (zero where the warehouse holds none), by variant id."""
    require_store_staff(api_user(), store_id)  # another store answers 404 before any parsing
    warehouse_id = id_field(request.args.get("warehouse_id"), "warehouse_id")
    if warehouse_id is None:
        raise ValidationFailed("warehouse_id is required.",
                               fields={"warehouse_id": ["Give the warehouse's id."]})
    page = inventory.list_inventory(api_user(), store_id, warehouse_id,
                                    text=request.args.get("q"),
                                    after=decode_cursor(1), limit=page_limit())
    body = page_json(page, lambda row: {
        "sku": row.variant.sku, "variant_id": row.variant.id, "warehouse_id": row.warehouse_id,
        "on_hand": row.on_hand, "reserved": row.reserved, "available": row.available})
    commit()
    return body


@bp.post("/stores/<int:store_id>/inventory")
@operation(summary="Set or adjust stock in bulk (all or nothing)", tags=["inventory"],
           request=BULK_REQUEST, params=[IDEMPOTENCY_REQUIRED],
           responses={200: BULK_RESPONSE, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
@idempotent(required=True)
def bulk_inventory(store_id: int):
    """Apply every item or none; a 422 names each bad item.

    `items.<n>.sku`: `unknown_sku`; `items.<n>.warehouse_id`: `unknown_warehouse` (another
    store's warehouse is unknown here too); `items.<n>.quantity`: `negative_stock` when the
    result would be negative or below the units reserved for shoppers. Every change is a
    ledger row referencing the Idempotency-Key, with the body's `reason` or, when there is
    none, "Stock sync through the API".
    """
    body = json_body()
    mode = body.get("mode")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed("reason must be text.", fields={"reason": ["Must be text."]})
    key = request.headers.get("Idempotency-Key", "").strip()
    lines = inventory.bulk_set_inventory(
        api_user(), store_id, mode if isinstance(mode, str) else "", body.get("items"),
        reference=("bulk_inventory", key[:64]),
        reason=reason if reason and reason.strip() else API_REASON)
    result = {"mode": mode, "items": [
        {"sku": line.sku, "warehouse_id": line.warehouse_id, "on_hand": line.on_hand,
         "reserved": line.reserved, "available": line.available} for line in lines]}
    commit()
    return result
