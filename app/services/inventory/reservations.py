"""Reservations: units held for a checkout quote or a campaign booking until they expire.

`reserve_stock` is what checkout calls. It never reads-then-writes: each attempt is
the conditional UPDATE of app.services.inventory.ledger, so 50 concurrent buyers of
the last 5 units get exactly 5 reservations. Warehouses are tried in a fixed order:
those in the ship-to country first, then by level id. A quantity no single
warehouse holds is split across warehouses (unless `allow_split=False`), all or
nothing inside a savepoint.

A reservation ends by being committed (the units ship: on_hand and reserved both
drop), released (the owner gave up) or expired (its time ran out: the periodic job
`expire_reservations`, and the next reservation of its variant). Each transition is
itself a conditional UPDATE on the reservation's state, so a release racing a commit
or the expiry job takes effect exactly once. Reads never write: `availability` and
`variant_available_sql` count a hold past its expiry as free, in SQL, so a page that
shows stock takes no row lock and needs no commit.

Permissions: these functions are called by other services (checkout, shipping,
campaigns), which authorise their own actors; the actor is recorded in the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import InventoryLevel, ProductVariant, Reservation, User, Warehouse, utcnow
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.inventory.ledger import (
    InsufficientStock,
    Reference,
    change_level,
    conditional_update,
    level_numbers,
    record_movement,
)

DEFAULT_TTL = timedelta(minutes=15)
MAX_TTL = timedelta(days=30)
SPLIT_ATTEMPTS = 3
RESERVATIONS = Reservation.__table__


class _PlanFailed(Exception):
    """A split plan lost a race; its savepoint is rolled back and the plan retried."""


def check_quantity(quantity: int) -> None:
    """422 invalid_quantity unless `quantity` is a whole number above zero."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationFailed(_("The quantity must be a whole number above zero."),
                               code="invalid_quantity",
                               fields={"quantity": [_("Use a whole number above zero.")]})


def _sellable_variant(variant_id: int) -> ProductVariant:
    variant = db.session.get(ProductVariant, variant_id,
                             options=[joinedload(ProductVariant.product)])
    if variant is None:
        raise NotFound(_("No such product variant."))
    if not variant.is_active or variant.product.status != "active":
        raise Conflict(_("%(sku)s is not for sale.", sku=variant.sku),
                       code="variant_unavailable")
    return variant


def _candidate_levels(variant_id: int, ship_to: str | None,
                      warehouse_id: int | None) -> list[int]:
    """Level ids to try, in the fixed order: ship-to country first, then by id."""
    stmt = (select(InventoryLevel.id)
            .join(Warehouse, Warehouse.id == InventoryLevel.warehouse_id)
            .where(InventoryLevel.variant_id == variant_id, Warehouse.is_active.is_(True)))
    if warehouse_id is not None:
        stmt = stmt.where(Warehouse.id == warehouse_id)
    if ship_to:
        stmt = stmt.order_by(case((Warehouse.country == ship_to.upper(), 0), else_=1))
    return list(db.session.scalars(stmt.order_by(InventoryLevel.id)))


def _hold(level_id: int, quantity: int, *, owner: tuple[str, str], expires_at: datetime,
          actor: User | None) -> Reservation | None:
    """Reserve on one level (the conditional UPDATE), then write the reservation and ledger."""
    if not conditional_update(level_id, 0, quantity):
        return None
    reservation = Reservation(level_id=level_id, quantity=quantity, owner_type=owner[0],
                              owner_id=owner[1], expires_at=expires_at, state="active")
    db.session.add(reservation)
    db.session.flush()
    record_movement(level_id, "reserve", 0, quantity, actor=actor, reference=owner,
                    reservation_id=reservation.id)
    return reservation


