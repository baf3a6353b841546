"""The signed-in user's own pages: profile, security, API tokens, partnerships, boosts, sales."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from app.account import ads_routes, routes, sales_routes, tokens  # noqa: E402,F401
