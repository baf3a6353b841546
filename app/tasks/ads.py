"""Campaign flights: start scheduled campaigns and close ended ones on time."""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import celery
from app.services import ads
from app.tasks.batches import in_committed_batches


@celery.task(name="qiao.advance_campaigns")
def advance_campaigns(batch: int = 500) -> int:
    """Periodic: scheduled -> active at the flight's start; -> completed at its end (or when
    the budget is spent), the unspent budget back to the balance.
    """
    return in_committed_batches(lambda limit: ads.advance_campaigns(limit=limit), batch)


@celery.task(name="qiao.settle_partnership_reviews")
def settle_partnership_reviews() -> int:
    """Periodic: pay creators whose partnership notes passed ad review; reopen the briefs
    of removed ones.
    """
    lines = ads.settle_partnership_reviews()
    commit()
    return len(lines)


@celery.task(name="qiao.sync_ad_topups")
def sync_ad_topups() -> int:
    """Periodic: credit top-ups paid at Stripe whose webhook and return page never came."""
    lines = ads.sync_stale_topups()
    commit()
    return len(lines)
