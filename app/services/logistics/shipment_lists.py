"""A store's shipments for its staff: the filtered list, the exceptions board, the CSV export.

Every read loads a page of shipments with their order, warehouse and legs in a fixed
number of queries, however many shipments, legs or tracking events there are; none of
them loads tracking events at all (the shipment row carries its status and event times).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, User, utcnow
from app.models.logistics import (
    TRACKING_STATUSES,
    Shipment,
    ShipmentLeg,
    ShipmentLine,
)
from app.services.errors import ValidationFailed
from app.services.logistics.carriers import CARRIERS_BY_CODE, normalize_tracking_number
from app.services.pagination import Page
from app.services.permissions import require_store_staff

DEFAULT_QUIET_DAYS = 5
# Statuses after which no more events are expected: such a parcel is never "quiet".
FINAL_STATUSES = ("delivered", "returned", "expired")
CUSTOMS_HELD_SUB_STATUSES = ("held", "duties_due")
# The board's groups in the order the page shows them. A shipment sits in one group only:
# the one its status names, else "quiet" when nothing was heard for too long.
BOARD_GROUPS = ("quiet", "customs_held", "attempt_failed", "exception", "returned", "expired")
BOARD_ROWS_PER_GROUP = 50
EXPORT_COLUMNS = ("order_reference", "order_id", "shipment_id", "carrier", "tracking_number",
                  "status", "sub_status", "shipped_at", "last_event_at", "delivered_at",
                  "warehouse", "destination_country", "lines")
EXPORT_BATCH = 500
# Spreadsheets run a cell starting with one of these as a formula (as in the catalog export).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "QX-ABCDEFGHIJ-56": a checkout reference and the order's number, as documents print it.
ORDER_REFERENCE = re.compile(r"^(?P<checkout>.+)-(?P<order>\d+)$")


@dataclass(frozen=True)
class ShipmentFilters:
    """What a shipment list or export is narrowed to; empty fields do not filter."""

    status: str | None = None
    carrier: str | None = None
    text: str | None = None
    shipped_from: datetime | None = None
    shipped_to: datetime | None = None


@dataclass
class BoardGroup:
    """One group of the exceptions board: how many shipments it has, and the first of them."""

    key: str
    count: int = 0
    shipments: list[Shipment] = field(default_factory=list)


@dataclass
class ExceptionBoard:
    """The store's undelivered shipments that need a look, by group, as of `now`."""

    now: datetime
    quiet_days: int
    groups: list[BoardGroup]

    @property
    def total(self) -> int:
        """How many shipments the board holds in all."""
        return sum(g.count for g in self.groups)


def order_reference(order: Order) -> str:
    """The reference staff and documents use for one order: checkout reference and number."""
    return f"{order.checkout_reference}-{order.id}"


def _eager(stmt):
    # Three extra queries for any number of rows: the list never loads a relation row by row.
    return stmt.options(selectinload(Shipment.order), selectinload(Shipment.warehouse),
                        selectinload(Shipment.legs))


def _text_condition(store_id: int, text: str) -> ColumnElement[bool] | None:
    raw = text.strip().upper()
    if not raw:
        return None
    orders = select(Order.id).where(Order.store_id == store_id)
    matches = [Shipment.order_id.in_(
        orders.where(Order.checkout_reference.startswith(raw, autoescape=True)))]
    if raw.lstrip("#").isdigit():
        matches.append(Shipment.order_id == int(raw.lstrip("#")))
    split = ORDER_REFERENCE.match(raw)
    if split:
        matches.append(and_(Shipment.order_id == int(split["order"]), Shipment.order_id.in_(
            orders.where(Order.checkout_reference == split["checkout"]))))
    number = normalize_tracking_number(raw)
    if number:
        matches.append(Shipment.tracking_number.startswith(number, autoescape=True))
        matches.append(Shipment.id.in_(select(ShipmentLeg.shipment_id).where(
            ShipmentLeg.tracking_number.startswith(number, autoescape=True))))
    return or_(*matches)


def _filtered(store_id: int, filters: ShipmentFilters):
    stmt = select(Shipment).where(Shipment.store_id == store_id,
                                  Shipment.direction == "outbound")
    if filters.status:
        if filters.status not in TRACKING_STATUSES:
            raise ValidationFailed(_("Unknown shipment status."), code="invalid_status", fields={
                "status": [_("Use one of %(v)s.", v=", ".join(TRACKING_STATUSES))]})
        stmt = stmt.where(Shipment.status == filters.status)
    if filters.carrier:
        if filters.carrier not in CARRIERS_BY_CODE:
            message = _("No carrier has the code '%(code)s'.", code=filters.carrier[:32])
            raise ValidationFailed(message, code="unknown_carrier",
                                   fields={"carrier": [message]})
        stmt = stmt.where(Shipment.carrier == filters.carrier)
    if filters.shipped_from:
        stmt = stmt.where(Shipment.shipped_at >= filters.shipped_from)
    if filters.shipped_to:
        stmt = stmt.where(Shipment.shipped_at < filters.shipped_to)
    condition = _text_condition(store_id, filters.text or "")
    if condition is not None:
        stmt = stmt.where(condition)
    return stmt


