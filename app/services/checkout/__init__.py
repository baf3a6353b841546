"""Checkout: carts, shipping-rate tables and addresses, and landed-cost quotes."""

from app.services.checkout.cart import (
    GUEST_CART_SESSION_KEY,
    find_cart,
    remove_item,
    units_in_guest_cart,
    units_in_user_cart,
)
from app.services.checkout.quotes import (
    QuoteExpired,
    ensure_quote_payable,
    get_quote,
)
from app.services.checkout.shipping_terms import track_shipping_writes

__all__ = [
    "GUEST_CART_SESSION_KEY",
    "QuoteExpired",
    "ensure_quote_payable",
    "find_cart",
    "get_quote",
    "remove_item",
    "track_shipping_writes",
    "units_in_guest_cart",
    "units_in_user_cart",
]
