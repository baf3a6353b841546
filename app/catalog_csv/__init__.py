"""CSV import and export of a store's products, variants and stock (merchant portal)."""

from flask import Blueprint

bp = Blueprint("catalog_csv", __name__)

from app.catalog_csv import routes  # noqa: E402,F401
