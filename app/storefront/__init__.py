"""The public storefront (HTML): store pages, product pages, browsing and search."""

from flask import Blueprint

bp = Blueprint("storefront", __name__)

from app.storefront import routes  # noqa: E402,F401
