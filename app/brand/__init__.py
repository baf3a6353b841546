"""The brand portal: campaigns, partnerships and the prepaid ad balance of a brand."""

from flask import Blueprint

bp = Blueprint("brand", __name__)

from app.brand import balance_routes, campaign_routes, partnership_routes  # noqa: E402,F401
