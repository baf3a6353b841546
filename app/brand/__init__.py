"""The brand portal: campaigns, partnerships, the prepaid ad balance and sponsored events."""

from flask import Blueprint

bp = Blueprint("brand", __name__)

from app.brand import (  # noqa: E402,F401
    balance_routes,
    campaign_routes,
    event_routes,
    partnership_routes,
)
