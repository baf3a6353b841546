"""The one way stock levels change: an atomic conditional UPDATE plus a ledger row.

`change_level` adds deltas to a level's `on_hand` and `reserved` with a single
`UPDATE inventory_levels SET ... WHERE id = :id AND <the result stays valid>`
and checks the row count. The database evaluates the guard against the row's
current values under its write lock, so concurrent changes can neither oversell
nor drive a number negative, on PostgreSQL (row lock, re-check after wait) and on
SQLite (one writer at a time) alike. A read-then-write check would not be safe:
SQLite ignores `SELECT ... FOR UPDATE`.

Whenever several levels change in one transaction, callers change them in
(variant id, level id) order, so two transactions never wait on each other in a
cycle (no deadlocks on PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models import (
    InventoryLevel,
    ProductVariant,
    Reservation,
    StockMovement,
    User,
    Warehouse,
    utcnow,
)
from app.services.errors import Conflict

LEVELS = InventoryLevel.__table__


class InsufficientStock(Conflict):
    """Not enough available units to reserve, move or remove."""

    code = "insufficient_stock"
    status = 409


Reference = tuple[str, str | int] | None


def level_id_for(variant_id: int, warehouse_id: int, *, create: bool = True) -> int | None:
    """The id of the (variant, warehouse) level, created empty when missing and `create`."""
    stmt = select(InventoryLevel.id).where(InventoryLevel.variant_id == variant_id,
                                           InventoryLevel.warehouse_id == warehouse_id)
    level_id = db.session.scalar(stmt)
    if level_id is not None or not create:
        return level_id
    try:
        # A savepoint: if a concurrent transaction creates the same level first, the unique
        # constraint fails only this insert and we read the winner's row.
        with db.session.begin_nested():
            db.session.execute(insert(LEVELS).values(
                variant_id=variant_id, warehouse_id=warehouse_id, on_hand=0, reserved=0,
                created_at=utcnow(), updated_at=utcnow()))
    except IntegrityError:
        pass
    return db.session.scalar(stmt)


def _expire_cached(level_id: int) -> None:
    cached = db.session.identity_map.get(identity_key(InventoryLevel, level_id))
    if cached is not None:
        db.session.expire(cached)


def conditional_update(level_id: int, on_hand_delta: int, reserved_delta: int, *,
                       expected_on_hand: int | None = None) -> bool:
    """Apply the deltas only if the level stays valid; False (nothing changed) otherwise.

    The guard names only the limits the deltas could break, e.g. a reservation of n is
    `on_hand - reserved >= n`. `expected_on_hand` adds a compare-and-swap on on_hand
    (used by "set to N" so the ledger records the exact difference).
    """
    conditions = [LEVELS.c.id == level_id]
    if on_hand_delta < 0:
        conditions.append(LEVELS.c.on_hand >= -on_hand_delta)
    if reserved_delta < 0:
        conditions.append(LEVELS.c.reserved >= -reserved_delta)
    if on_hand_delta - reserved_delta < 0:
        conditions.append(LEVELS.c.on_hand - LEVELS.c.reserved
                          >= literal(reserved_delta - on_hand_delta))
    if expected_on_hand is not None:
        conditions.append(LEVELS.c.on_hand == expected_on_hand)
    values = {"updated_at": utcnow()}
    if on_hand_delta:
        values["on_hand"] = LEVELS.c.on_hand + on_hand_delta
    if reserved_delta:
        values["reserved"] = LEVELS.c.reserved + reserved_delta
    db.session.flush()  # pending ORM rows (a new reservation) must precede the UPDATE
    result = db.session.execute(update(LEVELS).where(and_(*conditions)).values(**values))
    _expire_cached(level_id)
    return result.rowcount == 1


def record_movement(level_id: int, kind: str, on_hand_delta: int, reserved_delta: int, *,
                    actor: User | None, reference: Reference = None, reason: str = "",
                    reservation_id: int | None = None) -> StockMovement:
    """Write the ledger row for a change already applied to the level."""
    movement = StockMovement(
        level_id=level_id, kind=kind, on_hand_delta=on_hand_delta,
        reserved_delta=reserved_delta, actor_id=actor.id if actor is not None else None,
        reservation_id=reservation_id,
        reference_type=reference[0] if reference else None,
        reference_id=str(reference[1]) if reference else None,
        reason=reason,
    )
    db.session.add(movement)
    return movement


def change_level(level_id: int, kind: str, on_hand_delta: int, reserved_delta: int, *,
                 actor: User | None, reference: Reference = None, reason: str = "",
                 reservation_id: int | None = None,
                 expected_on_hand: int | None = None) -> bool:
    """Conditionally apply the deltas and, when applied, write the ledger row."""
    if not conditional_update(level_id, on_hand_delta, reserved_delta,
                              expected_on_hand=expected_on_hand):
        return False
    record_movement(level_id, kind, on_hand_delta, reserved_delta, actor=actor,
                    reference=reference, reason=reason, reservation_id=reservation_id)
    return True


def level_numbers(level_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Fresh (on_hand, reserved) per level, read from the database, not the session cache."""
    if not level_ids:
        return {}
    rows = db.session.execute(select(LEVELS.c.id, LEVELS.c.on_hand, LEVELS.c.reserved)
                              .where(LEVELS.c.id.in_(level_ids)))
    return {row.id: (row.on_hand, row.reserved) for row in rows}


