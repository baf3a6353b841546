"""Pulling events for shipments still on their way, with back-off for parcels that fail.

A shipment is due when `next_poll_at` is empty or past and it is not delivered, returned or
expired. After a successful pull the next one is TRACKING_POLL_INTERVAL_MINUTES away; after
a failure the wait doubles from 15 minutes (15, 30, 60, ...) up to
TRACKING_POLL_MAX_BACKOFF_MINUTES, and `poll_failures` counts the failures in a row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.models import utcnow
from app.models.logistics import Shipment
from app.providers.tracking import TrackingProvider, TrackingUnavailable
from app.services.logistics.tracking import ingest_tracking_events
from app.services.mail import EmailLinks

FINAL_STATUSES = ("delivered", "returned", "expired")
FIRST_BACKOFF = timedelta(minutes=15)


def backoff(failures: int) -> timedelta:
    """The wait after `failures` failed pulls in a row (doubling, capped)."""
    cap = timedelta(minutes=current_app.config["TRACKING_POLL_MAX_BACKOFF_MINUTES"])
    return min(FIRST_BACKOFF * (2 ** min(max(failures - 1, 0), 20)), cap)


def due_shipment_ids(*, limit: int, now: datetime | None = None) -> list[int]:
    """Shipments on their way whose next pull is due, longest waiting first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Shipment.id).where(Shipment.status.not_in(FINAL_STATUSES),
                                  or_(Shipment.next_poll_at.is_(None),
                                      Shipment.next_poll_at <= now))
        .order_by(Shipment.next_poll_at.is_not(None), Shipment.next_poll_at, Shipment.id)
        .limit(limit)))


def poll_shipment(shipment: Shipment, provider: TrackingProvider, *, links: EmailLinks,
                  now: datetime | None = None) -> bool:
    """Pull one shipment's events and schedule its next pull; whether the pull worked."""
    now = now or utcnow()
    try:
        events = provider.fetch_events(shipment.carrier, shipment.tracking_number)
    except TrackingUnavailable:
        shipment.poll_failures += 1
        shipment.next_poll_at = now + backoff(shipment.poll_failures)
        return False
    # Scheduling first: ingest reloads the shipment's status columns from the database.
    shipment.poll_failures = 0
    shipment.next_poll_at = now + timedelta(
        minutes=current_app.config["TRACKING_POLL_INTERVAL_MINUTES"])
    db.session.flush()
    if events:
        ingest_tracking_events(events, source="poll", links=links, now=now)
    return True


def poll_due_shipments(provider: TrackingProvider, *, limit: int, links: EmailLinks,
                       now: datetime | None = None) -> int:
    """Pull up to `limit` due shipments; how many were handled (worked or failed)."""
    ids = due_shipment_ids(limit=limit, now=now)
    for shipment in db.session.scalars(select(Shipment).where(Shipment.id.in_(ids))):
        poll_shipment(shipment, provider, links=links, now=now)
    return len(ids)
