"""Guaranteed placements and campaign reports: hold expiry, pacing and the daily roll-up."""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import celery
from app.models import utcnow
from app.services import ads
from app.services.ads import placements, reports
from app.tasks.batches import in_committed_batches


@celery.task(name="qiao.expire_placement_holds")
def expire_placement_holds(batch: int = 500) -> int:
    """Periodic: mark unpaid placement holds past their 30 minutes expired, free their days."""
    return in_committed_batches(
        lambda limit: placements.expire_placement_holds(now=utcnow(), limit=limit), batch)


@celery.task(name="qiao.roll_up_campaign_days")
def roll_up_campaign_days() -> int:
    """Periodic (hourly; daily would do): store every recent campaign's finished days."""
    stored = reports.roll_up_campaign_days(now=utcnow())
    commit()
    return stored


@celery.task(name="qiao.update_placement_pacing")
def update_placement_pacing() -> int:
    """Periodic (5 minutes): the next interval's serving rate of each booked slot-day."""
    updated = ads.update_placement_pacing(now=utcnow())
    commit()
    return updated
