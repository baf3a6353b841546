"""Running the exchange rates: imports from the rate source or a file, the rate table, staleness.

app.services.fx.conversion records snapshots and converts with them; this module is what
admins and operators use to look after them (the admin FX page and `flask fx`). The rates
are downloaded by the rate source FX_RATE_SOURCE names (app.providers.fx_rates).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, localcontext

from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import User, utcnow
from app.models.fx import FxSnapshot
from app.money import normalize_currency
from app.providers.fx_rates import (
    RateDocumentInvalid,
    RateSheet,
    RateSourceUnreachable,
    rate_source,
)
from app.services.errors import DomainError
from app.services.fx import conversion as fx
from app.services.permissions import require_platform_role

SNAPSHOTS_PER_PAGE = 20
# Snapshots searched for the newest rate of a pair whose current rate is stale.
STALE_LOOKBACK = 50


class RateSourceUnavailable(DomainError):
    """The rate source could not be reached or answered with an error."""

    code = "rate_source_unavailable"
    status = 502


@dataclass(frozen=True)
class ImportResult:
    """The snapshot an import recorded, or found already recorded for that day."""

    snapshot: FxSnapshot
    created: bool


@dataclass(frozen=True)
class RateRow:
    """One line of the rate table: what checkout would charge for 1 unit of the base."""

    currency: str
    status: str  # "ok", "stale", "identity" or "missing"
    mid_rate: Decimal | None = None
    rate: Decimal | None = None  # with the conversion fee
    as_of: datetime | None = None
    source: str = ""
    age: timedelta | None = None


@dataclass(frozen=True)
class SnapshotRow:
    """A snapshot for the admin list, with who recorded it and how many rates it has."""

    snapshot: FxSnapshot
    rate_count: int
    recorded_by: str
    status: str  # "fresh", "stale" or "future"


def max_age() -> timedelta:
    """How old a rate may be before checkout refuses it (FX_MAX_AGE_HOURS)."""
    return timedelta(hours=current_app.config["FX_MAX_AGE_HOURS"])


def freshness(as_of: datetime, now: datetime) -> str:
    """Whether a snapshot is "fresh", "stale" (older than the limit) or "future" (not yet)."""
    if as_of > now:
        return "future"
    return "stale" if now - as_of > max_age() else "fresh"


def rate_display(rate: Decimal) -> str:
    """A rate for reading: exact when it has up to 6 decimals, else rounded to 6 (display only)."""
    shown = rate.quantize(Decimal("0.000001"))
    return str(rate) if shown == rate else f"≈ {shown}"


def download_rates(url: str | None = None) -> RateSheet:
    """The rate source's current sheet (from `url` instead, if given); records nothing.

    RateSourceUnavailable when it cannot be fetched, ValidationFailed when the document
    it sent is not valid.
    """
    try:
        return rate_source(url).fetch_rates()
    except RateSourceUnreachable as exc:
        raise RateSourceUnavailable(_("%(problem)s; nothing was imported.",
                                      problem=exc.message)) from None
    except RateDocumentInvalid as exc:
        raise fx.invalid_document(exc) from None


def import_rates(sheet: RateSheet, actor: User | None) -> ImportResult:
    """Record a downloaded sheet, or find it already recorded.

    `actor` is the admin who asked (checked), or None from the command line.
    """
    _require_importer(actor)
    return _record(sheet, actor)


def import_ecb_document(content: bytes, actor: User | None) -> ImportResult:
    """Record an ECB document's rates; ValidationFailed (nothing written) when it is bad.

    `actor` is the admin who asked (checked), or None from the command line.
    """
    _require_importer(actor)
    return _record(fx.read_ecb_document(content), actor)


def _require_importer(actor: User | None) -> None:
    if actor is not None:
        require_platform_role(actor, "admin")


def _record(sheet: RateSheet, actor: User | None) -> ImportResult:
    known = fx.recorded_snapshot(sheet) is not None
    return ImportResult(fx.record_rate_sheet(sheet, actor), created=not known)


def snapshot_page(actor: User, page: int = 1) -> tuple[Pagination, list[SnapshotRow]]:
    """Snapshots, newest first, with their rate counts, recorder and freshness."""
    require_platform_role(actor, "admin")
    pagination = db.paginate(
        select(FxSnapshot).options(selectinload(FxSnapshot.rates))
        .order_by(FxSnapshot.as_of.desc(), FxSnapshot.id.desc()),
        page=page, per_page=SNAPSHOTS_PER_PAGE, error_out=False)
    user_ids = {s.created_by_id for s in pagination.items if s.created_by_id}
    names = dict(db.session.execute(
        select(User.id, User.email).where(User.id.in_(user_ids))).all()) if user_ids else {}
    now = utcnow()
    rows = [SnapshotRow(s, len(s.rates), names.get(s.created_by_id, ""),
                        freshness(s.as_of, now)) for s in pagination.items]
    return pagination, rows


def rate_table(base: str, currencies: list[str] | tuple[str, ...],
               now: datetime | None = None) -> list[RateRow]:
    """The rate checkout would use now from `base` into each currency, or why it would not."""
    base = normalize_currency(base)
    now = now or utcnow()
    rows = []
    for currency in currencies:
        if currency == base:
            rows.append(RateRow(currency, "identity", Decimal(1), Decimal(1)))
            continue
        try:
            locked = fx.lock_rate(base, currency, now=now)
        except fx.RateUnavailable:
            rows.append(RateRow(currency, "missing"))
        except fx.StaleRate:
            rows.append(_stale_row(base, currency, now))
        else:
            rows.append(RateRow(currency, "ok", locked.mid_rate, locked.rate, locked.as_of,
                                locked.source, now - locked.as_of))
    return rows


def _stale_row(base: str, currency: str, now: datetime) -> RateRow:
    """The newest (too old) rate of a pair, so admins see what checkout refuses."""
    recent = db.session.scalars(
        select(FxSnapshot).options(selectinload(FxSnapshot.rates))
        .where(FxSnapshot.as_of <= now)
        .order_by(FxSnapshot.as_of.desc(), FxSnapshot.id.desc()).limit(STALE_LOOKBACK))
    for snapshot in recent:
        per_base = {r.currency: r.rate for r in snapshot.rates}
        per_base[snapshot.base_currency] = Decimal(1)
        if base in per_base and currency in per_base:
            with localcontext() as ctx:
                ctx.prec = fx.RATE_PRECISION
                mid = per_base[currency] / per_base[base]
            return RateRow(currency, "stale", mid, None, snapshot.as_of, snapshot.source,
                           now - snapshot.as_of)
    return RateRow(currency, "stale")
