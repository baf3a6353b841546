"""The in-process snapshot of live campaigns that serving chooses from.

One query loads every campaign that could serve now (active, not yet over budget,
flight not ended, its account owing nothing) with its published notes, today's spend and
throttle, its lifetime impressions and clicks (for the smoothed CTR) and, per note, the
brand of a creator partnership (for the "Sponsored · with <brand>" label). The result is kept per
process for ADS_SNAPSHOT_SECONDS and rebuilt on the next request after that, or at once
after `invalidate_snapshot()` (called when this process charges a campaign or a campaign
changes state), so a feed page normally costs no campaign query at all.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import Text, and_, cast, func, or_, select

from app.extensions import db
from app.models import (
    AdAccount,
    Campaign,
    CampaignDay,
    CampaignNote,
    Note,
    Organization,
    Partnership,
)
from app.money import exponent
from app.services.ads.auction import (
    PPM_SAME_CURRENCY,
    CtrPrior,
    expected_value,
    smoothed_ctr,
)
from app.services.ads.pacing import daily_target_micros
from app.services.ads.selection import LiveCampaign, Snapshot
from app.services.fx import RateUnavailable, StaleRate, lock_rate

# Scheduled campaigns become active at their flight's start (the `qiao.advance_campaigns`
# job); only active ones are charged, so only they are served.
SERVABLE_STATES = ("active",)
_LOCK = threading.Lock()
_KEY = "qiao_ad_snapshot"


@dataclass
class _Holder:
    snapshot: Snapshot | None = None
    stale: bool = True


def _holder() -> _Holder:
    holder = current_app.extensions.get(_KEY)
    if holder is None:
        holder = current_app.extensions.setdefault(_KEY, _Holder())
    return holder


def invalidate_snapshot() -> None:
    """Rebuild the snapshot on the next feed request of this process."""
    _holder().stale = True


def ctr_prior() -> CtrPrior:
    """The configured prior (ADS_CTR_PRIOR as a decimal string, ADS_CTR_PRIOR_WEIGHT)."""
    config = current_app.config
    return CtrPrior(Fraction(Decimal(str(config.get("ADS_CTR_PRIOR", "0.01")))),
                    int(config.get("ADS_CTR_PRIOR_WEIGHT", 200)))


def _ppm(currency: str, reference: str, now: datetime) -> int:
    """Reference minor units per `currency` minor unit, x 1e6 (parity if no rate is known:
    ranking then treats the currencies' major units as equal, which the admin sees as a
    missing rate on the FX page anyway).
    """
    if currency == reference:
        return PPM_SAME_CURRENCY
    shift = Decimal(10) ** (exponent(reference) - exponent(currency))
    try:
        rate = lock_rate(currency, reference, now=now).rate
    except (RateUnavailable, StaleRate):
        rate = Decimal(1)
    return max(int(rate * shift * PPM_SAME_CURRENCY), 1)


_CAMPAIGN_COLUMNS = (Campaign.id, Campaign.organization_id, Campaign.pricing,
                     Campaign.currency, Campaign.bid_minor, Campaign.budget_minor,
                     Campaign.spent_minor, Campaign.daily_cap_minor, Campaign.starts_at,
                     Campaign.ends_at, Campaign.pacing, Campaign.frequency_cap_per_day,
                     Campaign.audience)
# Targeting lists are read as their JSON text and decoded once per campaign, not once per
# row (a campaign has a row per note).
_TARGETING = ("countries", "languages", "topics")


def _query(now: datetime):
    today = CampaignDay.__table__.alias("today")
    totals = (select(CampaignDay.campaign_id,
                     func.sum(CampaignDay.impressions).label("impressions"),
                     func.sum(CampaignDay.clicks).label("clicks"))
              .group_by(CampaignDay.campaign_id).subquery("totals"))
    partner = Organization.__table__.alias("partner_org")
    targeting = [cast(getattr(Campaign, name), Text).label(name) for name in _TARGETING]
    return (select(*_CAMPAIGN_COLUMNS, *targeting, CampaignNote.note_id,
                   today.c.spend_micros, today.c.spend_minor, today.c.throttle,
                   totals.c.impressions, totals.c.clicks,
                   partner.c.name.label("partner_brand"))
            .join(CampaignNote, CampaignNote.campaign_id == Campaign.id)
            .join(Note, and_(Note.id == CampaignNote.note_id, Note.status == "published"))
            # An account owing a refunded top-up serves nothing until it pays.
            .join(AdAccount, and_(AdAccount.id == Campaign.account_id,
                                  AdAccount.debt_minor == 0))
            .outerjoin(today, and_(today.c.campaign_id == Campaign.id,
                                   today.c.day == now.date()))
            .outerjoin(totals, totals.c.campaign_id == Campaign.id)
            .outerjoin(Partnership, and_(Partnership.note_id == Note.id,
                                         Partnership.status.in_(("published", "paid"))))
            .outerjoin(partner, partner.c.id == Partnership.organization_id)
            .where(Campaign.status.in_(SERVABLE_STATES), Campaign.ends_at > now,
                   Campaign.spent_minor < Campaign.budget_minor,
                   or_(Campaign.daily_cap_minor.is_(None),
                       func.coalesce(today.c.spend_minor, 0) < Campaign.daily_cap_minor))
            .order_by(Campaign.id, CampaignNote.position, CampaignNote.id))


def _strings(raw: str | list | None) -> list[str]:
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else raw or []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


class _Sets:
    """Targeting lists repeat across campaigns ("[]", '["JP"]'): parse each text once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, object], frozenset[str]] = {}

    def __call__(self, kind: str, raw) -> frozenset[str]:
        key = (kind, raw if not isinstance(raw, list) else json.dumps(raw))
        found = self.cache.get(key)
        if found is None:
            items = _strings(raw)
            if kind == "countries":
                found = frozenset(c.upper() for c in items)
            elif kind == "languages":
                found = frozenset(c.lower()[:2] for c in items)
            else:
                found = frozenset(t.casefold().lstrip("#") for t in items)
            self.cache[key] = found
        return found


