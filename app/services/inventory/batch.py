"""Stock changed for many levels in a few statements: a quote's holds and an import's counts.

The per-item functions of app.services.inventory.reservations and .stock take a few
queries per item; a checkout of many lines or a CSV of thousands of rows would then
take as many round trips. These batch forms keep the same guarantees (the same
conditional UPDATEs, the same ledger rows, the lock order by (variant id, level id))
in a fixed number of statements, and fall back to the per-item path when the batch
plan cannot apply as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import InventoryLevel, Reservation, StockMovement, User, Warehouse, utcnow
from app.services.inventory.ledger import LEVELS, Reference
from app.services.inventory.reservations import (
    DEFAULT_TTL,
    check_quantity,
    expire_reservations,
    reserve_lines,
)

IN_LIST_SIZE = 500  # values per IN (...) list


def reserve_lines_at_once(actor: User | None, lines: Sequence[tuple[int, int]], *,
                          owner_type: str, owner_id: str | int,
                          ttl: timedelta = DEFAULT_TTL, ship_to: str | None = None,
                          now: datetime | None = None) -> None:
    """Reserve (variant_id, quantity) lines for one owner, all or none, in a few statements.

    One guarded UPDATE holds every line when each variant fits in one warehouse (those
    in `ship_to` first, then by level id, as reserve_stock orders them); then bulk
    INSERTs write the reservations and ledger rows. When that plan cannot work (a line
    needs several warehouses, or another checkout took units meanwhile) the per-line
    reserve_lines decides, exactly; InsufficientStock when the units are not there.
    """
    now = now or utcnow()
    wanted: dict[int, int] = {}
    for variant_id, quantity in lines:
        check_quantity(quantity)
        wanted[variant_id] = wanted.get(variant_id, 0) + quantity
    # The next writer releases expired holds of its variants first (reads count them free).
    expire_reservations(now, variant_ids=sorted(wanted))
    owner = (owner_type, str(owner_id))
    plan = _take_stock(wanted, ship_to, now)
    if plan is None:
        reserve_lines(actor, list(wanted.items()), owner_type=owner_type, owner_id=owner_id,
                      ttl=ttl, ship_to=ship_to, now=now)
        return
    _record_holds(actor, plan, owner, now + ttl, now)


def _take_stock(wanted: dict[int, int], ship_to: str | None, now: datetime
                ) -> dict[int, int] | None:
    """Hold every line with one guarded UPDATE: level id -> units, or None (nothing held).

    None when a variant needs several warehouses, or when another checkout took units
    between the read and the UPDATE; the rows this UPDATE did change are then given back
    at once (their locks are held), so no savepoint is needed.
    """
    rows = db.session.execute(
        select(InventoryLevel.id, InventoryLevel.variant_id,
               InventoryLevel.on_hand - InventoryLevel.reserved, Warehouse.country)
        .join(Warehouse, Warehouse.id == InventoryLevel.warehouse_id)
        .where(InventoryLevel.variant_id.in_(wanted), Warehouse.is_active.is_(True))
        .order_by(InventoryLevel.id)).all()
    plan: dict[int, int] = {}
    for variant_id, quantity in wanted.items():
        levels = sorted((r for r in rows if r.variant_id == variant_id),
                        key=lambda r: (r.country != ship_to, r.id))
        level = next((r for r in levels if r[2] >= quantity), None)
        if level is None:
            return None
        plan[level.id] = quantity
    ids = sorted(plan)
    # Row locks in id order, as every stock change takes them (no-op on SQLite's one writer).
    db.session.execute(select(LEVELS.c.id).where(LEVELS.c.id.in_(ids))
                       .order_by(LEVELS.c.id).with_for_update())
    units = case(plan, value=LEVELS.c.id)
    changed = db.session.scalars(
        update(LEVELS).where(LEVELS.c.id.in_(ids), LEVELS.c.on_hand - LEVELS.c.reserved >= units)
        .values(reserved=LEVELS.c.reserved + units, updated_at=now)
        .returning(LEVELS.c.id)).all()
    for level in list(db.session.identity_map.values()):
        if isinstance(level, InventoryLevel) and level.id in plan:
            db.session.expire(level)
    if len(changed) == len(ids):
        return plan
    if changed:
        db.session.execute(update(LEVELS).where(LEVELS.c.id.in_(changed))
                           .values(reserved=LEVELS.c.reserved - units, updated_at=now))
    return None


def _record_holds(actor: User | None, plan: dict[int, int], owner: tuple[str, str],
                  expires_at: datetime, now: datetime) -> None:
    """The reservations and ledger rows of units `_take_stock` held, for `owner`."""
    ids = sorted(plan)
    # Bulk INSERTs: one statement each on both databases (ORM flushes insert row by row
    # on SQLite). Each level appears once in the plan, so level_id maps the returned ids.
    held = dict(db.session.execute(
        insert(Reservation).returning(Reservation.level_id, Reservation.id),
        [{"level_id": level_id, "quantity": plan[level_id], "owner_type": owner[0],
          "owner_id": owner[1], "expires_at": expires_at, "state": "active",
          "created_at": now, "updated_at": now} for level_id in ids]).all())
    # The same ledger rows app.services.inventory.ledger.record_movement writes.
    db.session.execute(insert(StockMovement), [
        {"level_id": level_id, "kind": "reserve", "on_hand_delta": 0,
         "reserved_delta": plan[level_id], "actor_id": actor.id if actor else None,
         "reservation_id": held[level_id], "reference_type": owner[0],
         "reference_id": owner[1], "reason": "", "created_at": now} for level_id in ids])


def set_stock_levels(actor: User, targets: list[tuple[int, int, int, int]], *,
                     reference: Reference, reason: str) -> bool:
    """Set many on-hand counts at once, each a compare-and-swap with its ledger row.

    `targets` are (variant id, warehouse id, on_hand as read, new on_hand). The batched
    form of ledger.change_level with `expected_on_hand`: one executemany UPDATE guarded
    per level (`on_hand` unchanged since read, `reserved` not above the target), then one
    insert of the ledger rows. Returns False, having changed nothing, when any level
    moved meanwhile; the caller then goes item by item (bulk_set_inventory).
    """
    if not targets:
        return True
    now = utcnow()
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(LEVELS).on_conflict_do_nothing(),
        [{"variant_id": v, "warehouse_id": w, "on_hand": 0, "reserved": 0, "created_at": now,
          "updated_at": now} for v, w, _read, _target in targets])
    variant_ids = sorted({v for v, _w, _r, _t in targets})
    level_ids: dict[tuple[int, int], int] = {}
    for start in range(0, len(variant_ids), IN_LIST_SIZE):
        level_ids.update({(v, w): i for i, v, w in db.session.execute(
            select(LEVELS.c.id, LEVELS.c.variant_id, LEVELS.c.warehouse_id)
            .where(LEVELS.c.variant_id.in_(variant_ids[start:start + IN_LIST_SIZE])))})
    # The ledger's lock order: (variant id, level id).
    ordered = sorted(targets, key=lambda t: (t[0], level_ids[(t[0], t[1])]))
    params = [{"b_id": level_ids[(v, w)], "b_read": read, "b_target": target, "b_now": now}
              for v, w, read, target in ordered]
    savepoint = db.session.begin_nested()
    result = db.session.execute(
        update(LEVELS).where(LEVELS.c.id == bindparam("b_id"),
                             LEVELS.c.on_hand == bindparam("b_read"),
                             LEVELS.c.reserved <= bindparam("b_target"))
        .values(on_hand=bindparam("b_target"), updated_at=bindparam("b_now")), params)
    if result.rowcount != len(params):
        savepoint.rollback()
        return False
    db.session.execute(insert(StockMovement), [
        {"level_id": p["b_id"], "kind": "adjust", "on_hand_delta": p["b_target"] - p["b_read"],
         "reserved_delta": 0, "actor_id": actor.id, "reference_type": reference[0]
         if reference else None, "reference_id": str(reference[1]) if reference else None,
         "reason": reason, "created_at": now} for p in params])
    savepoint.commit()
    return True
