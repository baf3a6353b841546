"""Currency conversion from recorded rate snapshots (ECB reference rates or admin rates).

Every conversion names the snapshot it used. The rate applied is the
mid-market cross rate times (1 + FX_CONVERSION_FEE_PERCENT / 100); the result
is rounded once by the house rule (app.money) and then, where configured, to
a per-currency increment (FX_ROUNDING, e.g. KRW to 10 won).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation, localcontext

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import selectinload

from app.core.cache_versions import shelf, track_table_writes
from app.extensions import db
from app.models import User, utcnow
from app.models.fx import FxRate, FxSnapshot
from app.money import Money, normalize_currency, round_minor
from app.providers.fx_rates import RateDocumentInvalid, RateSheet, parse_ecb_document
from app.services.accounts import format_viewer_time
from app.services.errors import Conflict, ValidationFailed

RATE_PRECISION = 28  # significant digits kept in cross rates


class StaleRate(Conflict):
    """The newest rate for a currency pair is older than FX_MAX_AGE_HOURS."""

    code = "stale_rate"


class RateUnavailable(Conflict):
    """No snapshot prices this currency pair."""

    code = "rate_unavailable"


@dataclass(frozen=True)
class LockedRate:
    """The rate a price was converted with, kept on quotes and orders."""

    from_currency: str
    to_currency: str
    mid_rate: Decimal
    rate: Decimal  # mid_rate with the conversion fee applied
    as_of: datetime
    source: str
    snapshot_id: int | None


# Importing ----------------------------------------------------------------------------
def invalid_document(exc: RateDocumentInvalid) -> ValidationFailed:
    """A rate source's complaint about a document, as the form or command shows it."""
    return ValidationFailed(exc.message, fields={"file": [exc.hint]})


def read_ecb_document(content: bytes) -> RateSheet:
    """The rates in an ECB eurofxref XML document; ValidationFailed when it is bad."""
    try:
        return parse_ecb_document(content)
    except RateDocumentInvalid as exc:
        raise invalid_document(exc) from None


def recorded_snapshot(sheet: RateSheet) -> FxSnapshot | None:
    """The snapshot already recorded for this source's publication, if any."""
    return db.session.scalar(select(FxSnapshot).where(
        FxSnapshot.source == sheet.source, FxSnapshot.as_of == sheet.as_of))


def record_rate_sheet(sheet: RateSheet, actor: User | None = None) -> FxSnapshot:
    """Record a source's sheet as a snapshot; the same publication twice keeps one."""
    existing = recorded_snapshot(sheet)
    if existing is not None:
        return existing
    snapshot = FxSnapshot(source=sheet.source, base_currency=sheet.base_currency,
                          as_of=sheet.as_of, created_by_id=actor.id if actor else None,
                          note=sheet.title)
    snapshot.rates = [FxRate(currency=c, rate=r) for c, r in sorted(sheet.rates.items())]
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def import_ecb_rates(content: bytes, actor: User | None = None) -> FxSnapshot:
    """Record an ECB document's snapshot; importing the same day twice keeps one snapshot."""
    return record_rate_sheet(read_ecb_document(content), actor)


def set_manual_rate(actor: User | None, from_currency: str, to_currency: str,
                    rate: str | Decimal, note: str = "") -> FxSnapshot:
    """An admin's own rate for one pair, effective now (it wins until a newer snapshot).

    `actor` is None when an operator sets it from the command line.
    """
    errors: dict[str, list[str]] = {}
    try:
        from_currency = normalize_currency(from_currency)
    except ValueError:
        errors["from_currency"] = [_("Unknown currency '%(code)s': expected an ISO 4217 code "
                                     "such as USD.", code=from_currency)]
    try:
        to_currency = normalize_currency(to_currency)
    except ValueError:
        errors["to_currency"] = [_("Unknown currency '%(code)s': expected an ISO 4217 code "
                                   "such as USD.", code=to_currency)]
    try:
        value = Decimal(str(rate).strip())
        if not value.is_finite() or value <= 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["rate"] = [_("Enter a positive decimal number, e.g. 7.1234.")]
    if not errors and from_currency == to_currency:
        errors["to_currency"] = [_("Choose two different currencies.")]
    if errors:
        raise ValidationFailed(_("The rate could not be saved."), fields=errors)
    snapshot = FxSnapshot(source="manual", base_currency=from_currency, as_of=utcnow(),
                          created_by_id=actor.id if actor else None,
                          note=note.strip()[:500])
    snapshot.rates = [FxRate(currency=to_currency, rate=value)]
    db.session.add(snapshot)
    db.session.flush()
    return snapshot


def recent_snapshots(limit: int = 20) -> list[FxSnapshot]:
    """The newest snapshots with their rates, for the admin page."""
    return list(db.session.scalars(
        select(FxSnapshot).options(selectinload(FxSnapshot.rates))
        .order_by(FxSnapshot.as_of.desc(), FxSnapshot.id.desc()).limit(limit)))


# Converting -----------------------------------------------------------------------------
def _pair_rate(base_currency: str, rates: dict[str, Decimal], from_currency: str,
               to_currency: str) -> Decimal | None:
    """Units of `to` per unit of `from` given a snapshot's rates, or None if it lacks one."""
    per_base = {**rates, base_currency: Decimal(1)}
    if from_currency not in per_base or to_currency not in per_base:
        return None
    with localcontext() as ctx:
        ctx.prec = RATE_PRECISION
        return per_base[to_currency] / per_base[from_currency]


