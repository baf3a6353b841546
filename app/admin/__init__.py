"""Platform staff area: administration and moderation."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import ads_routes, fx_routes, markets_routes, routes  # noqa: E402,F401