# The ledger check ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LedgerMismatch:
    """A level whose numbers differ from its ledger sums or its active reservations."""

    level_id: int
    sku: str
    warehouse: str
    on_hand: int
    ledger_on_hand: int
    reserved: int
    ledger_reserved: int
    active_reserved: int

    def describe(self) -> str:
        """One line for the CLI."""
        return (f"level {self.level_id} ({self.sku} @ {self.warehouse}): on_hand "
                f"{self.on_hand} vs ledger {self.ledger_on_hand}; reserved {self.reserved} vs "
                f"ledger {self.ledger_reserved} and active reservations {self.active_reserved}")


def check_ledger(store_id: int | None = None) -> list[LedgerMismatch]:
    """Levels whose on_hand/reserved differ from the sums of their ledger rows.

    `reserved` must also equal the sum of the level's active reservations.
    """
    movements = (select(StockMovement.level_id,
                        func.sum(StockMovement.on_hand_delta).label("on_hand"),
                        func.sum(StockMovement.reserved_delta).label("reserved"))
                 .group_by(StockMovement.level_id).subquery())
    holds = (select(Reservation.level_id, func.sum(Reservation.quantity).label("quantity"))
             .where(Reservation.state == "active").group_by(Reservation.level_id).subquery())
    ledger_on_hand = func.coalesce(movements.c.on_hand, 0)
    ledger_reserved = func.coalesce(movements.c.reserved, 0)
    active_reserved = func.coalesce(holds.c.quantity, 0)
    stmt = (
        select(InventoryLevel.id, ProductVariant.sku, Warehouse.name, InventoryLevel.on_hand,
               ledger_on_hand, InventoryLevel.reserved, ledger_reserved, active_reserved)
        .join(ProductVariant, ProductVariant.id == InventoryLevel.variant_id)
        .join(Warehouse, Warehouse.id == InventoryLevel.warehouse_id)
        .outerjoin(movements, movements.c.level_id == InventoryLevel.id)
        .outerjoin(holds, holds.c.level_id == InventoryLevel.id)
        .where((InventoryLevel.on_hand != ledger_on_hand)
               | (InventoryLevel.reserved != ledger_reserved)
               | (InventoryLevel.reserved != active_reserved))
        .order_by(InventoryLevel.id)
    )
    if store_id is not None:
        stmt = stmt.where(ProductVariant.store_id == store_id)
    return [LedgerMismatch(*row) for row in db.session.execute(stmt)]
