"""The in-process snapshot of live campaigns that serving chooses from.

One query loads every campaign that could serve now (active or scheduled, not yet over
budget, flight not ended) with its published notes, today's spend and throttle, its
lifetime impressions and clicks (for the smoothed CTR) and, per note, the brand of a
creator partnership (for the "Sponsored · with <brand>" label). The result is kept per
process for ADS_SNAPSHOT_SECONDS and rebuilt on the next request after that, or at once
after `invalidate_snapshot()` (called when this process charges a campaign or a campaign
changes state), so a feed page normally costs no campaign query at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import and_, func, or_, select

from app.extensions import db
from app.models import Campaign, CampaignDay, CampaignNote, Note, Organization, Partnership
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

SERVABLE_STATES = ("active", "scheduled")
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


def _query(now: datetime):
    today = CampaignDay.__table__.alias("today")
    totals = (select(CampaignDay.campaign_id,
                     func.sum(CampaignDay.impressions).label("impressions"),
                     func.sum(CampaignDay.clicks).label("clicks"))
              .group_by(CampaignDay.campaign_id).subquery("totals"))
    partner = Organization.__table__.alias("partner_org")
    return (select(Campaign, CampaignNote.note_id, today.c.spend_micros, today.c.spend_minor,
                   today.c.throttle, totals.c.impressions, totals.c.clicks,
                   partner.c.name.label("partner_brand"))
            .join(CampaignNote, CampaignNote.campaign_id == Campaign.id)
            .join(Note, and_(Note.id == CampaignNote.note_id, Note.status == "published"))
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


def build_snapshot(now: datetime) -> Snapshot:
    """Every campaign that could serve now, from one query."""
    prior = ctr_prior()
    reference = current_app.config.get("ADS_AUCTION_CURRENCY", "USD")
    ppms: dict[str, int] = {}
    rows: dict[int, dict] = {}
    for row in db.session.execute(_query(now)):
        campaign: Campaign = row[0]
        entry = rows.get(campaign.id)
        if entry is None:
            entry = rows[campaign.id] = {"campaign": campaign, "row": row, "notes": [],
                                         "partners": {}}
        entry["notes"].append(row.note_id)
        if row.partner_brand:
            entry["partners"][row.note_id] = row.partner_brand
    live = []
    for entry in rows.values():
        campaign, row = entry["campaign"], entry["row"]
        if campaign.currency not in ppms:
            ppms[campaign.currency] = _ppm(campaign.currency, reference, now)
        ppm = ppms[campaign.currency]
        ctr = smoothed_ctr(int(row.clicks or 0), int(row.impressions or 0), prior)
        live.append(LiveCampaign(
            id=campaign.id, organization_id=campaign.organization_id or 0,
            model=campaign.pricing, currency=campaign.currency, bid_minor=campaign.bid_minor,
            ppm=ppm, ctr=ctr, ev=expected_value(campaign.pricing, campaign.bid_minor, ctr, ppm),
            budget_minor=campaign.budget_minor, spent_minor=campaign.spent_minor,
            daily_cap_minor=campaign.daily_cap_minor,
            today_spend_micros=int(row.spend_micros or 0),
            today_spend_minor=int(row.spend_minor or 0),
            target_micros=daily_target_micros(campaign.budget_minor, campaign.spent_minor,
                                              campaign.daily_cap_minor, campaign.ends_at, now),
            throttle=1000 if row.throttle is None else int(row.throttle),
            starts_at=campaign.starts_at, ends_at=campaign.ends_at, pacing=campaign.pacing,
            frequency_cap=campaign.frequency_cap_per_day,
            countries=frozenset(c.upper() for c in campaign.countries or ()),
            languages=frozenset(c.lower()[:2] for c in campaign.languages or ()),
            topics=frozenset(t.casefold().lstrip("#") for t in campaign.topics or ()),
            audiences=frozenset() if campaign.audience == "all"
            else frozenset({campaign.audience}),
            note_ids=tuple(dict.fromkeys(entry["notes"])),
            partners=dict(entry["partners"])))
    return Snapshot.of(live, now)


def current_snapshot(now: datetime) -> Snapshot:
    """The process's snapshot, rebuilt when older than ADS_SNAPSHOT_SECONDS or invalidated."""
    holder = _holder()
    max_age = float(current_app.config.get("ADS_SNAPSHOT_SECONDS", 5))
    snap = holder.snapshot
    if snap is not None and not holder.stale \
            and (now - snap.built_at).total_seconds() < max_age:
        return snap
    with _LOCK:
        snap = holder.snapshot
        if snap is None or holder.stale or (now - snap.built_at).total_seconds() >= max_age:
            holder.stale = False
            snap = holder.snapshot = build_snapshot(now)
    return snap
