"""Shopper side of payments: the pay page (Stripe.js), its return page, and my orders."""

from flask import Blueprint

bp = Blueprint("payments", __name__)

from app.payments import routes  # noqa: E402,F401
