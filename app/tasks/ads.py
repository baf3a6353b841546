"""Campaign flights: start scheduled campaigns and close ended ones on time."""

from __future__ import annotations

from app.extensions import celery
from app.services import ads
from app.tasks.batches import in_committed_batches


@celery.task(name="qiao.advance_campaigns")
def advance_campaigns(batch: int = 500) -> int:
    """Periodic: scheduled -> active at the flight's start; -> completed at its end (or when
    the budget is spent), the unspent budget back to the balance.
    """
    return in_committed_batches(lambda limit: ads.advance_campaigns(limit=limit), batch)
