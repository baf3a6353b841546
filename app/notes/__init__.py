"""Notes, the feed, interactions, search and notifications (HTML pages)."""

from flask import Blueprint

bp = Blueprint("notes", __name__)

from app.notes import ads_routes, rendering, routes, social_routes  # noqa: E402,F401
