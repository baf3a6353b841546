"""Platform staff area: administration and moderation."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import (  # noqa: E402,F401
    ads_routes,
    events_routes,
    fx_routes,
    glossary_routes,
    markets_routes,
    moderation_routes,
    moderation_rules_routes,
    routes,
    topics_routes,
)