def list_store_shipments(actor: User, store_id: int, *, status: str | None = None,
                         carrier: str | None = None, text: str | None = None,
                         shipped_from: datetime | None = None,
                         shipped_to: datetime | None = None,
                         after: Sequence[Any] | None = None, limit: int = 25
                         ) -> Page[Shipment]:
    """A store's shipments, newest first, by status, carrier, number or order and ship date."""
    store = require_store_staff(actor, store_id)
    filters = ShipmentFilters(status=status, carrier=carrier, text=text,
                              shipped_from=shipped_from, shipped_to=shipped_to)
    # Ids grow with creation, so they order newest first and make a stable keyset.
    stmt = _filtered(store.id, filters).order_by(Shipment.id.desc()).limit(limit + 1)
    if after:
        stmt = stmt.where(Shipment.id < int(after[0]))
    rows = list(db.session.scalars(_eager(stmt)))
    return Page(items=rows[:limit],
                next_after=[rows[limit - 1].id] if len(rows) > limit else None)


def _board_group(quiet_before: datetime) -> ColumnElement[str | None]:
    heard_at = func.coalesce(Shipment.last_event_at, Shipment.shipped_at)
    return case(
        (and_(Shipment.status == "customs",
              Shipment.sub_status.in_(CUSTOMS_HELD_SUB_STATUSES)), "customs_held"),
        (Shipment.status.in_(("attempt_failed", "exception", "returned", "expired")),
         Shipment.status),
        (and_(Shipment.status.notin_(FINAL_STATUSES), heard_at < quiet_before), "quiet"),
        else_=None)


def exception_board(actor: User, store_id: int, *, now: datetime | None = None,
                    quiet_days: int | None = None,
                    rows_per_group: int = BOARD_ROWS_PER_GROUP) -> ExceptionBoard:
    """The store's undelivered shipments needing attention: quiet, held, failed, returned."""
    store = require_store_staff(actor, store_id)
    now = now or utcnow()
    if quiet_days is None:
        quiet_days = int(current_app.config.get("TRACKING_QUIET_DAYS", DEFAULT_QUIET_DAYS))
    group = _board_group(now - timedelta(days=quiet_days)).label("board_group")
    heard_at = func.coalesce(Shipment.last_event_at, Shipment.shipped_at)
    # The longest-waiting shipments of each group first, cut per group in the database so
    # the board costs the same queries for 3 shipments or 3,000.
    ranked = (select(Shipment.id.label("shipment_id"), group,
                     func.row_number().over(partition_by=group,
                                            order_by=(heard_at, Shipment.id)).label("rank"))
              .where(Shipment.store_id == store.id, Shipment.direction == "outbound",
                     Shipment.status != "delivered",
                     Shipment.delivered_at.is_(None))
              .subquery())
    counts = dict(db.session.execute(
        select(ranked.c.board_group, func.count()).where(ranked.c.board_group.is_not(None))
        .group_by(ranked.c.board_group)).all())
    rows = db.session.execute(_eager(
        select(Shipment, ranked.c.board_group)
        .join(ranked, ranked.c.shipment_id == Shipment.id)
        .where(ranked.c.board_group.is_not(None), ranked.c.rank <= rows_per_group)
        .order_by(ranked.c.board_group, ranked.c.rank))).all()
    groups = {key: BoardGroup(key, count=counts.get(key, 0)) for key in BOARD_GROUPS}
    for shipment, key in rows:
        groups[key].shipments.append(shipment)
    return ExceptionBoard(now=now, quiet_days=quiet_days, groups=list(groups.values()))


def _formula_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _when(moment: datetime | None) -> str:
    # ISO 8601 in UTC: spreadsheets sort it, and no reader has to guess the zone.
    return "" if moment is None else moment.isoformat(timespec="seconds")


def _export_row(shipment: Shipment) -> list[str]:
    order = shipment.order
    lines = "; ".join(f"{line.order_line.sku}×{line.quantity}" for line in shipment.lines)
    cells = [order_reference(order), str(order.id), str(shipment.id), shipment.carrier,
             shipment.tracking_number, shipment.status, shipment.sub_status,
             _when(shipment.shipped_at), _when(shipment.last_event_at),
             _when(shipment.delivered_at), shipment.warehouse.name,
             ((order.shipping_address or {}).get("country") or "").upper(), lines]
    return [_formula_safe(cell) for cell in cells]


def _export_rows(store_id: int, filters: ShipmentFilters) -> Iterator[list[str]]:
    yield list(EXPORT_COLUMNS)
    before: int | None = None
    while True:
        stmt = _filtered(store_id, filters).order_by(Shipment.id.desc()).limit(EXPORT_BATCH)
        if before is not None:
            stmt = stmt.where(Shipment.id < before)
        batch = list(db.session.scalars(_eager(stmt).options(
            selectinload(Shipment.lines).selectinload(ShipmentLine.order_line))))
        yield from (_export_row(shipment) for shipment in batch)
        if len(batch) < EXPORT_BATCH:
            return
        before = batch[-1].id


def export_shipments_csv(actor: User, store_id: int, filters: ShipmentFilters | None = None
                         ) -> bytes:
    """The store's shipments matching the filters as a UTF-8 CSV with a BOM, newest first."""
    store = require_store_staff(actor, store_id)
    rows = _export_rows(store.id, filters or ShipmentFilters())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    # Excel reads UTF-8 only with the BOM; without it Chinese warehouse names turn to noise.
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
