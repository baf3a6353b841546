"""The shopper's checkout: cart, shipping address and quote, payment, and their orders."""

from flask import Blueprint

bp = Blueprint("checkout", __name__)

from app.checkout import (  # noqa: E402,F401
    cart_routes,
    payment_routes,
    returns_routes,
    tracking_routes,
)