def _live(row, notes: list[int], partners: dict[int, str], prior: CtrPrior, ppm: int,
          now: datetime, sets: _Sets) -> LiveCampaign:
    ctr = smoothed_ctr(int(row.clicks or 0), int(row.impressions or 0), prior)
    return LiveCampaign(
        id=row.id, organization_id=row.organization_id or 0, model=row.pricing,
        currency=row.currency, bid_minor=row.bid_minor, ppm=ppm, ctr=ctr,
        ev=expected_value(row.pricing, row.bid_minor, ctr, ppm),
        budget_minor=row.budget_minor, spent_minor=row.spent_minor,
        daily_cap_minor=row.daily_cap_minor, today_spend_micros=int(row.spend_micros or 0),
        today_spend_minor=int(row.spend_minor or 0),
        target_micros=daily_target_micros(row.budget_minor, row.spent_minor,
                                          row.daily_cap_minor, row.ends_at, now),
        throttle=1000 if row.throttle is None else int(row.throttle),
        starts_at=row.starts_at, ends_at=row.ends_at, pacing=row.pacing,
        frequency_cap=row.frequency_cap_per_day,
        countries=sets("countries", row.countries), languages=sets("languages", row.languages),
        topics=sets("topics", row.topics),
        audiences=frozenset() if row.audience == "all" else frozenset({row.audience}),
        note_ids=tuple(dict.fromkeys(notes)), partners=partners)


def build_snapshot(now: datetime) -> Snapshot:
    """Every campaign that could serve now, from one query."""
    prior = ctr_prior()
    reference = current_app.config.get("ADS_AUCTION_CURRENCY", "USD")
    ppms: dict[str, int] = {}
    live: list[LiveCampaign] = []
    current = None
    notes: list[int] = []
    partners: dict[int, str] = {}
    sets = _Sets()

    def close() -> None:
        if current.currency not in ppms:
            ppms[current.currency] = _ppm(current.currency, reference, now)
        live.append(_live(current, notes, partners, prior, ppms[current.currency], now, sets))

    for row in db.session.execute(_query(now)):
        if current is None or row.id != current.id:
            if current is not None:
                close()
            current, notes, partners = row, [], {}
        notes.append(row.note_id)
        if row.partner_brand:
            partners[row.note_id] = row.partner_brand
    if current is not None:
        close()
    return Snapshot.of(live, now)


def _fits(snap: Snapshot | None, now: datetime, max_age: float) -> bool:
    """Whether `snap` may answer for `now`: built at most `max_age` seconds before it.

    A snapshot built after `now` (a caller asking about an earlier moment, or clocks that
    differ between threads) holds campaigns as they were later, so it does not fit either.
    """
    return snap is not None and 0 <= (now - snap.built_at).total_seconds() < max_age


def current_snapshot(now: datetime) -> Snapshot:
    """The process's snapshot, rebuilt when older than ADS_SNAPSHOT_SECONDS, built for a
    later moment than `now`, or invalidated.
    """
    holder = _holder()
    max_age = float(current_app.config.get("ADS_SNAPSHOT_SECONDS", 5))
    snap = holder.snapshot
    if not holder.stale and _fits(snap, now, max_age):
        return snap
    # One request of the process rebuilds; the others keep serving the previous snapshot
    # meanwhile instead of queueing behind it (only the very first build is waited for).
    if not _LOCK.acquire(blocking=snap is None):
        return snap
    try:
        snap = holder.snapshot
        if holder.stale or not _fits(snap, now, max_age):
            holder.stale = False
            snap = holder.snapshot = build_snapshot(now)
    finally:
        _LOCK.release()
    return snap
