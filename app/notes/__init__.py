"""Notes, the feed, interactions, search and notifications (HTML pages)."""

from flask import Blueprint

bp = Blueprint("notes", __name__)

from app.notes import (  # noqa: E402,F401
    ads_routes,
    age_gate_routes,
    coauthor_routes,
    event_routes,
    interest_routes,
    moderation_routes,
    rendering,
    routes,
    social_routes,
    traffic_routes,
    translation_routes,
)
