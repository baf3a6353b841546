"""Checkout: carts, shipping-rate tables and addresses, and landed-cost quotes."""

from app.services.checkout.cart import (
    find_cart,
    remove_item,
)
from app.services.checkout.quotes import (
    QuoteExpired,
    ensure_quote_payable,
    get_quote,
)

__all__ = [
    "QuoteExpired",
    "ensure_quote_payable",
    "find_cart",
    "get_quote",
    "remove_item",
]
