"""Orders: created from a paid quote (one per store), their states and their lists."""

from app.services.orders.lifecycle import (
    CANCELLABLE,
    REFUNDABLE,
    create_orders_for_quote,
    get_store_order,
    orders_for_quote,
    refundable_minor,
    shipping_refunded,
    transition_order,
)

__all__ = [
    "CANCELLABLE",
    "REFUNDABLE",
    "create_orders_for_quote",
    "get_store_order",
    "orders_for_quote",
    "refundable_minor",
    "shipping_refunded",
    "transition_order",
]
