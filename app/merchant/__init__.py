"""The merchant portal: products, inventory, settings, orders, shipments, shipping rates, CSV."""

from flask import Blueprint

bp = Blueprint("merchant", __name__)

from app.merchant import (  # noqa: E402,F401
    csv_routes,
    home_routes,
    image_routes,
    inventory_routes,
    orders_routes,
    products_routes,
    returns_routes,
    sales_routes,
    shipments_routes,
    shipping_routes,
    store_routes,
)
