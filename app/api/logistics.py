"""Logistics API: merchants ship order lines and add legs; customs documents of orders."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from app.api import bp
from app.api.core import MalformedRequest, api_user, idempotent, json_body, token_required
from app.api.openapi import binary, operation, schema
from app.core.transaction import commit
from app.models.logistics import LEG_KINDS, TRACKING_STATUSES, Shipment, ShipmentLeg
from app.services import logistics
from app.services.logistics import bulk_shipping
from app.services.logistics import customs_documents as customs
from app.services.logistics.carriers import list_carriers, tracking_url
from app.services.permissions import require_store_staff
from app.web.links import site_links

CARRIER_CODES = [carrier.code for carrier in list_carriers()]
SHIPMENT_REQUEST = schema("ShipmentRequest", {
    "type": "object", "required": ["warehouse_id", "carrier", "tracking_number", "lines"],
    "properties": {
        "warehouse_id": {"type": "integer", "description": "An open warehouse of the store; "
                         "the units are committed from its stock."},
        "carrier": {"type": "string", "enum": CARRIER_CODES},
        "tracking_number": {"type": "string", "maxLength": 60,
                            "description": "Checked against the carrier's formats and check "
                                           "digit; spaces and dashes are ignored."},
        "lines": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["order_line_id", "quantity"],
            "properties": {"order_line_id": {"type": "integer"},
                           "quantity": {"type": "integer", "minimum": 1}}}},
        "weight_grams": {"type": "integer", "minimum": 1},
        "length_mm": {"type": "integer", "minimum": 1},
        "width_mm": {"type": "integer", "minimum": 1},
        "height_mm": {"type": "integer", "minimum": 1},
    },
})
SHIPMENT_CREATED = schema("Shipment", {
    "type": "object",
    "required": ["id", "order_id", "status", "carrier", "tracking_number", "tracking_url",
                 "warehouse_id", "lines"],
    "properties": {
        "id": {"type": "integer"}, "order_id": {"type": "integer"},
        "status": {"type": "string", "enum": list(TRACKING_STATUSES)},
        "carrier": {"type": "string"}, "tracking_number": {"type": "string"},
        "tracking_url": {"type": "string"}, "warehouse_id": {"type": "integer"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "order_line_id": {"type": "integer"}, "quantity": {"type": "integer"}}}},
    },
})
LEG_REQUEST = schema("ShipmentLegRequest", {
    "type": "object", "required": ["kind", "carrier", "tracking_number"],
    "properties": {"kind": {"type": "string", "enum": list(LEG_KINDS)},
                   "carrier": {"type": "string", "enum": CARRIER_CODES},
                   "tracking_number": {"type": "string", "maxLength": 60}},
})
LEG_CREATED = schema("ShipmentLeg", {
    "type": "object",
    "required": ["id", "shipment_id", "position", "kind", "carrier", "tracking_number",
                 "tracking_url"],
    "properties": {"id": {"type": "integer"}, "shipment_id": {"type": "integer"},
                   "position": {"type": "integer"}, "kind": {"type": "string"},
                   "carrier": {"type": "string"}, "tracking_number": {"type": "string"},
                   "tracking_url": {"type": "string"}},
})


def created_shipment_json(shipment: Shipment) -> dict[str, Any]:
    """A new shipment: its id, status, carrier, number and lines."""
    return {"id": shipment.id, "order_id": shipment.order_id, "status": shipment.status,
            "carrier": shipment.carrier, "tracking_number": shipment.tracking_number,
            "tracking_url": tracking_url(shipment.carrier, shipment.tracking_number),
            "warehouse_id": shipment.warehouse_id,
            "lines": [{"order_line_id": line.order_line_id, "quantity": line.quantity}
                      for line in shipment.lines]}


def leg_json(leg: ShipmentLeg) -> dict[str, Any]:
    """A leg of a shipment."""
    return {"id": leg.id, "shipment_id": leg.shipment_id, "position": leg.position,
            "kind": leg.kind, "carrier": leg.carrier, "tracking_number": leg.tracking_number,
            "tracking_url": tracking_url(leg.carrier, leg.tracking_number)}


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/shipments")
@operation(summary="Ship some lines of an order", tags=["logistics"], idempotent=True,
           request=SHIPMENT_REQUEST,
           responses={201: SHIPMENT_CREATED, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Merchant staff. Records the parcel, commits its units from the "
                       "warehouse's stock, moves the order to `partially_shipped` or "
                       "`shipped` and tells the shopper. Nothing is written on an error. "
                       "422 `invalid_tracking_number` (format or check digit), "
                       "`unknown_carrier`, `ship_quantity_exceeded` (more than ordered - "
                       "refunded - shipped, at `lines.<i>.quantity`), `unknown_order_line`, "
                       "`insufficient_stock` (the warehouse lacks the units, naming the SKU "
                       "and warehouse), `unknown_warehouse`, `warehouse_inactive`, "
                       "`validation_failed` (several kinds at once, each in `fields`); "
                       "409 `order_not_shippable` (unpaid, cancelled, refunded or already "
                       "shipped), `tracking_number_taken`; 404 for another store's order.")
@token_required("write")
@idempotent()
def create_shipment(store_id: int, order_id: int):
    """Ship order lines from a warehouse under a carrier's tracking number."""
    body = json_body()
    shipment = logistics.create_shipment(
        api_user(), store_id, order_id, warehouse_id=body.get("warehouse_id"),
        carrier=body.get("carrier"), tracking_number=body.get("tracking_number"),
        lines=body.get("lines"), weight_grams=body.get("weight_grams"),
        length_mm=body.get("length_mm"), width_mm=body.get("width_mm"),
        height_mm=body.get("height_mm"), links=site_links)
    response = created_shipment_json(shipment)
    commit()
    return response, 201


