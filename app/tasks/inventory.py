"""Stock holds that ran out of time."""

from __future__ import annotations

from app.extensions import celery
from app.services import inventory
from app.tasks.batches import in_committed_batches


@celery.task(name="qiao.release_expired_reservations")
def release_expired_reservations(batch: int = 500) -> int:
    """Periodic: release stock held by reservations past their expiry, in committed batches."""
    return in_committed_batches(lambda limit: inventory.expire_reservations(limit=limit), batch)
