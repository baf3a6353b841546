"""Inventory: stock levels per warehouse, reservations, and the ledger of every change.

Only this package writes `inventory_levels`, `reservations` and `stock_movements`; every
other domain calls the functions exported here, and imports nothing from the modules
behind them (ledger, reservations, fulfilment, batch, stock, listing).
"""

from app.services.inventory.batch import reserve_lines_at_once, set_stock_levels
from app.services.inventory.fulfilment import (
    ORDER_HOLD_EXPIRES_AT,
    StockNotInWarehouse,
    hold_for_orders,
    order_holds,
    order_owner,
    release_order_holds,
    ship_held_units,
)
from app.services.inventory.ledger import (
    InsufficientStock,
    LedgerMismatch,
    Reference,
    check_ledger,
    level_id_for,
)
from app.services.inventory.listing import (
    InventoryRow,
    LowStockRow,
    count_low_stock_variants,
    get_store_variant,
    list_inventory,
    low_stock_variants,
    movement_reason,
    stock_history,
    variant_levels,
)
from app.services.inventory.reservations import (
    DEFAULT_TTL,
    availability,
    available,
    commit_owner_reservations,
    commit_reservation,
    expire_reservations,
    extend_owner_reservations,
    owner_reservations,
    release_owner_reservations,
    release_reservation,
    reserve_lines,
    reserve_stock,
    variant_available_sql,
)
from app.services.inventory.stock import (
    MAX_BULK_ITEMS,
    BulkLine,
    adjust_stock,
    bulk_set_inventory,
    receive_stock,
    return_stock,
    transfer_stock,
)

__all__ = [
    "BulkLine",
    "DEFAULT_TTL",
    "InsufficientStock",
    "InventoryRow",
    "LedgerMismatch",
    "LowStockRow",
    "MAX_BULK_ITEMS",
    "ORDER_HOLD_EXPIRES_AT",
    "Reference",
    "StockNotInWarehouse",
    "adjust_stock",
    "availability",
    "available",
    "bulk_set_inventory",
    "check_ledger",
    "commit_owner_reservations",
    "commit_reservation",
    "count_low_stock_variants",
    "expire_reservations",
    "extend_owner_reservations",
    "get_store_variant",
    "hold_for_orders",
    "level_id_for",
    "list_inventory",
    "low_stock_variants",
    "order_holds",
    "order_owner",
    "owner_reservations",
    "receive_stock",
    "release_order_holds",
    "release_owner_reservations",
    "release_reservation",
    "reserve_lines",
    "reserve_lines_at_once",
    "reserve_stock",
    "return_stock",
    "set_stock_levels",
    "ship_held_units",
    "movement_reason",
    "stock_history",
    "transfer_stock",
    "variant_available_sql",
    "variant_levels",
]
