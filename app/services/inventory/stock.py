"""Stock changes by merchants: receive, adjust, transfer, return, and bulk set or adjust.

Every change goes through app.services.inventory.ledger (a conditional UPDATE plus a
ledger row with the actor and a reference). Reservations and availability live in
app.services.inventory.reservations, reads for merchants in .listing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import InventoryLevel, ProductVariant, User, Warehouse
from app.services.errors import Conflict, ValidationFailed
from app.services.fields import (
    MAX_QUANTITY,
    FieldErrors,
    clean_id,
    clean_int,
    clean_objects,
    clean_text,
)
from app.services.inventory.ledger import (
    InsufficientStock,
    Reference,
    change_level,
    level_id_for,
    level_numbers,
)
from app.services.inventory.listing import LevelStock, store_variant
from app.services.permissions import not_found_in_organization, require_store_staff

BULK_MODES = ("set", "adjust")
MAX_BULK_ITEMS = 1000
CAS_ATTEMPTS = 3
MAX_REASON = 500


@dataclass(frozen=True, kw_only=True)
class BulkLine(LevelStock):
    """A level after a bulk update."""

    sku: str


# Lookups ----------------------------------------------------------------------------------
def _store_warehouse(store_id: int, warehouse_id: int, *, field: str = "warehouse_id"
                     ) -> Warehouse:
    warehouse = db.session.scalar(select(Warehouse).where(
        Warehouse.id == warehouse_id, Warehouse.store_id == store_id))
    if warehouse is None:
        raise not_found_in_organization()
    if not warehouse.is_active:
        raise ValidationFailed(_("%(warehouse)s is closed.", warehouse=warehouse.name),
                               code="warehouse_inactive",
                               fields={field: [_("This warehouse is closed.")]})
    return warehouse


def _positive(quantity: Any, field: str = "quantity") -> int:
    errors = FieldErrors()
    value = clean_int(quantity, field, errors, minimum=1, maximum=MAX_QUANTITY, required=True)
    errors.raise_if_any()
    assert value is not None
    return value


def _reason(reason: str | None, *, required: bool) -> str:
    errors = FieldErrors()
    text = clean_text(reason, "reason", errors, max_len=MAX_REASON, required=required)
    errors.raise_if_any(_("Say why the stock changes."))
    return text or ""


def _level(level_id: int) -> InventoryLevel:
    level = db.session.get(InventoryLevel, level_id)
    assert level is not None
    return level


# Changes ----------------------------------------------------------------------------------
def receive_stock(actor: User, store_id: int, variant_id: int, warehouse_id: int,
                  quantity: int, *, reference: Reference = None,
                  reason: str = "") -> InventoryLevel:
    """Units arrived at a warehouse (a delivery from the supplier)."""
    return _add_on_hand("receive", actor, store_id, variant_id, warehouse_id, quantity,
                        reference=reference, reason=reason)


def adjust_stock(actor: User, store_id: int, variant_id: int, warehouse_id: int, delta: int,
                 *, reason: str, reference: Reference = None) -> InventoryLevel:
    """Correct on_hand by `delta` (a count, damage, loss); the reason is required."""
    store = require_store_staff(actor, store_id)
    variant = store_variant(store.id, variant_id)
    warehouse = _store_warehouse(store.id, warehouse_id)
    errors = FieldErrors()
    value = clean_int(delta, "quantity", errors, minimum=-MAX_QUANTITY, maximum=MAX_QUANTITY,
                      required=True)
    if value == 0:
        errors.add("quantity", _("Enter how many units to add (positive) or remove (negative)."))
    errors.raise_if_any()
    assert value is not None
    text = _reason(reason, required=True)
    level_id = level_id_for(variant.id, warehouse.id)
    assert level_id is not None
    if not change_level(level_id, "adjust", value, 0, actor=actor, reference=reference,
                        reason=text):
        on_hand, reserved = level_numbers([level_id])[level_id]
        raise InsufficientStock(
            _("%(warehouse)s has %(on_hand)d of %(sku)s, %(reserved)d reserved: removing "
              "%(removing)d would leave less than the reserved units.",
              warehouse=warehouse.name, on_hand=on_hand, sku=variant.sku, reserved=reserved,
              removing=-value),
            fields={"quantity": [_("At most %(n)d can be removed.", n=on_hand - reserved)]})
    return _level(level_id)


def transfer_stock(actor: User, store_id: int, variant_id: int, from_warehouse_id: int,
                   to_warehouse_id: int, quantity: int, *, reason: str = ""
                   ) -> tuple[InventoryLevel, InventoryLevel]:
    """Move available units between two warehouses of the store (two ledger rows)."""
    store = require_store_staff(actor, store_id)
    variant = store_variant(store.id, variant_id)
    source = _store_warehouse(store.id, from_warehouse_id, field="from_warehouse_id")
    target = _store_warehouse(store.id, to_warehouse_id, field="to_warehouse_id")
    if source.id == target.id:
        raise ValidationFailed(_("Choose two different warehouses."), code="same_warehouse",
                               fields={"to_warehouse_id": [_("Choose another warehouse.")]})
    quantity = _positive(quantity)
    text = _reason(reason, required=False)
    source_level = level_id_for(variant.id, source.id, create=False)
    free = 0
    if source_level is not None:
        on_hand, reserved = level_numbers([source_level])[source_level]
        free = on_hand - reserved
    if source_level is None or free < quantity:
        raise InsufficientStock(
            _("%(warehouse)s has %(n)d of %(sku)s available to move.", warehouse=source.name,
              n=max(free, 0), sku=variant.sku),
            fields={"quantity": [_("At most %(n)d can be moved.", n=max(free, 0))]})
    target_level = level_id_for(variant.id, target.id)
    assert target_level is not None
    reference = ("transfer", uuid.uuid4().hex)
    with db.session.begin_nested():
        # Lower level id first (the lock order); the source's guard decides.
        for level_id in sorted((source_level, target_level)):
            if level_id == source_level:
                if not change_level(level_id, "transfer_out", -quantity, 0, actor=actor,
                                    reference=reference, reason=text or f"to {target.name}"):
                    raise InsufficientStock(
                        _("%(warehouse)s no longer has %(n)d of %(sku)s available.",
                          warehouse=source.name, n=quantity, sku=variant.sku),
                        fields={"quantity": [_("The stock changed; try again.")]})
            else:
                change_level(level_id, "transfer_in", quantity, 0, actor=actor,
                             reference=reference, reason=text or f"from {source.name}")
    return _level(source_level), _level(target_level)


def return_stock(actor: User, store_id: int, variant_id: int, warehouse_id: int,
                 quantity: int, *, reference: Reference = None,
                 reason: str = "") -> InventoryLevel:
    """Put returned (restocked) units back on hand, e.g. after a refund with restock."""
    return _add_on_hand("return", actor, store_id, variant_id, warehouse_id, quantity,
                        reference=reference, reason=reason, default_reason="returned")


def _add_on_hand(kind: str, actor: User, store_id: int, variant_id: int, warehouse_id: int,
                 quantity: int, *, reference: Reference, reason: str,
                 default_reason: str = "") -> InventoryLevel:
    # Access first: another store's ids answer 404 whatever else the request holds.
    store = require_store_staff(actor, store_id)
    variant = store_variant(store.id, variant_id)
    warehouse = _store_warehouse(store.id, warehouse_id)
    quantity = _positive(quantity)
    level_id = level_id_for(variant.id, warehouse.id)
    assert level_id is not None
    change_level(level_id, kind, quantity, 0, actor=actor, reference=reference,
                 reason=_reason(reason, required=False) or default_reason)
    return _level(level_id)


# Bulk -------------------------------------------------------------------------------------
def _parse_bulk_items(mode: str, items: Any, errors: FieldErrors
                      ) -> list[tuple[str, str | None, int | None, int | None]]:
    if mode not in BULK_MODES:
        errors.add("mode", _('Use "set" (the new on-hand count) or "adjust" (a change).'),
                   "invalid_mode")
    parsed = []
    for path, item in clean_objects(items, "items", errors, max_items=MAX_BULK_ITEMS,
                                    shape="sku, warehouse_id and quantity"):
        sku = clean_text(item.get("sku"), f"{path}.sku", errors, max_len=64, required=True)
        warehouse_id = clean_id(item.get("warehouse_id"), f"{path}.warehouse_id", errors)
        quantity = item.get("quantity")
        if mode == "set":
            if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity < 0:
                errors.add(f"{path}.quantity", _("Stock cannot be negative."), "negative_stock")
                quantity = None
            else:
                quantity = clean_int(quantity, f"{path}.quantity", errors,
                                     maximum=MAX_QUANTITY, required=True)
        else:
            quantity = clean_int(quantity, f"{path}.quantity", errors, minimum=-MAX_QUANTITY,
                                 maximum=MAX_QUANTITY, required=True)
        parsed.append((path, sku, warehouse_id, quantity))
    return parsed


def bulk_set_inventory(actor: User, store_id: int, mode: str, items: Any, *,
                       reference: Reference = None, reason: str | None = None
                       ) -> list[BulkLine]:
    """Set (or adjust) many on-hand counts at once: every item applies or none does.

    Each bad item is named (`items.3.sku`: unknown SKU; `items.4.warehouse_id`: not a
    warehouse of this store; `items.5.quantity`: the result would be negative or below
    the reserved units). An adjust needs a reason (`reason`: `reason_required`); a set
    (a count) defaults to "Bulk inventory set". "set" is a compare-and-swap on the
    on_hand it read, so a concurrent change cannot be overwritten unnoticed.
    """
    store = require_store_staff(actor, store_id)
    errors = FieldErrors()
    parsed = _parse_bulk_items(mode, items, errors)
    text = clean_text(reason, "reason", errors, max_len=MAX_REASON) or f"Bulk inventory {mode}"
    if mode == "adjust" and not errors.has("reason") and not (reason or "").strip():
        # A count explains itself; a change by some units needs its cause in the ledger.
        errors.add("reason", _("Say why the stock changes (a delivery, damage, a count)."),
                   "reason_required")
    if set(errors.fields) == {"reason"}:
        errors.raise_if_any(_("Say why the stock changes; nothing was changed."))
    skus = {sku for _i, sku, _w, _q in parsed if sku}
    warehouse_ids = {w for _i, _s, w, _q in parsed if w}
    variants = {v.sku: v for v in db.session.scalars(select(ProductVariant).where(
        ProductVariant.store_id == store.id, ProductVariant.sku.in_(skus)))} if skus else {}
    warehouses = {w.id: w for w in db.session.scalars(select(Warehouse).where(
        Warehouse.store_id == store.id, Warehouse.id.in_(warehouse_ids)))} \
        if warehouse_ids else {}
    levels = {(lv.variant_id, lv.warehouse_id): (lv.id, lv.on_hand, lv.reserved)
              for lv in db.session.execute(
                  select(InventoryLevel.variant_id, InventoryLevel.warehouse_id,
                         InventoryLevel.id, InventoryLevel.on_hand, InventoryLevel.reserved)
                  .where(InventoryLevel.variant_id.in_([v.id for v in variants.values()])))
              } if variants else {}

    seen: dict[tuple[str, int], str] = {}
    # variant, warehouse, quantity, item path; in the request's order
    plan: list[tuple[ProductVariant, Warehouse, int, str]] = []
    for path, sku, warehouse_id, quantity in parsed:
        variant = variants.get(sku) if sku else None
        warehouse = warehouses.get(warehouse_id) if warehouse_id else None
        if sku and variant is None:
            errors.add(f"{path}.sku", _("No variant with SKU %(sku)s in this store.", sku=sku),
                       "unknown_sku")
        if warehouse_id and warehouse is None:
            errors.add(f"{path}.warehouse_id", _("No such warehouse in this store."),
                       "unknown_warehouse")
        elif warehouse is not None and not warehouse.is_active:
            errors.add(f"{path}.warehouse_id",
                       _("%(warehouse)s is closed.", warehouse=warehouse.name),
                       "warehouse_inactive")
        if variant is None or warehouse is None or quantity is None:
            continue
        key = (variant.sku, warehouse.id)
        if key in seen:
            errors.add(path, _("%(sku)s in this warehouse is already %(path)s.",
                               sku=variant.sku, path=seen[key]),
                       "duplicate_item")
            continue
        seen[key] = path
        _id, on_hand, reserved = levels.get((variant.id, warehouse.id), (None, 0, 0))
        _check_target(errors, path, mode, quantity, on_hand, reserved)
        plan.append((variant, warehouse, quantity, path))
    errors.raise_if_any(_("Some items are not valid; nothing was changed."))

    reference = reference or ("bulk_inventory", uuid.uuid4().hex)
    level_ids = {(v.id, w.id): level_id_for(v.id, w.id) for v, w, _q, _p in plan}
    locking_order = sorted(plan, key=lambda entry: (entry[0].id,
                                                    level_ids[(entry[0].id, entry[1].id)]))
    with db.session.begin_nested():
        for variant, warehouse, quantity, path in locking_order:
            level_id = level_ids[(variant.id, warehouse.id)]
            _id, on_hand, reserved = levels.get((variant.id, warehouse.id), (None, 0, 0))
            _apply_bulk_item(actor, level_id, mode, quantity, path,
                             known=(on_hand, reserved), reference=reference, reason=text)
    numbers = level_numbers(list(level_ids.values()))
    lines = [BulkLine(sku=v.sku, warehouse_id=w.id, on_hand=numbers[level_ids[(v.id, w.id)]][0],
                      reserved=numbers[level_ids[(v.id, w.id)]][1])
             for v, w, _q, _p in plan]
    return lines


def _check_target(errors: FieldErrors, path: str, mode: str, quantity: int, on_hand: int,
                  reserved: int) -> bool:
    target = quantity if mode == "set" else on_hand + quantity
    if target < 0:
        errors.add(f"{path}.quantity", _("On hand is %(on_hand)d: this would leave %(target)d.",
                                         on_hand=on_hand, target=target),
                   "negative_stock")
        return False
    if target < reserved:
        errors.add(f"{path}.quantity", _("%(reserved)d units are reserved for shoppers: on "
                                         "hand cannot go below that (this would leave "
                                         "%(target)d).", reserved=reserved, target=target),
                   "negative_stock")
        return False
    return True


def _apply_bulk_item(actor: User, level_id: int, mode: str, quantity: int, path: str, *,
                     known: tuple[int, int], reference: Reference, reason: str) -> None:
    on_hand, reserved = known
    for attempt in range(CAS_ATTEMPTS):
        if attempt:  # the compare-and-swap lost a race: read the level again
            on_hand, reserved = level_numbers([level_id])[level_id]
        errors = FieldErrors()
        if not _check_target(errors, path, mode, quantity, on_hand, reserved):
            errors.raise_if_any(_("The stock changed meanwhile; nothing was changed."))
        delta = quantity - on_hand if mode == "set" else quantity
        if delta == 0:
            return
        if change_level(level_id, "adjust", delta, 0, actor=actor, reference=reference,
                        reason=reason, expected_on_hand=on_hand if mode == "set" else None):
            return
    raise Conflict(_("The stock kept changing while it was being set; try again."),
                   code="stock_changed")