# Every rate snapshot table: a write to any gives the shelf of pair rows a new token.
RATE_TABLES = frozenset({"fx_snapshots", "fx_rates"})
RATES_VERSION = "fx_rates"
PAIR_ROWS = 20  # rate rows read per pair, newest snapshots first


def track_rate_writes(app: Flask) -> None:
    """Move the rates' token on with every transaction that writes a snapshot."""
    track_table_writes(app, RATES_VERSION, RATE_TABLES)


def _pair_rows(pair: tuple[str, str], now: datetime | None) -> list[Row]:
    """The pair's rate rows of the newest snapshots (dated up to `now`, when given)."""
    # One query, only the pair's rate rows of the newest snapshots (every page that shows a
    # converted price pays for this, so it must stay cheap).
    stmt = (select(FxSnapshot.id, FxSnapshot.as_of, FxSnapshot.source,
                   FxSnapshot.base_currency, FxRate.currency, FxRate.rate)
            .outerjoin(FxRate, and_(FxRate.snapshot_id == FxSnapshot.id,
                                    FxRate.currency.in_(pair)))
            .where(or_(FxSnapshot.base_currency.in_(pair), FxRate.id.is_not(None)))
            .order_by(FxSnapshot.as_of.desc(), FxSnapshot.id.desc())
            .limit(PAIR_ROWS))
    if now is not None:
        stmt = stmt.where(FxSnapshot.as_of <= now)
    return list(db.session.execute(stmt).all())


def _newest_usable(rows: list[Row], from_currency: str, to_currency: str, now: datetime
                   ) -> LockedRate | None:
    """The rate of the newest snapshot among `rows` that prices the pair; StaleRate if old."""
    snapshots: dict[int, tuple[datetime, str, str, dict[str, Decimal]]] = {}
    for snapshot_id, as_of, source, base, currency, rate in rows:
        entry = snapshots.setdefault(snapshot_id, (as_of, source, base, {}))
        if currency is not None:
            entry[3][currency] = rate
    for snapshot_id, (as_of, source, base, rates) in snapshots.items():
        mid = _pair_rate(base, rates, from_currency, to_currency)
        if mid is None:
            continue
        max_age = timedelta(hours=current_app.config["FX_MAX_AGE_HOURS"])
        if now - as_of > max_age:
            raise StaleRate(
                _("Prices in %(currency)s are unavailable right now: the newest exchange rate "
                  "(%(as_of)s) is too old. Choose another currency or try again later.",
                  currency=to_currency, as_of=format_viewer_time(as_of)),
            )
        with localcontext() as ctx:
            ctx.prec = RATE_PRECISION
            fee = Decimal(current_app.config["FX_CONVERSION_FEE_PERCENT"]) / 100
            rate = mid * (1 + fee)
        return LockedRate(from_currency, to_currency, mid, rate, as_of, source, snapshot_id)
    return None


def lock_rate(from_currency: str, to_currency: str, *, now: datetime | None = None) -> LockedRate:
    """The newest usable rate for the pair, with the fee; StaleRate / RateUnavailable otherwise.

    The pair's newest rows (whatever their date) are kept on this process's shelf while
    no snapshot is written anywhere (app.core.cache_versions). Those dated up to `now`
    begin the list the database would give for `now`, so a snapshot found among them is
    the one the query would find; when none is, the query decides.
    """
    from_currency = normalize_currency(from_currency)
    to_currency = normalize_currency(to_currency)
    now = now or utcnow()
    if from_currency == to_currency:
        return LockedRate(from_currency, to_currency, Decimal(1), Decimal(1), now, "identity",
                          None)
    pair = (from_currency, to_currency)
    kept = shelf(RATES_VERSION)
    if kept is not None:
        if pair not in kept:
            kept[pair] = _pair_rows(pair, None)
        found = _newest_usable([r for r in kept[pair] if r.as_of <= now], from_currency,
                               to_currency, now)
        if found is not None:
            return found
    found = _newest_usable(_pair_rows(pair, now), from_currency, to_currency, now)
    if found is not None:
        return found
    raise RateUnavailable(_("There is no exchange rate from %(source)s to %(target)s.",
                            source=from_currency, target=to_currency))


def convert(amount: Money, locked: LockedRate) -> Money:
    """`amount` in the locked rate's target currency, rounded once, then to the increment."""
    if amount.currency != locked.from_currency:
        raise ValueError(f"rate is for {locked.from_currency}, amount is {amount.currency}")
    if locked.from_currency == locked.to_currency:
        return amount
    converted = amount.convert(locked.rate, locked.to_currency)
    return Money(round_to_increment(converted.minor, locked.to_currency), locked.to_currency)


def round_to_increment(minor: int, currency: str) -> int:
    """Round to the configured increment for `currency` (house rule, half to even)."""
    increment = rounding_increments().get(currency, 1)
    if increment == 1:
        return minor
    return round_minor(Decimal(minor) / increment) * increment


def rounding_increments() -> dict[str, int]:
    """FX_ROUNDING parsed: "KRW:10,JPY:1" -> {"KRW": 10, "JPY": 1} (minor units)."""
    increments: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in current_app.config["FX_ROUNDING"].split(","))):
        code, _, step = part.partition(":")
        increments[normalize_currency(code)] = int(step)
    return increments
