"""Stock of paid orders: held for the order at payment, committed when the parcel ships.

At payment a quote's holds are handed to the order of each store (`hold_for_orders`):
the units stay `reserved` on the level they were reserved on, owned by ("order", id).
Such holds never expire by design: the shopper has paid, and the units wait for the
merchant's shipment, a refund or a cancellation. The column is NOT NULL, so they carry
ORDER_HOLD_EXPIRES_AT, a date `expire_reservations` (expires_at <= now) never reaches.
Handing a hold over changes no level, so it writes no ledger row; the hold's `reserve`
row (referencing the quote) and its later `commit` or `release` row share its id.

A shipment commits the held units from the warehouse it leaves (`ship_held_units`).
Units held in another warehouse of the store are released there and taken from the
chosen warehouse's free stock with the conditional UPDATE of the ledger, all or nothing.
Orders paid before holds existed had their stock committed at payment: the caller says
how many units of each variant were committed that way (`prepaid`), and those ship
without a second stock change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import InventoryLevel, ProductVariant, Reservation, User, utcnow
from app.services.errors import Conflict
from app.services.inventory.ledger import InsufficientStock, Reference, change_level, level_id_for
from app.services.inventory.listing import store_variant
from app.services.inventory.reservations import RESERVATIONS, _end, owner_reservations
from app.services.inventory.stock import _store_warehouse
from app.services.permissions import require_store_staff

ORDER_OWNER = "order"
ORDER_HOLD_EXPIRES_AT = datetime(9999, 1, 1, tzinfo=UTC)


class StockNotInWarehouse(InsufficientStock):
    """The chosen warehouse lacks units a shipment needs; nothing was changed."""

    code = "insufficient_stock"
    status = 422

    def __init__(self, message: str, *, variant_id: int,
                 fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, fields=fields)
        self.variant_id = variant_id


def order_owner(order_id: int) -> tuple[str, str]:
    """The reservation owner of an order's holds."""
    return ORDER_OWNER, str(order_id)


