"""Parcel timelines: on the shopper's order page, and a signed public page to share."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import get_locale, get_timezone

from app.checkout import bp
from app.core.transaction import commit
from app.models.logistics import TrackingEvent
from app.services.logistics.carriers import get_carrier, tracking_url
from app.services.logistics.delivery_estimates import delivery_estimates
from app.services.logistics.tracking_reads import (
    ShipmentJourney,
    local_time,
    order_journeys,
    share_token,
    shared_journey,
)
from app.web.times import format_at_offset


def scan_time(event: TrackingEvent) -> str:
    """The clock where the parcel was scanned, when it differs from the viewer's, else ""."""
    viewer_offset = local_time(event).astimezone(get_timezone()).utcoffset()
    if viewer_offset == timedelta(minutes=event.utc_offset_minutes):
        return ""
    return format_at_offset(event.occurred_at, event.utc_offset_minutes)


def timeline_context(journeys: list[ShipmentJourney], *, shareable: bool) -> dict:
    """What the shipments partial needs: journeys, carrier names and links, share tokens."""
    return {
        "journeys": journeys, "scan_time": scan_time,
        "estimates": delivery_estimates([j.shipment for j in journeys]),
        "viewer_locale": str(get_locale() or "en"),
        "carrier_name": lambda code, locale: get_carrier(code).display_name(locale),
        "carrier_url": tracking_url,
        "share_tokens": {j.shipment.id: share_token(j.shipment) for j in journeys}
        if shareable else {},
    }


def order_tracking_context(order) -> dict:
    """The shipments of an order the viewer may already see, for the order page."""
    return timeline_context(order_journeys(order), shareable=True)


@bp.get("/track/<token>")
def shared_tracking(token: str):
    """A shared parcel timeline: no prices, no address, no login."""
    max_age = current_app.config["TRACKING_SHARE_LINK_MAX_AGE_DAYS"] * 86400
    journey = shared_journey(token, max_age_seconds=max_age)
    body = render_template("checkout/track.html",
                           **timeline_context([journey], shareable=False))
    commit()
    return body
