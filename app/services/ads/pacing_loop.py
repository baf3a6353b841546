"""The pacing feedback loop: each interval, correct every live campaign's serving rate.

Run on the periodic schedule (`adjust-ad-pacing` in app.core.jobs, every 300 s unless
JOB_INTERVALS says otherwise), by Celery beat or the embedded scheduler. For each campaign
that can serve today, delivered = spend since the last run (from the counter store),
planned = today's target x the interval's share of the day; the day's throttle becomes
throttle x planned / delivered (bounded, see app.services.ads.pacing.next_throttle).
As-fast-as-possible campaigns keep full speed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, CampaignDay
from app.services.ads.counters import counter_store
from app.services.ads.pacing import (
    THROTTLE_SCALE,
    daily_target_micros,
    day_start,
    next_throttle,
    planned_micros,
)
from app.services.ads.snapshot import SERVABLE_STATES, invalidate_snapshot
from app.services.ads.tracking import ensure_day


def adjust_pacing(now: datetime | None = None) -> dict[int, int]:
    """Set today's throttle of every servable campaign; campaign id -> new throttle."""
    now = now or datetime.now(UTC)
    day = now.date()
    campaigns = list(db.session.scalars(
        select(Campaign).where(Campaign.status.in_(SERVABLE_STATES),
                               Campaign.starts_at <= now, Campaign.ends_at > now)
        .order_by(Campaign.id)))
    if not campaigns:
        return {}
    for campaign in campaigns:
        ensure_day(campaign.id, day)
    days = {d.campaign_id: d for d in db.session.scalars(
        select(CampaignDay).where(CampaignDay.day == day,
                                  CampaignDay.campaign_id.in_([c.id for c in campaigns]))
        .order_by(CampaignDay.campaign_id).with_for_update())}
    delivered_today = counter_store().deliveries([c.id for c in campaigns], day)
    throttles = {}
    for campaign in campaigns:
        row = days[campaign.id]
        total = delivered_today.get(campaign.id, 0)
        if campaign.pacing == "asap":
            throttle = THROTTLE_SCALE
        else:
            since = row.paced_at if row.paced_at and row.paced_at.date() == day \
                else day_start(now)
            target = daily_target_micros(campaign.budget_minor, campaign.spent_minor,
                                         campaign.daily_cap_minor, campaign.ends_at, now)
            planned = planned_micros(target, int((now - since).total_seconds()))
            throttle = next_throttle(row.throttle, total - row.paced_spend_micros, planned)
        row.throttle = throttle
        row.paced_spend_micros = total
        row.paced_at = now
        throttles[campaign.id] = throttle
    db.session.flush()
    invalidate_snapshot()
    return throttles
