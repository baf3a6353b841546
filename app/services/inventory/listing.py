"""Inventory as merchants read it: levels per warehouse, low stock, a SKU's ledger history.

Reads only; every change goes through app.services.inventory.stock or .reservations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import pgettext
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import InventoryLevel, Product, ProductVariant, StockMovement, User, Warehouse
from app.services.inventory.reservations import variant_available_sql
from app.services.pagination import Page
from app.services.permissions import not_found_in_organization, require_store_staff


@dataclass(frozen=True, kw_only=True)
class LevelStock:
    """A level's numbers in one warehouse: on hand, reserved, and what is left to reserve."""

    warehouse_id: int
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        """Units that can still be reserved."""
        return self.on_hand - self.reserved


@dataclass(frozen=True, kw_only=True)
class InventoryRow(LevelStock):
    """One variant's stock in one warehouse, for the inventory page."""

    variant: ProductVariant


@dataclass(frozen=True)
class LowStockRow:
    """A variant at or below its product's low-stock threshold."""

    variant: ProductVariant
    available: int
    threshold: int


def store_variant(store_id: int, variant_id: int) -> ProductVariant:
    """One of the store's variants, or NotFound (another store's too)."""
    variant = db.session.scalar(select(ProductVariant).where(
        ProductVariant.id == variant_id, ProductVariant.store_id == store_id))
    if variant is None:
        raise not_found_in_organization()
    return variant


def variant_levels(variant_ids: Sequence[int]) -> dict[int, list[InventoryLevel]]:
    """Each variant's levels with their warehouses, in one query."""
    result: dict[int, list[InventoryLevel]] = {variant_id: [] for variant_id in variant_ids}
    if not variant_ids:
        return result
    for level in db.session.scalars(select(InventoryLevel)
                                    .where(InventoryLevel.variant_id.in_(variant_ids))
                                    .options(joinedload(InventoryLevel.warehouse))
                                    .order_by(InventoryLevel.warehouse_id)):
        result[level.variant_id].append(level)
    return result


def list_inventory(actor: User, store_id: int, warehouse_id: int, *, text: str | None = None,
                   after: Sequence[Any] | None = None, limit: int = 50) -> Page[InventoryRow]:
    """Every variant of the store with its stock in one warehouse (zero where none)."""
    store = require_store_staff(actor, store_id)
    warehouse = db.session.scalar(select(Warehouse).where(
        Warehouse.id == warehouse_id, Warehouse.store_id == store.id))
    if warehouse is None:
        raise not_found_in_organization()
    stmt = (select(ProductVariant, InventoryLevel.on_hand, InventoryLevel.reserved)
            .outerjoin(InventoryLevel, and_(InventoryLevel.variant_id == ProductVariant.id,
                                            InventoryLevel.warehouse_id == warehouse.id))
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.store_id == store.id, Product.status != "archived")
            .options(joinedload(ProductVariant.product))
            .order_by(ProductVariant.id).limit(limit + 1))
    if text and text.strip():
        pattern = f"%{text.strip()}%"
        stmt = stmt.where(ProductVariant.sku.ilike(pattern) | Product.title.ilike(pattern))
    if after:
        stmt = stmt.where(ProductVariant.id > int(after[0]))
    rows = [InventoryRow(variant=v, warehouse_id=warehouse.id, on_hand=on_hand or 0,
                         reserved=reserved or 0)
            for v, on_hand, reserved in db.session.execute(stmt)]
    items = rows[:limit]
    return Page(items=items,
                next_after=[items[-1].variant.id] if len(rows) > limit and items else None)


def low_stock_variants(actor: User, store_id: int, *, after: Sequence[Any] | None = None,
                       limit: int = 50) -> Page[LowStockRow]:
    """Active variants of live and draft products at or below the low-stock threshold."""
    store = require_store_staff(actor, store_id)
    stock = variant_available_sql()
    stmt = (select(ProductVariant, stock, Product.low_stock_threshold)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.store_id == store.id, ProductVariant.is_active.is_(True),
                   Product.status != "archived", stock <= Product.low_stock_threshold)
            .options(joinedload(ProductVariant.product))
            .order_by(ProductVariant.id).limit(limit + 1))
    if after:
        stmt = stmt.where(ProductVariant.id > int(after[0]))
    rows = [LowStockRow(variant=v, available=int(quantity), threshold=threshold)
            for v, quantity, threshold in db.session.execute(stmt)]
    items = rows[:limit]
    return Page(items=items,
                next_after=[items[-1].variant.id] if len(rows) > limit and items else None)


