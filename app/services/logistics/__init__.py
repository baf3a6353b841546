"""Logistics: carriers, shipments and their legs, customs documents, tracking and returns."""

from app.services.logistics.carriers import get_carrier, list_carriers, tracking_url
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

__all__ = [
    "BOARD_GROUPS",
    "BoardGroup",
    "ExceptionBoard",
    "ShipmentFilters",
    "exception_board",
    "export_shipments_csv",
    "get_carrier",
    "list_carriers",
    "list_store_shipments",
    "order_reference",
    "tracking_url",
]
