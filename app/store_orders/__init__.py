"""The merchant's order queue: filters, order detail, refunds and cancellation."""

from flask import Blueprint

bp = Blueprint("store_orders", __name__)

from app.store_orders import routes  # noqa: E402,F401
