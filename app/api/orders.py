"""Orders API: the shopper's orders, a store's order queue, refunds and cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import request

from app.api import bp
from app.api.catalog import page_json
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.fields import money_field
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit, rollback
from app.errors import json_error
from app.models import ORDER_EVENT_REASONS, Order, Refund
from app.money import Money
from app.services.errors import DomainError, ValidationFailed
from app.services.fields import FieldErrors, clean_quantity_lines
from app.services.orders import lifecycle as orders
from app.services.payments import refunds
from app.services.permissions import require_store_staff
from app.web.cursors import decode_cursor

MONEY = ref("Money")
MAX_REFUND_LINES = 500
ORDER_LINE = {
    "type": "object",
    "required": ["id", "variant_id", "sku", "title", "quantity", "unit_price", "total"],
    "properties": {
        "id": {"type": "integer"}, "variant_id": {"type": "integer"},
        "product_id": {"type": "integer"}, "sku": {"type": "string"},
        "title": {"type": "string"}, "quantity": {"type": "integer"},
        "refunded_quantity": {"type": "integer"}, "unit_price": MONEY, "total": MONEY,
        "duty": MONEY, "tax": MONEY,
        "unit_price_in_store_currency": MONEY,
        "note_id": {"type": ["integer", "null"]}, "creator_id": {"type": ["integer", "null"]},
        "cocreator_id": {"type": ["integer", "null"],
                         "description": "A co-created note's co-author: the line is credited "
                                        "half to each creator."},
    },
}
ORDER_SCHEMA = schema("Order", {
    "type": "object",
    "required": ["id", "status", "store_id", "lines", "total", "total_in_store_currency",
                 "fx_rate"],
    "properties": {
        "id": {"type": "integer"}, "status": {"type": "string"},
        "store_id": {"type": "integer"}, "store_name": {"type": "string"},
        "checkout_reference": {"type": "string"}, "currency": {"type": "string"},
        "lines": {"type": "array", "items": ORDER_LINE},
        "items": MONEY, "shipping": MONEY, "duties": MONEY, "taxes": MONEY,
        "collected_at_checkout": {"type": "boolean",
                                  "description": "False: duties and taxes are an estimate "
                                                 "due on delivery, not in the total."},
        "due_on_delivery": {**MONEY, "description": "Duties and taxes the carrier collects "
                            "on delivery (an estimate, not in the total): all of them when "
                            "`collected_at_checkout` is false, else the part a per-item "
                            "limit leaves to delivery."},
        "total": MONEY, "refunded": MONEY, "total_in_store_currency": MONEY,
        "fx_rate": {"type": "string", "description": "Store currency -> presentment "
                                                     "currency, as locked at checkout."},
        "fx_as_of": {"type": "string", "format": "date-time"},
        "shipping_address": {"type": "object"},
        "created_at": {"type": "string", "format": "date-time"},
        "paid_at": {"type": ["string", "null"], "format": "date-time"},
        "commission": MONEY,
        "refunded_in_store_currency": {**MONEY, "description": "Refunds at the locked rate."},
        "commission_returned": {**MONEY, "description": "The commission given back on the "
                                "goods and shipping refunded, in proportion."},
        "merchant_net": {**MONEY, "description": "Store-currency total, minus refunds and "
                         "the commission, plus the commission given back."},
        "events": {"type": "array", "items": {
            "type": "object", "required": ["from", "to", "reason", "reason_code", "details", "at"],
            "properties": {
                "from": {"type": ["string", "null"]}, "to": {"type": "string"},
                "reason": {"type": "string", "description": "What a person typed, if anything."},
                "reason_code": {"type": ["string", "null"], "enum": [
                    None, *ORDER_EVENT_REASONS],
                    "description": "Why the platform moved the order."},
                "details": {"type": "object", "description": "The reason's particulars: "
                            "intent, shipment, carrier, tracking_number or refund."},
                "at": {"type": "string", "format": "date-time"}}}},
        "shipments": {"type": "array", "description": "The order's parcels, oldest first; "
                      "GET /shipments/{id} has their journey.",
                      "items": {"type": "object", "required": ["id", "status"],
                                "properties": {"id": {"type": "integer"},
                                               "status": {"type": "string"}}}},
    },
})
REFUND_SCHEMA = schema("Refund", {
    "type": "object", "required": ["id", "state", "amount"],
    "properties": {
        "id": {"type": "integer"}, "state": {"type": "string",
                                             "enum": ["pending", "succeeded", "failed"]},
        "amount": MONEY, "includes_shipping": {"type": "boolean"},
        "restock": {"type": "boolean"}, "failure_message": {"type": "string"},
        "lines": {"type": "array", "items": {"type": "object", "properties": {
            "order_line_id": {"type": "integer"}, "quantity": {"type": "integer"},
            "amount": MONEY}}},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
REFUND_REQUEST = schema("RefundRequest", {
    "type": "object",
    "properties": {
        "lines": {"type": "array", "maxItems": MAX_REFUND_LINES, "items": {
            "type": "object", "required": ["order_line_id", "quantity"],
            "properties": {"order_line_id": {"type": "integer"},
                           "quantity": {"type": "integer", "minimum": 1}}}},
        "shipping": {"type": "boolean", "default": False},
        "amount": {**MONEY, "description": "Optional: refund exactly this much instead of "
                                           "the computed amount of the lines and shipping."},
        "restock": {"type": "boolean", "default": False},
        "reason": {"type": "string", "maxLength": 2000},
    },
})
STORE_ORDER_PARAMS = [
    *PAGE_PARAMS,
    {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "created_from", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date"}},
    {"name": "created_to", "in": "query", "required": False,
     "schema": {"type": "string", "format": "date"}, "description": "Inclusive."},
    {"name": "reference", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Checkout reference prefix, or an order id."},
]


def _money(minor: int, currency: str) -> dict[str, str]:
    return Money(minor, currency).to_api()


def order_json(order: Order, *, merchant: bool = False) -> dict[str, Any]:
    """An order as its shopper (or, with `merchant`, its store) sees it."""
    cur = order.currency
    body = {
        "id": order.id, "status": order.status, "store_id": order.store_id,
        "store_name": order.store.name if not merchant else None,
        "checkout_reference": order.checkout_reference, "currency": cur,
        "lines": [{
            "id": line.id, "variant_id": line.variant_id, "product_id": line.product_id,
            "sku": line.sku, "title": line.title, "quantity": line.quantity,
            "refunded_quantity": line.refunded_quantity,
            "unit_price": _money(line.unit_price_minor, cur),
            "total": _money(line.total_minor, cur), "duty": _money(line.duty_minor, cur),
            "tax": _money(line.tax_minor, cur),
            "unit_price_in_store_currency": _money(line.unit_price_store_minor,
                                                   order.store_currency),
            "note_id": line.note_id, "creator_id": line.creator_id,
            "cocreator_id": line.cocreator_id,
        } for line in order.lines],
        "items": _money(order.items_minor, cur), "shipping": _money(order.shipping_minor, cur),
        "duties": _money(order.duties_minor, cur), "taxes": _money(order.taxes_minor, cur),
        "collected_at_checkout": order.collected_at_checkout,
        "due_on_delivery": _money(order.due_on_delivery_minor, cur),
        "total": _money(order.total_minor, cur), "refunded": _money(order.refunded_minor, cur),
        "total_in_store_currency": _money(order.total_store_minor, order.store_currency),
        "fx_rate": str(order.fx_rate), "fx_as_of": timestamp(order.fx_as_of),
        "shipping_address": order.shipping_address,
        "created_at": timestamp(order.created_at), "paid_at": timestamp(order.paid_at),
        "shipments": [{"id": s.id, "status": s.status} for s in order.shipments],
    }
    if merchant:
        del body["store_name"]
        settled = orders.settlement(order)
        body["commission"] = settled.commission.to_api()
        body["refunded_in_store_currency"] = settled.refunded.to_api()
        body["commission_returned"] = settled.commission_returned.to_api()
        body["merchant_net"] = settled.net.to_api()
    return body


def refund_json(refund: Refund) -> dict[str, Any]:
    """A refund with its lines."""
    return {"id": refund.id, "state": refund.state,
            "amount": _money(refund.amount_minor, refund.currency),
            "includes_shipping": refund.includes_shipping, "restock": refund.restock,
            "failure_message": refund.failure_message,
            "lines": [{"order_line_id": line.order_line_id, "quantity": line.quantity,
                       "amount": _money(line.amount_minor, refund.currency)}
                      for line in refund.lines],
            "created_at": timestamp(refund.created_at)}


@bp.get("/orders")
@operation(summary="Your orders", tags=["orders"], params=PAGE_PARAMS,
           responses={200: list_of(ORDER_SCHEMA), 400: None, 401: None, 422: None})
@token_required("read")
def list_my_orders():
    """The shopper's orders, newest first (one per store of each checkout)."""
    page = orders.list_shopper_orders(api_user(), after=decode_cursor(1), limit=page_limit())
    body = page_json(page, order_json)
    commit()
    return body


