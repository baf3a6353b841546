"""The merchant portal's shipping pages: the store's zones, weight tiers and thresholds."""

from flask import Blueprint

bp = Blueprint("merchant_shipping", __name__)

from app.merchant_shipping import routes  # noqa: E402,F401