@bp.post("/shipments/<int:shipment_id>/legs")
@operation(summary="Add a leg to a shipment", tags=["logistics"], idempotent=True,
           request=LEG_REQUEST,
           responses={201: LEG_CREATED, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Merchant staff of the shipment's store (404 for anyone else). "
                       "422 `invalid_leg_kind`, `unknown_carrier`, `invalid_tracking_number`; "
                       "409 `tracking_number_taken`.")
@token_required("write")
@idempotent()
def add_shipment_leg(shipment_id: int):
    """Record a stretch of the journey under its own carrier and number."""
    body = json_body()
    leg = logistics.add_shipment_leg(api_user(), shipment_id, kind=body.get("kind"),
                                     carrier=body.get("carrier"),
                                     tracking_number=body.get("tracking_number"))
    response = leg_json(leg)
    commit()
    return response, 201


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/customs-documents/<kind>")
@operation(
    summary="A customs document of an order, as PDF", tags=["logistics"],
    params=[
        {"name": "tracking_number", "in": "query", "required": False,
         "schema": {"type": "string", "maxLength": 60},
         "description": "Printed as a Code 128 barcode (6-40 letters and digits; spaces "
                        "and dashes are ignored)."},
    ],
    responses={200: binary("application/pdf"), 401: None, 403: None, 404: None, 409: None,
               422: None},
    description="Merchant staff. `kind` is `cn22`, `cn23`, `commercial-invoice` or "
                "`packing-slip`; another kind, or another store's order, answers 404. "
                "422 `cn23_required` when a CN22 is asked for contents worth more than "
                "300 SDR, `customs_data_missing` (per SKU in `fields`) when an item lacks "
                "its HS code, origin or weight, `invalid_tracking_number`; 409 "
                "`order_not_shippable` for an unpaid, cancelled or refunded order, "
                "`no_active_warehouse`, and the fx service's `stale_rate` / "
                "`rate_unavailable` when a CN22's value cannot be converted to SDR.")
@token_required("read")
def get_customs_document(store_id: int, order_id: int, kind: str):
    """The document drawn from the order's lines, HS codes, origins, weights and values."""
    document = customs.render_customs_document(
        api_user(), store_id, order_id, kind,
        tracking_number=request.args.get("tracking_number"))
    commit()  # only the token's throttled last-used time; the document writes nothing
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'inline; filename="{document.filename}"',
        "Cache-Control": "private, no-store"})