@bp.get("/orders/<int:order_id>")
@operation(summary="One of your orders", tags=["orders"],
           responses={200: ORDER_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_my_order(order_id: int):
    """Status, lines and amounts in both currencies; another shopper's order answers 404."""
    body = order_json(orders.get_shopper_order(api_user(), order_id))
    commit()
    return body


def _date(name: str, *, end: bool = False) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = datetime.fromisoformat(raw).date()
    except ValueError:
        raise ValidationFailed(f"{name} must be a date (YYYY-MM-DD).",
                               fields={name: ["Use YYYY-MM-DD."]}) from None
    moment = datetime.combine(day, time.min, UTC)
    return moment + timedelta(days=1) if end else moment


@bp.get("/stores/<int:store_id>/orders")
@operation(summary="The store's order queue", tags=["orders"], params=STORE_ORDER_PARAMS,
           responses={200: list_of(ORDER_SCHEMA), 400: None, 401: None, 403: None,
                      404: None, 422: None})
@token_required("read")
def list_store_orders(store_id: int):
    """Merchant staff: the store's orders, newest first, filtered."""
    page = orders.list_store_orders(
        api_user(), store_id, status=request.args.get("status") or None,
        created_from=_date("created_from"), created_to=_date("created_to", end=True),
        reference=request.args.get("reference"), after=decode_cursor(1), limit=page_limit())
    body = page_json(page, lambda order: order_json(order, merchant=True))
    commit()
    return body


@bp.get("/stores/<int:store_id>/orders/<int:order_id>")
@operation(summary="One of the store's orders", tags=["orders"],
           responses={200: ORDER_SCHEMA, 401: None, 403: None, 404: None})
@token_required("read")
def get_store_order(store_id: int, order_id: int):
    """With the commission, the merchant's net, the status log and refunds."""
    order = orders.get_store_order(api_user(), store_id, order_id)
    body = order_json(order, merchant=True)
    body["events"] = [{"from": e.from_status, "to": e.to_status, "reason": e.reason,
                       "reason_code": e.reason_code, "details": e.reason_params,
                       "at": timestamp(e.created_at)} for e in order.events]
    body["refunds"] = [refund_json(r) for r in order.refunds]
    commit()
    return body


def _refund_request(body: dict[str, Any]) -> refunds.RefundRequest:
    errors = FieldErrors()
    lines = [(line_id, quantity) for _path, line_id, quantity in clean_quantity_lines(
        body.get("lines", []), "lines", errors, id_key="order_line_id",
        max_items=MAX_REFUND_LINES, allow_empty=True) if line_id and quantity]
    flags = {}
    for name in ("shipping", "restock"):
        value = body.get(name, False)
        if not isinstance(value, bool):
            errors.add(name, "Must be true or false.")
        flags[name] = value is True
    # Only a money problem keeps its specific code (invalid_amount...).
    amount = money_field(body.get("amount"), "amount", errors)
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        errors.add("reason", "Must be text.")
    errors.raise_if_any("The refund is invalid.")
    return refunds.RefundRequest(lines=lines, shipping=flags["shipping"], amount=amount,
                                 restock=flags["restock"], reason=reason)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/refunds")
@operation(summary="Refund an order, fully or partly", tags=["orders"], idempotent=True,
           request=REFUND_REQUEST,
           responses={201: REFUND_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Store admins. Per line and/or shipping, in the order's currency, "
                       "through Stripe with an idempotency key. When duties and taxes were "
                       "paid at checkout, a line's units bring back their share of its duty "
                       "and tax (units 1..n rounded half-even, so a full refund returns all) "
                       "and shipping brings back the tax charged on it. 422 "
                       "`refund_exceeds_captured` when it is more than was captured minus "
                       "earlier refunds, `refund_quantity_exceeded`, `nothing_to_refund`, "
                       "`shipping_already_refunded`; 409 `order_not_refundable`; 422 "
                       "`refund_failed` when Stripe refused it (nothing was refunded).")
@token_required("write")
@idempotent()
def create_refund(store_id: int, order_id: int):
    """Refund units, shipping or an amount; optionally put the units back in stock."""
    # Another store's staff (or anyone else) gets 404 before the body is even read.
    require_store_staff(api_user(), store_id, min_role=refunds.REFUND_ROLE)
    request_data = _refund_request(json_body())
    return _run_refund(lambda: refunds.request_refund(api_user(), store_id, order_id,
                                                      request_data))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/cancel")
@operation(summary="Cancel an order before it ships", tags=["orders"], idempotent=True,
           request={"type": "object", "properties": {"reason": {"type": "string"}}},
           body_required=False,
           responses={201: REFUND_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Store admins: refunds everything still refundable, puts the units "
                       "back in stock and marks the order cancelled. 409 "
                       "`order_not_refundable` once anything has shipped.")
@token_required("write")
@idempotent()
def cancel_order(store_id: int, order_id: int):
    """Cancel and refund in full."""
    body = json_body() if request.get_data(cache=True) else {}
    reason = body.get("reason", "")
    if not isinstance(reason, str):
        raise ValidationFailed("reason must be text.", fields={"reason": ["Must be text."]})
    return _run_refund(lambda: refunds.request_cancellation(api_user(), store_id, order_id,
                                                            reason=reason))


def _run_refund(claim):
    try:
        refund = claim()
        # The claim and the idempotency key are durable before Stripe is called.
        commit()
        refunds.submit_refund(refund, api_user())
        commit()
    except DomainError as exc:
        rollback()
        return json_error(exc.status, exc.code, exc.message, exc.fields)
    if refund.state == "failed":
        return json_error(422, "refund_failed",
                          f"Stripe did not refund it: {refund.failure_message}")
    return refund_json(refund), 201