def reserve_stock(actor: User | None, variant_id: int, quantity: int, *, owner_type: str,
                  owner_id: str | int, ttl: timedelta = DEFAULT_TTL,
                  ship_to: str | None = None, warehouse_id: int | None = None,
                  allow_split: bool = True, now: datetime | None = None
                  ) -> list[Reservation]:
    """Hold `quantity` units of a variant for an owner until `now + ttl`.

    Returns one reservation per warehouse used (one unless the quantity was split);
    raises InsufficientStock (409 `insufficient_stock`) when the units are not there.
    """
    check_quantity(quantity)
    if not owner_type or len(owner_type) > 40 or not str(owner_id) or len(str(owner_id)) > 64:
        raise ValueError("a reservation needs an owner type and id")
    if not timedelta(0) < ttl <= MAX_TTL:
        raise ValueError("the reservation time must be positive and at most 30 days")
    now = now or utcnow()
    variant = _sellable_variant(variant_id)
    expire_reservations(now, variant_ids=[variant.id])
    owner = (owner_type, str(owner_id))
    expires_at = now + ttl
    candidates = _candidate_levels(variant.id, ship_to, warehouse_id)

    # Whole quantity from one warehouse, in order. A failed attempt holds no lock.
    for level_id in candidates:
        reservation = _hold(level_id, quantity, owner=owner, expires_at=expires_at,
                            actor=actor)
        if reservation is not None:
            return [reservation]

    if allow_split and len(candidates) > 1:
        for _attempt in range(SPLIT_ATTEMPTS):
            numbers = level_numbers(candidates)
            plan: list[tuple[int, int]] = []
            remaining = quantity
            for level_id in candidates:
                free = max(numbers[level_id][0] - numbers[level_id][1], 0)
                take = min(free, remaining)
                if take:
                    plan.append((level_id, take))
                    remaining -= take
            if remaining:
                break
            try:
                with db.session.begin_nested():
                    held = []
                    for level_id, take in sorted(plan):  # id order: no lock cycles
                        reservation = _hold(level_id, take, owner=owner,
                                            expires_at=expires_at, actor=actor)
                        if reservation is None:
                            raise _PlanFailed
                        held.append(reservation)
                return held
            except _PlanFailed:
                continue

    left = sum(on_hand - reserved for on_hand, reserved in level_numbers(candidates).values())
    raise InsufficientStock(
        _("Only %(left)d of %(sku)s available; %(wanted)d requested.", left=max(left, 0),
          sku=variant.sku, wanted=quantity),
        fields={"quantity": [_("Only %(left)d available.", left=max(left, 0))]},
    )


def reserve_lines(actor: User | None, lines: Sequence[tuple[int, int]], *, owner_type: str,
                  owner_id: str | int, ttl: timedelta = DEFAULT_TTL,
                  ship_to: str | None = None, now: datetime | None = None
                  ) -> list[Reservation]:
    """Reserve several (variant_id, quantity) lines for one owner: all of them or none.

    Lines are reserved in variant id order, the lock order every stock change follows.
    """
    merged: dict[int, int] = {}
    for variant_id, quantity in lines:
        check_quantity(quantity)
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    with db.session.begin_nested():
        held: list[Reservation] = []
        for variant_id in sorted(merged):
            held += reserve_stock(actor, variant_id, merged[variant_id], owner_type=owner_type,
                                  owner_id=owner_id, ttl=ttl, ship_to=ship_to, now=now)
    return held


def _close(reservation: Reservation, state: str, now: datetime) -> bool:
    """Move an active reservation to `state`; False if something else closed it first."""
    reservation_id = reservation.id
    db.session.flush()
    result = db.session.execute(
        update(RESERVATIONS)
        .where(RESERVATIONS.c.id == reservation_id, RESERVATIONS.c.state == "active")
        .values(state=state, closed_at=now, updated_at=now))
    db.session.expire(reservation)
    return result.rowcount == 1


def _end(reservation: Reservation, state: str, *, actor: User | None, now: datetime,
         reference: Reference = None, reason: str = "") -> bool:
    rid, quantity, level_id = reservation.id, reservation.quantity, reservation.level_id
    owner = (reservation.owner_type, reservation.owner_id)
    if not _close(reservation, state, now):
        return False
    if state == "committed":
        kind, on_hand_delta = "commit", -quantity
    else:
        kind, on_hand_delta = "release", 0
    if not change_level(level_id, kind, on_hand_delta, -quantity, actor=actor,
                        reference=reference or owner, reason=reason or state,
                        reservation_id=rid):
        # reserved always covers active reservations; failing here means a corrupt level.
        raise RuntimeError(f"level {level_id} holds less than reservation {rid}")
    return True


def get_reservation(reservation_id: int) -> Reservation:
    """A reservation by id, or NotFound."""
    reservation = db.session.get(Reservation, reservation_id)
    if reservation is None:
        raise NotFound(_("No such reservation."))
    return reservation


def release_reservation(actor: User | None, reservation_id: int, *, reason: str = "released",
                        now: datetime | None = None) -> bool:
    """Give the units back; False when the reservation had already ended."""
    reservation = get_reservation(reservation_id)
    return _end(reservation, "released", actor=actor, now=now or utcnow(), reason=reason)


def commit_reservation(actor: User | None, reservation_id: int, *,
                       reference: Reference = None, now: datetime | None = None
                       ) -> Reservation:
    """The units ship: on_hand and reserved drop by the quantity (409 if it had ended)."""
    reservation = get_reservation(reservation_id)
    if not _end(reservation, "committed", actor=actor, now=now or utcnow(),
                reference=reference, reason="shipped"):
        raise Conflict(_("The reservation has already been released or has expired."),
                       code="reservation_ended")
    return reservation


def owner_reservations(owner_type: str, owner_id: str | int,
                       states: Sequence[str] = ("active",)) -> list[Reservation]:
    """An owner's reservations (active ones by default), in (variant, level) order."""
    return list(db.session.scalars(
        select(Reservation).join(InventoryLevel, InventoryLevel.id == Reservation.level_id)
        .where(Reservation.owner_type == owner_type, Reservation.owner_id == str(owner_id),
               Reservation.state.in_(states))
        .options(joinedload(Reservation.level))
        .order_by(InventoryLevel.variant_id, InventoryLevel.id, Reservation.id)))


