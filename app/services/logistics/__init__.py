"""Logistics: carriers, shipments and their legs, customs documents, tracking and returns.

Other domains import what they need from here; the edges may use the modules directly.
"""

from app.services.logistics.shipments import (
    OrderNotShippable,
    TrackingNumberTaken,
    add_shipment_leg,
    create_shipment,
    get_store_shipment,
    list_order_shipments,
    remaining_quantities,
    shipped_from,
    shipped_quantities,
)

__all__ = [
    "OrderNotShippable",
    "TrackingNumberTaken",
    "add_shipment_leg",
    "create_shipment",
    "get_store_shipment",
    "list_order_shipments",
    "remaining_quantities",
    "shipped_from",
    "shipped_quantities",
]