def count_low_stock_variants(actor: User, store_id: int) -> int:
    """How many variants `low_stock_variants` lists (the portal home's counter)."""
    store = require_store_staff(actor, store_id)
    return db.session.scalar(
        select(func.count(ProductVariant.id))
        .join(Product, Product.id == ProductVariant.product_id)
        .where(ProductVariant.store_id == store.id, ProductVariant.is_active.is_(True),
               Product.status != "archived",
               variant_available_sql() <= Product.low_stock_threshold)) or 0


def get_store_variant(actor: User, store_id: int, variant_id: int) -> ProductVariant:
    """One of the store's variants (with its product), for its staff."""
    store = require_store_staff(actor, store_id)
    return store_variant(store.id, variant_id)


def stock_history(actor: User, store_id: int, variant_id: int, *,
                  warehouse_id: int | None = None, after: Sequence[Any] | None = None,
                  limit: int = 50) -> Page[StockMovement]:
    """A variant's ledger rows, newest first (optionally in one warehouse)."""
    store = require_store_staff(actor, store_id)
    variant = store_variant(store.id, variant_id)
    stmt = (select(StockMovement)
            .join(InventoryLevel, InventoryLevel.id == StockMovement.level_id)
            .where(InventoryLevel.variant_id == variant.id)
            .options(selectinload(StockMovement.level).joinedload(InventoryLevel.warehouse),
                     selectinload(StockMovement.actor))
            .order_by(StockMovement.id.desc()).limit(limit + 1))
    if warehouse_id is not None:
        stmt = stmt.where(InventoryLevel.warehouse_id == warehouse_id)
    if after:
        stmt = stmt.where(StockMovement.id < int(after[0]))
    rows = list(db.session.scalars(stmt))
    items = rows[:limit]
    return Page(items=items, next_after=[items[-1].id] if len(rows) > limit and items else None)


# The reasons the system itself writes into the ledger (stock.py, reservations.py,
# fulfilment.py, refunds, CSV imports); people's own reasons are shown as typed. Stored in
# English, worded in the reader's language when shown. "to"/"from" only for transfers, where
# the system names the other warehouse.
_SYSTEM_REASONS: list[tuple[tuple[str, ...], re.Pattern[str], Any]] = [
    ((), re.compile(r"shipped"), lambda m: pgettext("stock movement", "shipped")),
    ((), re.compile(r"shipped from (.+)"), lambda m: pgettext(
        "stock movement", "shipped from %(warehouse)s", warehouse=m.group(1))),
    ((), re.compile(r"expired"), lambda m: pgettext("stock movement", "hold expired")),
    ((), re.compile(r"order cancelled"), lambda m: pgettext("stock movement",
                                                            "order cancelled")),
    ((), re.compile(r"returned"), lambda m: pgettext("stock movement", "returned")),
    ((), re.compile(r"released"), lambda m: pgettext("stock movement", "released")),
    ((), re.compile(r"quote expired"), lambda m: pgettext("stock movement", "quote expired")),
    ((), re.compile(r"quote replaced"), lambda m: pgettext("stock movement",
                                                           "quote replaced")),
    ((), re.compile(r"payment failed"), lambda m: pgettext("stock movement",
                                                           "payment failed")),
    ((), re.compile(r"payment canceled"), lambda m: pgettext("stock movement",
                                                             "payment cancelled")),
    ((), re.compile(r"CSV import (.+)"), lambda m: pgettext(
        "stock movement", "CSV import %(file)s", file=m.group(1))),
    (("transfer_out",), re.compile(r"to (.+)"), lambda m: pgettext(
        "stock movement", "to %(warehouse)s", warehouse=m.group(1))),
    (("transfer_in",), re.compile(r"from (.+)"), lambda m: pgettext(
        "stock movement", "from %(warehouse)s", warehouse=m.group(1))),
]


def movement_reason(kind: str, reason: str) -> str:
    """A ledger row's reason in the reader's language when the system wrote it."""
    for kinds, pattern, word in _SYSTEM_REASONS:
        match = pattern.fullmatch(reason or "")
        if match and (not kinds or kind in kinds):
            return word(match)
    return reason