def hold_for_orders(from_owner: tuple[str, str | int], orders_by_store: Mapping[int, int],
                    *, now: datetime | None = None) -> int:
    """Hand an owner's active holds (a paid quote's) to the order of each variant's store.

    Returns how many reservations changed hands. A hold the expiry job closed meanwhile
    stays closed; its units simply have no hold and ship from free stock.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(Reservation.id, ProductVariant.store_id)
        .join(InventoryLevel, InventoryLevel.id == Reservation.level_id)
        .join(ProductVariant, ProductVariant.id == InventoryLevel.variant_id)
        .where(Reservation.owner_type == from_owner[0],
               Reservation.owner_id == str(from_owner[1]), Reservation.state == "active")
        .order_by(Reservation.id)).all()
    moved = 0
    db.session.flush()
    for reservation_id, store_id in rows:
        order_id = orders_by_store.get(store_id)
        if order_id is None:
            continue
        result = db.session.execute(
            update(RESERVATIONS)
            .where(RESERVATIONS.c.id == reservation_id, RESERVATIONS.c.state == "active")
            .values(owner_type=ORDER_OWNER, owner_id=str(order_id),
                    expires_at=ORDER_HOLD_EXPIRES_AT, updated_at=now))
        moved += result.rowcount
    handed = {reservation_id for reservation_id, _store in rows}
    for cached in list(db.session.identity_map.values()):
        if isinstance(cached, Reservation) and cached.id in handed:
            db.session.expire(cached)
    return moved


def order_holds(order_id: int) -> dict[int, dict[int, int]]:
    """Units an order still holds: {variant_id: {warehouse_id: quantity}}."""
    held: dict[int, dict[int, int]] = {}
    for reservation in owner_reservations(*order_owner(order_id)):
        per_warehouse = held.setdefault(reservation.level.variant_id, {})
        warehouse_id = reservation.level.warehouse_id
        per_warehouse[warehouse_id] = per_warehouse.get(warehouse_id, 0) + reservation.quantity
    return held


def _take(reservation: Reservation, quantity: int, state: str, *, actor: User | None,
          now: datetime, reference: Reference, reason: str) -> None:
    """Close `quantity` units of a hold as `state`, splitting it when only part is used.

    The part is cut off with a conditional UPDATE of the hold's quantity and recorded as
    a closed reservation of its own, so the active holds still sum to `reserved`.
    """
    if quantity == reservation.quantity:
        if not _end(reservation, state, actor=actor, now=now, reference=reference,
                    reason=reason):
            raise Conflict(_("The order's stock changed meanwhile; try again."),
                           code="stock_changed")
        return
    db.session.flush()
    result = db.session.execute(
        update(RESERVATIONS)
        .where(RESERVATIONS.c.id == reservation.id, RESERVATIONS.c.state == "active",
               RESERVATIONS.c.quantity > quantity)
        .values(quantity=RESERVATIONS.c.quantity - quantity, updated_at=now))
    db.session.expire(reservation)
    if result.rowcount != 1:
        raise Conflict(_("The order's stock changed meanwhile; try again."), code="stock_changed")
    piece = Reservation(level_id=reservation.level_id, quantity=quantity,
                        owner_type=reservation.owner_type, owner_id=reservation.owner_id,
                        expires_at=reservation.expires_at, state=state, closed_at=now)
    db.session.add(piece)
    db.session.flush()
    kind, on_hand_delta = ("commit", -quantity) if state == "committed" else ("release", 0)
    if not change_level(piece.level_id, kind, on_hand_delta, -quantity, actor=actor,
                        reference=reference, reason=reason, reservation_id=piece.id):
        raise RuntimeError(f"level {piece.level_id} holds less than reservation "
                           f"{reservation.id}")


def ship_held_units(actor: User, store_id: int, owner: tuple[str, str | int],
                    warehouse_id: int, quantities: Mapping[int, int], *,
                    reference: Reference, prepaid: Mapping[int, int] | None = None,
                    now: datetime | None = None) -> None:
    """Commit the units of a shipment from `warehouse_id`: all of them, or nothing.

    Per variant, units come from the owner's holds in that warehouse first; holds in
    other warehouses are released and the units taken from the chosen warehouse's free
    stock; then `prepaid` units (committed at payment) ship with no stock change; any
    rest (a shortage at payment) is taken from free stock too. Raises StockNotInWarehouse
    (422 `insufficient_stock`) when the warehouse lacks them.
    """
    store = require_store_staff(actor, store_id)
    warehouse = _store_warehouse(store.id, warehouse_id)
    now = now or utcnow()
    prepaid = prepaid or {}
    holds = owner_reservations(owner[0], owner[1])
    with db.session.begin_nested():
        for variant_id in sorted(quantities):  # the lock order of every stock change
            needed = quantities[variant_id]
            if needed <= 0:
                continue
            variant = store_variant(store.id, variant_id)
            here = level_id_for(variant.id, warehouse.id)
            assert here is not None
            mine = [r for r in holds if r.level.variant_id == variant.id]
            # (level id, hold or None, units, state): applied in level id order.
            steps: list[tuple[int, Reservation | None, int, str]] = []
            for reservation in sorted(mine, key=lambda r: (r.level_id != here, r.level_id)):
                if not needed:
                    break
                units = min(needed, reservation.quantity)
                needed -= units
                if reservation.level_id == here:
                    steps.append((here, reservation, units, "committed"))
                else:
                    steps.append((reservation.level_id, reservation, units, "released"))
            moved = sum(units for _l, _r, units, state in steps if state == "released")
            from_prepaid = min(needed, max(prepaid.get(variant.id, 0), 0))
            free = moved + needed - from_prepaid
            if free:
                steps.append((here, None, free, "free"))
            for level_id, reservation, units, state in sorted(
                    steps, key=lambda s: (s[0], s[1] is None)):
                if reservation is not None:
                    _take(reservation, units, state, actor=actor, now=now, reference=reference,
                          reason="shipped" if state == "committed"
                          else f"shipped from {warehouse.name}")
                elif not change_level(level_id, "commit", -units, 0, actor=actor,
                                      reference=reference, reason="shipped"):
                    raise StockNotInWarehouse(
                        _("%(warehouse)s does not have %(units)d of %(sku)s in stock.",
                          warehouse=warehouse.name, units=units, sku=variant.sku),
                        variant_id=variant.id,
                        fields={"warehouse_id": [_("Not enough %(sku)s here.",
                                                   sku=variant.sku)]})


def release_order_holds(actor: User | None, owner: tuple[str, str | int],
                        quantities: Mapping[int, int] | None = None, *,
                        write_off: bool = False, reference: Reference = None,
                        reason: str = "released", now: datetime | None = None
                        ) -> dict[int, int]:
    """Give up an order's holds: all, or up to `quantities` units per variant.

    Released units become free stock again; with `write_off` they are committed instead
    (they leave on_hand, as when a merchant refunds without restocking). Returns the
    units ended per variant, which may be fewer than asked when the holds ran out.
    """
    now = now or utcnow()
    ended: dict[int, int] = {}
    left = dict(quantities) if quantities is not None else None
    state = "committed" if write_off else "released"
    for reservation in owner_reservations(owner[0], owner[1]):
        variant_id = reservation.level.variant_id
        wanted = reservation.quantity if left is None else min(left.get(variant_id, 0),
                                                               reservation.quantity)
        if wanted <= 0:
            continue
        _take(reservation, wanted, state, actor=actor, now=now,
              reference=reference or (owner[0], owner[1]), reason=reason)
        ended[variant_id] = ended.get(variant_id, 0) + wanted
        if left is not None:
            left[variant_id] -= wanted
    return ended
