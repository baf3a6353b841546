"""Reading a shipment's journey: who may see it, and its events in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, User
from app.models.logistics import Shipment, TrackingEvent
from app.services import permissions, signed_links
from app.services.errors import NotFound

SHARE_PURPOSE = "shipment_tracking"


@dataclass
class ShipmentJourney:
    """A shipment with its legs and its events in event-time order."""

    shipment: Shipment
    events: list[TrackingEvent]


def _load(shipment_id: int) -> Shipment | None:
    return db.session.scalar(
        select(Shipment).where(Shipment.id == shipment_id)
        .options(selectinload(Shipment.legs), selectinload(Shipment.order)))


def _events(shipment_ids: list[int]) -> list[TrackingEvent]:
    # One query however many events: the timeline never loads rows one by one.
    return list(db.session.scalars(
        select(TrackingEvent).where(TrackingEvent.shipment_id.in_(shipment_ids))
        .order_by(TrackingEvent.shipment_id, TrackingEvent.occurred_at, TrackingEvent.id)))


def get_shipment_journey(actor: User | None, shipment_id: int) -> ShipmentJourney:
    """The shipment for its order's shopper or its store's staff; NotFound for anyone else."""
    shipment = _load(shipment_id)
    if shipment is None or actor is None or not actor.is_authenticated:
        raise NotFound(_("No such shipment."))
    if shipment.order.user_id != actor.id:
        try:
            permissions.require_store_staff(actor, shipment.store_id)
        except NotFound:
            raise NotFound(_("No such shipment.")) from None
    return ShipmentJourney(shipment, _events([shipment.id]))


def order_journeys(order: Order) -> list[ShipmentJourney]:
    """Every shipment of an order (already permitted) with its events, in three queries."""
    shipments = list(db.session.scalars(
        select(Shipment).where(Shipment.order_id == order.id, Shipment.direction == "outbound")
        .options(selectinload(Shipment.legs)).order_by(Shipment.id)))
    events = _events([s.id for s in shipments]) if shipments else []
    grouped: dict[int, list[TrackingEvent]] = {s.id: [] for s in shipments}
    for event in events:
        grouped[event.shipment_id].append(event)
    return [ShipmentJourney(s, grouped[s.id]) for s in shipments]


def share_token(shipment: Shipment) -> str:
    """A signed token for the public tracking page of one shipment."""
    return signed_links.sign(SHARE_PURPOSE, {"s": shipment.id, "n": shipment.tracking_number})


def shared_journey(token: str, *, max_age_seconds: int) -> ShipmentJourney:
    """The shipment a share token names; InvalidLink when tampered with or expired."""
    payload = signed_links.unsign(SHARE_PURPOSE, token, max_age_seconds)
    shipment = _load(int(payload.get("s", 0))) if isinstance(payload, dict) else None
    # The number in the token ties it to this parcel even if ids were ever reused.
    if shipment is None or shipment.tracking_number != payload.get("n"):
        raise NotFound(_("No such shipment."))
    return ShipmentJourney(shipment, _events([shipment.id]))


def local_time(event: TrackingEvent) -> datetime:
    """The event's time in the zone of the scan (its own UTC offset)."""
    return event.occurred_at.astimezone(timezone(timedelta(minutes=event.utc_offset_minutes)))
