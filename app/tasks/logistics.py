"""Pulling tracking events for carriers without push."""

from __future__ import annotations

from app.extensions import celery
from app.providers.tracking import tracking_provider
from app.services.logistics import polling
from app.tasks.batches import in_committed_batches
from app.web.links import site_links


@celery.task(name="qiao.poll_tracking")
def poll_tracking(batch: int = 50) -> int:
    """Periodic: pull events for due shipments in committed batches (nothing when off)."""
    provider = tracking_provider()
    if provider is None:
        return 0
    return in_committed_batches(
        lambda limit: polling.poll_due_shipments(provider, limit=limit, links=site_links),
        batch)
