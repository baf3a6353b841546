"""The merchant portal: products, inventory, store settings, orders, shipping rates, CSV."""

from flask import Blueprint

bp = Blueprint("merchant", __name__)

from app.merchant import (  # noqa: E402,F401
    csv_routes,
    home_routes,
    image_routes,
    inventory_routes,
    orders_routes,
    products_routes,
    shipping_routes,
    store_routes,
)