def release_owner_reservations(actor: User | None, owner_type: str, owner_id: str | int, *,
                               reason: str = "released", now: datetime | None = None) -> int:
    """Release every active reservation of an owner (a quote abandoned); returns how many."""
    now = now or utcnow()
    return sum(_end(r, "released", actor=actor, now=now, reason=reason)
               for r in owner_reservations(owner_type, owner_id))


def commit_owner_reservations(actor: User | None, owner_type: str, owner_id: str | int, *,
                              reference: Reference = None, now: datetime | None = None
                              ) -> list[Reservation]:
    """Commit every active reservation of an owner (an order ships)."""
    now = now or utcnow()
    committed = []
    for reservation in owner_reservations(owner_type, owner_id):
        if _end(reservation, "committed", actor=actor, now=now, reference=reference,
                reason="shipped"):
            committed.append(reservation)
    return committed


def extend_owner_reservations(owner_type: str, owner_id: str | int,
                              expires_at: datetime) -> int:
    """Move the expiry of an owner's active reservations (e.g. once payment starts)."""
    result = db.session.execute(
        update(RESERVATIONS)
        .where(RESERVATIONS.c.owner_type == owner_type,
               RESERVATIONS.c.owner_id == str(owner_id), RESERVATIONS.c.state == "active")
        .values(expires_at=expires_at, updated_at=utcnow()))
    return result.rowcount


def expire_reservations(now: datetime | None = None, *,
                        variant_ids: Sequence[int] | None = None,
                        limit: int | None = None) -> int:
    """Release active reservations past their expiry (all, or those of some variants)."""
    now = now or utcnow()
    stmt = (select(Reservation)
            .join(InventoryLevel, InventoryLevel.id == Reservation.level_id)
            .where(Reservation.state == "active", Reservation.expires_at <= now)
            .order_by(InventoryLevel.variant_id, InventoryLevel.id, Reservation.id))
    if variant_ids is not None:
        if not variant_ids:
            return 0
        stmt = stmt.where(InventoryLevel.variant_id.in_(variant_ids))
    if limit is not None:
        stmt = stmt.limit(limit)
    return sum(_end(r, "expired", actor=None, now=now, reason="expired")
               for r in db.session.scalars(stmt).all())


def _expired_holds(now: datetime):
    """Units of active reservations past `now`, per level: free to a reader already."""
    return (select(Reservation.level_id, func.sum(Reservation.quantity).label("quantity"))
            .where(Reservation.state == "active", Reservation.expires_at <= now)
            .group_by(Reservation.level_id).subquery())


def availability(variant_ids: Sequence[int], *, now: datetime | None = None,
                 warehouse_id: int | None = None) -> dict[int, int]:
    """Available units (on_hand - reserved over active warehouses) per variant.

    A hold past its expiry counts as free although its row is still active: the expiry
    job or the next reservation releases it, so reading stock writes nothing.
    """
    ids = list(dict.fromkeys(variant_ids))
    if not ids:
        return {}
    expired = _expired_holds(now or utcnow())
    free = (InventoryLevel.on_hand - InventoryLevel.reserved
            + func.coalesce(expired.c.quantity, 0))
    stmt = (select(InventoryLevel.variant_id, func.sum(free))
            .join(Warehouse, Warehouse.id == InventoryLevel.warehouse_id)
            .outerjoin(expired, expired.c.level_id == InventoryLevel.id)
            .where(InventoryLevel.variant_id.in_(ids), Warehouse.is_active.is_(True))
            .group_by(InventoryLevel.variant_id))
    if warehouse_id is not None:
        stmt = stmt.where(InventoryLevel.warehouse_id == warehouse_id)
    totals = {variant_id: int(total or 0) for variant_id, total in db.session.execute(stmt)}
    return {variant_id: totals.get(variant_id, 0) for variant_id in ids}


def available(variant_id: int, *, now: datetime | None = None) -> int:
    """Available units of one variant across its store's active warehouses."""
    return availability([variant_id], now=now)[variant_id]


def variant_available_sql(now: datetime | None = None):
    """Correlated SQL for a variant's available units over all its warehouses.

    on_hand - reserved, plus the units of holds past their expiry (free to readers).
    """
    levels = (select(func.coalesce(func.sum(InventoryLevel.on_hand - InventoryLevel.reserved),
                                   0))
              .where(InventoryLevel.variant_id == ProductVariant.id)
              .correlate(ProductVariant).scalar_subquery())
    expired = (select(func.coalesce(func.sum(Reservation.quantity), 0))
               .join(InventoryLevel, InventoryLevel.id == Reservation.level_id)
               .where(InventoryLevel.variant_id == ProductVariant.id,
                      Reservation.state == "active", Reservation.expires_at <= (now or utcnow()))
               .correlate(ProductVariant).scalar_subquery())
    return levels + expired
