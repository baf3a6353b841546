"""Carrier tracking events: parse, match to shipments, store once, move shipment status.

Each event of a batch gets its own outcome (`stored`, `duplicate`,
`unknown_tracking_number`, `invalid` with a code and message). Good events of a batch are
stored even when others are bad: a carrier redelivers the whole batch on an error, and a
bad event stays bad on every retry, so refusing the batch would only lose the good ones.

A shipment's status follows event time, not arrival: an event replaces the status only
when it is at least as new as `status_at`; the shipments of a batch are locked, read and
updated together, once per batch, so two deliveries racing on one shipment cannot put an
older status back. The same report delivered twice (or by push and pull) has the same
fingerprint and is stored once: the insert skips what the unique (shipment_id,
fingerprint) constraint already holds, including what a racing delivery is inserting.

A batch costs a fixed number of statements whatever its size: one match of its numbers,
one insert of its events, one locked read and one UPDATE of its shipments, then the
notices (see notices.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, cast, func, null, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.util import identity_key

from app.extensions import db
from app.models import utcnow
from app.models.logistics import EVENT_SOURCES, Shipment, ShipmentLeg, TrackingEvent
from app.services.logistics.carriers import CARRIERS_BY_CODE, normalize_tracking_number
from app.services.logistics.notices import after_status_change
from app.services.logistics.tracking_formats import carrier_code_for, normalize_status
from app.services.mail import EmailLinks

# How far ahead of our clock an event may be dated (carrier clocks and zones are sloppy).
CLOCK_SKEW = timedelta(minutes=10)
MAX_ESTIMATE_AHEAD = timedelta(days=120)
MAX_OFFSET_MINUTES = 840
FIELD_LIMITS = {"location": 200, "carrier_code": 64, "description": 2000}
OUTCOMES = ("stored", "duplicate", "unknown_tracking_number", "invalid")


@dataclass
class EventOutcome:
    """What became of one event of a batch."""

    index: int
    outcome: str
    code: str = ""
    message: str = ""
    shipment_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The outcome as the webhook reports it."""
        body: dict[str, Any] = {"index": self.index, "outcome": self.outcome,
                                "shipment_id": self.shipment_id}
        if self.code:
            body.update(code=self.code, message=self.message)
        return body


