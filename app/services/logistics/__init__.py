"""Logistics: carriers, shipments and their legs, customs documents, tracking and returns.

Other domains import what they need from here; the edges may use the modules directly.
"""

from app.services.logistics.carriers import get_carrier, list_carriers, tracking_url
from app.services.logistics.delivery_estimates import DeliveryEstimate, delivery_estimates
from app.services.logistics.shipment_lists import (
    BOARD_GROUPS,
    BoardGroup,
    ExceptionBoard,
    ShipmentFilters,
    exception_board,
    export_shipments_csv,
    list_store_shipments,
    order_reference,
)
from app.services.logistics.shipments import (
    OrderNotShippable,
    TrackingNumberTaken,
    add_shipment_leg,
    create_return_parcel,
    create_shipment,
    get_store_shipment,
    list_order_shipments,
    remaining_quantities,
    shipped_from,
    shipped_quantities,
)

__all__ = [
    "BOARD_GROUPS",
    "BoardGroup",
    "DeliveryEstimate",
    "ExceptionBoard",
    "OrderNotShippable",
    "ShipmentFilters",
    "TrackingNumberTaken",
    "add_shipment_leg",
    "create_return_parcel",
    "create_shipment",
    "delivery_estimates",
    "exception_board",
    "export_shipments_csv",
    "get_carrier",
    "get_store_shipment",
    "list_carriers",
    "list_order_shipments",
    "list_store_shipments",
    "order_reference",
    "remaining_quantities",
    "shipped_from",
    "shipped_quantities",
    "tracking_url",
]
