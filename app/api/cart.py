"""Cart API: the signed-in shopper's cart, its items, their availability for the ship-to country."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import api_user, idempotent, json_body, token_required
from app.api.openapi import operation, ref, schema
from app.core.transaction import commit
from app.services.catalog.reads import viewer_terms
from app.services.checkout import cart as carts
from app.services.checkout.quotes import refuse_client_amounts
from app.web.viewer import current_preferences

CART_ITEM = schema("CartItem", {
    "type": "object",
    "required": ["id", "variant_id", "product_id", "store_id", "quantity", "unit_price",
                 "line_total", "available_quantity", "restricted", "available"],
    "properties": {
        "id": {"type": "integer"}, "variant_id": {"type": "integer"},
        "product_id": {"type": "integer"}, "store_id": {"type": "integer"},
        "store_name": {"type": "string"}, "title": {"type": "string"},
        "sku": {"type": "string"},
        "options": {"type": "object", "additionalProperties": {"type": "string"}},
        "quantity": {"type": "integer", "minimum": 1, "maximum": carts.MAX_QUANTITY},
        "note_id": {"type": ["integer", "null"],
                    "description": "The note the item was found through (attribution)."},
        "unit_price": {**ref("Money"), "description":
                       "Indicative: the fixed price in `currency` or the converted base price; "
                       "in the store's currency when no fresh rate exists. A quote locks it."},
        "line_total": ref("Money"),
        "price_is_fixed": {"type": "boolean"},
        "available_quantity": {"type": "integer", "description":
                               "Units that can be bought for the ship-to country (0 when "
                               "restricted)."},
        "restricted": {"type": "boolean", "description":
                       "True when the item cannot ship to `country`: the product is "
                       "restricted there, or its store does not ship there."},
        "available": {"type": "boolean",
                      "description": "Not restricted and `quantity` is in stock."},
    },
})
CART_SCHEMA = schema("Cart", {
    "type": "object",
    "required": ["items", "currency", "country", "subtotals", "item_count", "can_check_out"],
    "properties": {
        "items": {"type": "array", "items": CART_ITEM},
        "currency": {"type": ["string", "null"]}, "country": {"type": ["string", "null"]},
        "subtotals": {"type": "array", "items": ref("Money"), "description":
                      "Indicative subtotal per currency (one unless a rate is unavailable)."},
        "item_count": {"type": "integer", "description": "Units in the cart."},
        "can_check_out": {"type": "boolean",
                          "description": "Every item is available for the ship-to country."},
    },
})
ADD_ITEM = schema("AddCartItemRequest", {
    "type": "object", "required": ["variant_id"],
    "properties": {"variant_id": {"type": "integer"},
                   "quantity": {"type": "integer", "minimum": 1, "default": 1,
                                "maximum": carts.MAX_QUANTITY},
                   "note_id": {"type": ["integer", "null"]}},
    "description": "Quantities add up with the line already in the cart. Prices are never "
                   "accepted from the client (422 client_amount_refused).",
})
UPDATE_ITEM = schema("UpdateCartItemRequest", {
    "type": "object", "required": ["quantity"],
    "properties": {"quantity": {"type": "integer", "minimum": 1,
                                "maximum": carts.MAX_QUANTITY}},
})
VIEWER_PARAMS = [
    {"name": "currency", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Display currency; defaults to the user's preference."},
    {"name": "country", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Ship-to country; defaults to the user's preference."},
]


def cart_json(view: carts.CartView) -> dict[str, Any]:
    """The cart as the API shows it."""
    return {
        "items": [{
            "id": line.item.id, "variant_id": line.item.variant_id,
            "product_id": line.product.id, "store_id": line.product.store_id,
            "store_name": line.product.store.name, "title": line.product.title,
            "sku": line.item.variant.sku, "options": dict(line.item.variant.options),
            "quantity": line.item.quantity, "note_id": line.item.note_id,
            "unit_price": line.offer.price.to_api(), "line_total": line.line_total.to_api(),
            "price_is_fixed": line.offer.price_is_fixed,
            "available_quantity": line.available_quantity, "restricted": line.restricted,
            "available": line.quantity_ok,
        } for line in view.lines],
        "currency": view.currency, "country": view.country,
        "subtotals": [m.to_api() for m in view.subtotals],
        "item_count": view.count, "can_check_out": view.can_check_out,
    }


def _viewer() -> tuple[str | None, str | None]:
    prefs = current_preferences()
    return viewer_terms(request.args.get("currency") or prefs.currency,
                        request.args.get("country") or prefs.ship_to_country)


def _render() -> dict[str, Any]:
    currency, country = _viewer()
    view = carts.view_cart(carts.find_cart(user=api_user()), currency=currency,
                           country=country)
    return cart_json(view)


@bp.get("/cart")
@operation(summary="Your cart", tags=["checkout"], params=VIEWER_PARAMS,
           responses={200: CART_SCHEMA, 401: None, 422: None})
@token_required("read")
def get_cart():
    """Items from any number of stores, each checked for stock and the ship-to country."""
    body = _render()
    commit()  # reading stock may release expired reservations
    return body


@bp.post("/cart/items")
@operation(summary="Add an item to your cart", tags=["checkout"], request=ADD_ITEM,
           idempotent=True, params=VIEWER_PARAMS,
           responses={201: CART_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None})
@token_required("write")
@idempotent()
def add_cart_item():
    """Add units of a variant; 409 insufficient_stock beyond what is available."""
    body = json_body()
    refuse_client_amounts(body)
    currency, country = _viewer()
    carts.add_item(carts.open_cart(user=api_user()), body.get("variant_id"),
                   body.get("quantity", 1), note_id=body.get("note_id"), ship_to=country)
    result = cart_json(carts.view_cart(carts.find_cart(user=api_user()), currency=currency,
                                       country=country))
    commit()
    return result, 201


@bp.patch("/cart/items/<int:item_id>")
@operation(summary="Change an item's quantity", tags=["checkout"], request=UPDATE_ITEM,
           params=VIEWER_PARAMS,
           responses={200: CART_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None})
@token_required("write")
def update_cart_item(item_id: int):
    """Set the quantity (another user's item answers 404)."""
    body = json_body()
    refuse_client_amounts(body)
    carts.update_item(carts.find_cart(user=api_user()), item_id, body.get("quantity"))
    result = _render()
    commit()
    return result


@bp.delete("/cart/items/<int:item_id>")
@operation(summary="Remove an item from your cart", tags=["checkout"],
           responses={204: None, 401: None, 404: None})
@token_required("write")
def remove_cart_item(item_id: int):
    """Take the line out (another user's item answers 404)."""
    carts.remove_item(carts.find_cart(user=api_user()), item_id)
    commit()
    return "", 204