BULK_SHIPPING_REQUEST = schema("BulkShippingRequest", {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description":
                            "CSV with columns order, sku, quantity, carrier, tracking_number "
                            "and optionally warehouse (id or name); UTF-8 with or without a "
                            "BOM, or GB18030; comma, semicolon or tab separated."}},
})
BULK_SHIPPING_RESULT = schema("BulkShippingResult", {
    "type": "object", "required": ["rows", "shipments", "skipped"],
    "properties": {
        "rows": {"type": "integer", "description": "Rows read from the file."},
        "shipments": {"type": "array", "items": SHIPMENT_CREATED},
        "skipped": {"type": "array", "description": "With valid_only: the rows left out.",
                    "items": {"type": "object", "required": ["row", "column", "code", "message"],
                              "properties": {"row": {"type": "integer"},
                                             "column": {"type": "string"},
                                             "code": {"type": "string"},
                                             "message": {"type": "string"}}}},
    },
})


def _uploaded_csv() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise MalformedRequest("Attach the CSV as the multipart field `file`.")
        return upload.read()
    if request.mimetype in ("text/csv", "text/plain"):
        return request.get_data()
    raise MalformedRequest("Send the CSV as multipart/form-data (field `file`) or as a "
                           "text/csv body.", code="unsupported_media_type")


@bp.post("/stores/<int:store_id>/shipments/bulk")
@operation(summary="Mark orders shipped from a CSV", tags=["logistics"], idempotent=True,
           request=BULK_SHIPPING_REQUEST, request_content_type="multipart/form-data",
           params=[{"name": "valid_only", "in": "query", "required": False,
                    "schema": {"type": "boolean", "default": False},
                    "description": "Ship the parcels whose rows are all valid and report "
                                   "the others, instead of refusing the whole file."}],
           responses={201: BULK_SHIPPING_RESULT, 400: None, 401: None, 403: None, 404: None,
                      413: None, 422: None},
           description="Merchant staff. The body is a CSV (multipart field `file`, or a "
                       "`text/csv` body) of order (reference as shown to merchants, or id), "
                       "sku, quantity, carrier (code), tracking_number and optional "
                       "warehouse (id or name; default: where the order's stock is held). "
                       "Rows with the same order, carrier and number are one shipment. "
                       "Every row is checked first; with any problem nothing ships and the "
                       "answer is 422 `bulk_shipping_has_errors` with each problem in "
                       "`fields` as `rows.<N>.<column>` (N as a spreadsheet numbers rows: the "
                       "header is row 1). Uploading the same file again ships nothing "
                       "twice: its rows report `already_shipped`. 422 also for the file "
                       "itself: `file_too_large` (over 1 MB), `too_many_rows` (over 500), "
                       "`undecodable_file`, `missing_columns`, `unknown_columns`, "
                       "`empty_file`.")
@token_required("write")
@idempotent()
def bulk_ship(store_id: int):
    """Create the shipments a CSV lists, all or nothing (or only the valid ones)."""
    require_store_staff(api_user(), store_id)  # another store answers 404 before any parsing
    valid_only = request.args.get("valid_only", "").lower() in ("1", "true", "yes")
    data = _uploaded_csv()
    result = bulk_shipping.ship_from_csv(api_user(), store_id, data, valid_only=valid_only,
                                         links=site_links)
    body = {"rows": result.rows,
            "shipments": [created_shipment_json(s) for s in result.shipments],
            "skipped": bulk_shipping.problem_rows(result.skipped)}
    commit()
    return body, 201
