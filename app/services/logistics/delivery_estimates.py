"""When a parcel should arrive: the carrier's estimate, else the lane's transit time.

The lane's transit time is the one the shopper was quoted at checkout (the shipping
zone's "arrives in N–M days", frozen on the quote), counted from the day the parcel
left; calendar days, as the quote counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_

from app.extensions import db
from app.models.checkout import QuoteGroup
from app.models.logistics import Shipment


@dataclass(frozen=True)
class DeliveryEstimate:
    """The window a parcel should arrive in, and who said so ("carrier" or "seller")."""

    earliest: datetime
    latest: datetime
    source: str


def delivery_estimates(shipments: list[Shipment]) -> dict[int, DeliveryEstimate]:
    """The estimate of each undelivered shipment that has one, by shipment id (one query)."""
    waiting = [s for s in shipments if s.delivered_at is None and s.status != "returned"]
    keys = {(s.order.quote_id, s.store_id) for s in waiting if s.estimated_delivery_at is None}
    quoted: dict[tuple[int, int], QuoteGroup] = {}
    if keys:
        groups = db.session.scalars(select(QuoteGroup).where(
            tuple_(QuoteGroup.quote_id, QuoteGroup.store_id).in_(sorted(keys))))
        quoted = {(g.quote_id, g.store_id): g for g in groups}
    estimates: dict[int, DeliveryEstimate] = {}
    for shipment in waiting:
        if shipment.estimated_delivery_at is not None:
            estimates[shipment.id] = DeliveryEstimate(
                shipment.estimated_delivery_at, shipment.estimated_delivery_at, "carrier")
            continue
        group = quoted.get((shipment.order.quote_id, shipment.store_id))
        if group is not None:
            estimates[shipment.id] = DeliveryEstimate(
                shipment.shipped_at + timedelta(days=group.delivery_days_min),
                shipment.shipped_at + timedelta(days=group.delivery_days_max), "seller")
    return estimates