@dataclass
class IngestReport:
    """Outcomes of a batch in input order, and the shipments whose status changed."""

    outcomes: list[EventOutcome]
    changed_shipment_ids: list[int] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many events had this outcome."""
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    def counts(self) -> dict[str, int]:
        """Events per outcome."""
        return {name: self.count(name) for name in OUTCOMES}


@dataclass
class _Parsed:
    index: int
    carrier: str
    number: str
    occurred_at: datetime  # UTC
    offset_minutes: int
    status: str
    sub_status: str
    location: str
    carrier_code: str
    description: str
    estimated_delivery: datetime | None = None  # the carrier's promise, UTC
    shipment_id: int = 0
    leg_id: int | None = None
    fingerprint: str = ""


class _Invalid(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def parse_occurred_at(value: Any, *, now: datetime | None = None) -> tuple[datetime, int]:
    """(UTC time, offset in minutes) of an ISO 8601 time with an offset; ValueError if not."""
    if not isinstance(value, str) or not value.strip():
        raise _Invalid("invalid_occurred_at", _("occurred_at must be an ISO 8601 time string."))
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Invalid("invalid_occurred_at",
                       _("occurred_at '%(value)s' is not an ISO 8601 time.",
                         value=value[:40])) from None
    offset = moment.utcoffset()
    if offset is None:
        raise _Invalid("naive_occurred_at", _("occurred_at '%(value)s' has no UTC offset; "
                                              "send the scan's local time with its offset, "
                                              "e.g. +08:00.", value=value[:40]))
    minutes, seconds = divmod(int(offset.total_seconds()), 60)
    if seconds or abs(minutes) > MAX_OFFSET_MINUTES:
        raise _Invalid("invalid_occurred_at", _("occurred_at '%(value)s' has an impossible "
                                                "UTC offset.", value=value[:40]))
    utc = moment.astimezone(UTC)
    if utc > (now or utcnow()) + CLOCK_SKEW:
        raise _Invalid("future_occurred_at",
                       _("occurred_at '%(value)s' is in the future; events are refused more "
                         "than %(n)d minutes ahead.", value=value[:40],
                         n=int(CLOCK_SKEW.total_seconds() // 60)))
    return utc, minutes


def _estimate(value: Any, occurred_at: datetime) -> datetime | None:
    """The carrier's delivery estimate: a date (end of that day, UTC) or a time with offset."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or (moment.tzinfo is None and len(value.strip()) > 10):
        raise _Invalid("invalid_estimated_delivery",
                       _("estimated_delivery must be an ISO 8601 date, or a time with its "
                         "UTC offset."))
    if moment.tzinfo is None:  # a bare date: the carrier means by the end of that day
        moment = datetime.combine(moment.date(), time(23, 59), tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not occurred_at - timedelta(days=1) <= moment <= occurred_at + MAX_ESTIMATE_AHEAD:
        raise _Invalid("invalid_estimated_delivery",
                       _("estimated_delivery is before the scan or more than %(n)d days "
                         "after it.", n=MAX_ESTIMATE_AHEAD.days))
    return moment


def _text(event: Mapping[str, Any], name: str) -> str:
    value = event.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Invalid("invalid_field", _("%(name)s must be a string.", name=name))
    # Carriers' texts are kept but capped so a runaway description cannot bloat the table.
    return value.strip()[:FIELD_LIMITS.get(name, 40)]


def _parse(index: int, event: Any, now: datetime) -> _Parsed:
    if not isinstance(event, Mapping):
        raise _Invalid("invalid_event", _("Each event must be a JSON object."))
    carrier_raw = event.get("carrier")
    if not isinstance(carrier_raw, str) or not carrier_raw.strip():
        raise _Invalid("invalid_carrier", _("carrier is required."))
    carrier = carrier_code_for(carrier_raw)
    if carrier not in CARRIERS_BY_CODE:
        raise _Invalid("unknown_carrier", _("Unknown carrier '%(carrier)s'.",
                                            carrier=carrier_raw[:40]))
    number_raw = event.get("tracking_number")
    number = normalize_tracking_number(number_raw) if isinstance(number_raw, str) else ""
    if not number or len(number) > 40:
        raise _Invalid("invalid_tracking_number", _("tracking_number is required (at most 40 "
                                                    "characters)."))
    occurred_at, offset = parse_occurred_at(event.get("occurred_at"), now=now)
    status_raw, sub_raw = event.get("status"), event.get("sub_status") or ""
    if not isinstance(status_raw, str) or not isinstance(sub_raw, str):
        raise _Invalid("invalid_status", _("status and sub_status must be strings."))
    normalized = normalize_status(status_raw, sub_raw[:40])
    if normalized is None:
        raise _Invalid("invalid_status", _("Unknown tracking status '%(status)s'.",
                                           status=status_raw[:40] + (" / " + sub_raw[:40]
                                                                     if sub_raw else "")))
    return _Parsed(index, carrier, number, occurred_at, offset, normalized[0],
                   normalized[1][:40], _text(event, "location"), _text(event, "carrier_code"),
                   _text(event, "description"),
                   _estimate(event.get("estimated_delivery"), occurred_at))


def event_fingerprint(shipment_id: int, event: _Parsed) -> str:
    """sha256 over what makes a report the same report, whoever delivered it."""
    parts = [str(shipment_id), event.occurred_at.astimezone(UTC).isoformat(), event.status,
             event.sub_status, event.carrier_code, event.location, event.description]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _match(parsed: list[_Parsed]) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(carrier, number) -> (shipment id, leg id) for the whole batch in one query."""
    numbers = {p.number for p in parsed}
    if not numbers:
        return {}
    legs = (select(ShipmentLeg.carrier, ShipmentLeg.tracking_number, ShipmentLeg.shipment_id,
                   ShipmentLeg.id.label("leg_id"))
            .where(ShipmentLeg.tracking_number.in_(numbers)))
    own = (select(Shipment.carrier, Shipment.tracking_number, Shipment.id,
                  null().label("leg_id"))
           .where(Shipment.tracking_number.in_(numbers)))
    rows = db.session.execute(union_all(legs, own)).all()
    # Shipments' own numbers last: they win over a leg that happens to reuse the number.
    rows.sort(key=lambda row: row.leg_id is None)
    return {(carrier, number): (shipment_id, leg_id)
            for carrier, number, shipment_id, leg_id in rows}


def _store(new: list[_Parsed], source: str, received_at: datetime) -> set[tuple[int, str]]:
    """Insert the events in one statement; the (shipment id, fingerprint) actually stored.

    ON CONFLICT DO NOTHING on the (shipment_id, fingerprint) key is the dedupe: an event
    already stored, by an earlier delivery or by one racing with this one, is skipped by
    the database instead of checked first, so the check and the insert are one round trip
    and a concurrent copy waits for the other transaction instead of failing. Rows go in
    key order so two overlapping deliveries take the unique-index locks in the same order.
    """
    table = TrackingEvent.__table__
    rows = [{"shipment_id": p.shipment_id, "leg_id": p.leg_id, "occurred_at": p.occurred_at,
             "utc_offset_minutes": p.offset_minutes, "status": p.status,
             "sub_status": p.sub_status, "location": p.location,
             "carrier_code": p.carrier_code, "description": p.description, "source": source,
             "fingerprint": p.fingerprint, "received_at": received_at}
            for p in sorted(new, key=lambda p: (p.shipment_id, p.fingerprint))]
    if db.session.get_bind().dialect.name != "postgresql":
        statement = (sqlite.insert(table)
                     .on_conflict_do_nothing(index_elements=["shipment_id", "fingerprint"])
                     .returning(table.c.shipment_id, table.c.fingerprint))
        return set(db.session.execute(statement, rows).tuples())
    # PostgreSQL: one array per column unnested into rows. The statement's text is the same
    # whatever the batch size, so psycopg converts it and the server plans it once; a
    # VALUES list is a new long statement each time, and converting those dominated the
    # profile.
    names = list(rows[0])
    arrays = [cast(bindparam(f"{name}_array", [row[name] for row in rows],
                             type_=postgresql.ARRAY(table.c[name].type)),
                   postgresql.ARRAY(table.c[name].type)) for name in names]
    unnested = func.unnest(*arrays).table_valued(*names).render_derived(name="batch")
    statement = (postgresql.insert(table).from_select(names, select(*unnested.c))
                 .on_conflict_do_nothing(index_elements=["shipment_id", "fingerprint"])
                 .returning(table.c.shipment_id, table.c.fingerprint))
    return set(db.session.execute(statement).tuples())


def _apply_statuses(by_shipment: dict[int, list[_Parsed]]) -> dict[int, _Parsed]:
    """Move each shipment to its newest event if at least as new; shipment id -> that event.

    The rows are locked in id order (PostgreSQL; SQLite already holds its write lock since
    the events were inserted), so what is read here is what the one executemany UPDATE
    overwrites, and two deliveries racing on a shipment cannot put an older status back.
    """
    table = Shipment.__table__
    rows = db.session.execute(
        select(table.c.id, table.c.status, table.c.sub_status, table.c.status_at,
               table.c.last_event_at, table.c.delivered_at, table.c.estimated_delivery_at)
        .where(table.c.id.in_(by_shipment)).order_by(table.c.id).with_for_update()).all()
    changed: dict[int, _Parsed] = {}
    params = []
    for row in rows:
        events = by_shipment[row.id]
        latest = max(events, key=lambda p: (p.occurred_at, p.index))
        newest = max(p.occurred_at for p in events)
        delivered = [p.occurred_at for p in events if p.status == "delivered"]
        moves = row.status_at is None or row.status_at <= latest.occurred_at
        if moves:
            changed[row.id] = latest
        # The newest promise wins, unless the shipment already heard of something newer.
        promised = max((p for p in events if p.estimated_delivery is not None),
                       key=lambda p: (p.occurred_at, p.index), default=None)
        estimate = row.estimated_delivery_at
        if promised and (row.status_at is None or row.status_at <= promised.occurred_at):
            estimate = promised.estimated_delivery
        params.append({
            "b_id": row.id,
            "b_status": latest.status if moves else row.status,
            "b_sub_status": latest.sub_status if moves else row.sub_status,
            "b_status_at": latest.occurred_at if moves else row.status_at,
            "b_last_event_at": max(d for d in (row.last_event_at, newest) if d is not None),
            "b_delivered_at": row.delivered_at or (min(delivered) if delivered else None),
            "b_estimate": estimate,
        })
    if params:
        db.session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(
                status=bindparam("b_status"), sub_status=bindparam("b_sub_status"),
                status_at=bindparam("b_status_at"), last_event_at=bindparam("b_last_event_at"),
                delivered_at=bindparam("b_delivered_at"),
                estimated_delivery_at=bindparam("b_estimate")), params)
    return changed


def ingest_tracking_events(events: Sequence[Any], *, source: str, links: EmailLinks,
                           now: datetime | None = None) -> IngestReport:
    """Store a batch of carrier events once each and move their shipments' status."""
    if source not in EVENT_SOURCES:
        raise ValueError(f"unknown event source {source}")
    now = now or utcnow()
    outcomes: list[EventOutcome] = []
    parsed: list[_Parsed] = []
    for index, event in enumerate(events):
        try:
            parsed.append(_parse(index, event, now))
            outcomes.append(EventOutcome(index, "stored"))
        except _Invalid as bad:
            outcomes.append(EventOutcome(index, "invalid", bad.code, bad.message))
    matches = _match(parsed)
    candidates: list[_Parsed] = []
    for p in parsed:
        match = matches.get((p.carrier, p.number))
        if match is None:
            outcomes[p.index] = EventOutcome(
                p.index, "unknown_tracking_number", "unknown_tracking_number",
                _("No shipment has %(carrier)s tracking number %(number)s.",
                  carrier=p.carrier, number=p.number))
            continue
        p.shipment_id, p.leg_id = match
        p.fingerprint = event_fingerprint(p.shipment_id, p)
        outcomes[p.index].shipment_id = p.shipment_id
        candidates.append(p)
    new: list[_Parsed] = []
    seen: set[tuple[int, str]] = set()
    for p in candidates:
        key = (p.shipment_id, p.fingerprint)
        if key in seen:
            outcomes[p.index].outcome = "duplicate"  # a second copy within this batch
            continue
        seen.add(key)
        new.append(p)
    stored = _store(new, source, now) if new else set()
    by_shipment: dict[int, list[_Parsed]] = {}
    for p in new:
        if (p.shipment_id, p.fingerprint) in stored:
            by_shipment.setdefault(p.shipment_id, []).append(p)
        else:
            outcomes[p.index].outcome = "duplicate"
    report = IngestReport(outcomes)
    current = _apply_statuses(by_shipment) if by_shipment else {}
    report.changed_shipment_ids.extend(sorted(current))
    held = [sid for sid in by_shipment if identity_key(Shipment, sid) in db.session.identity_map]
    if held:
        # The UPDATE bypassed the identity map; reload the shipments the caller may hold.
        db.session.scalars(select(Shipment).where(Shipment.id.in_(held))
                           .execution_options(populate_existing=True)).all()
    if current:
        after_status_change({sid: (p.status, p.sub_status) for sid, p in current.items()},
                            links=links)
    return report
