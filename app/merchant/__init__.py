"""The merchant portal: products, variants and images, inventory, warehouses, store settings."""

from flask import Blueprint

bp = Blueprint("merchant", __name__)

from app.merchant import (  # noqa: E402,F401
    home_routes,
    image_routes,
    inventory_routes,
    products_routes,
    store_routes,
)
