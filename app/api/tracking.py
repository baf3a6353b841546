"""Parcel tracking: the carriers' signed webhook and a shipment's journey."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from app.api import bp
from app.api.core import PayloadTooLarge, api_user, token_required
from app.api.openapi import operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models.logistics import CUSTOMS_SUB_STATUSES, TRACKING_STATUSES
from app.services.logistics.carriers import get_carrier, tracking_url
from app.services.logistics.tracking_reads import (
    ShipmentJourney,
    get_shipment_journey,
    local_time,
)
from app.services.logistics.tracking_webhook import receive_tracking_webhook
from app.web.links import site_links

EVENT_IN = schema("TrackingEventIn", {
    "type": "object", "required": ["carrier", "tracking_number", "occurred_at", "status"],
    "properties": {
        "carrier": {"type": "string", "description": "Carrier registry code (or an "
                                                     "AfterShip slug such as `4px`)."},
        "tracking_number": {"type": "string", "maxLength": 40},
        "occurred_at": {"type": "string", "format": "date-time",
                        "description": "ISO 8601 with the scan's UTC offset; a time without "
                                       "an offset, or more than 10 minutes ahead, is refused."},
        "status": {"type": "string", "description": "One of the shipment statuses, or an "
                                                    "AfterShip tag (InTransit, ...)."},
        "sub_status": {"type": "string", "description": "For `customs`: one of "
                       f"{', '.join(CUSTOMS_SUB_STATUSES)}; otherwise the carrier's detail "
                       "(AfterShip subtags that name customs become status customs)."},
        "location": {"type": "string", "maxLength": 200},
        "carrier_code": {"type": "string", "maxLength": 64},
        "description": {"type": "string"},
        "estimated_delivery": {"type": ["string", "null"],
                               "description": "The carrier's delivery estimate as of this "
                                              "scan: an ISO 8601 date or a time with its "
                                              "offset (AfterShip: `msg.expected_delivery`). "
                                              "The newest scan's estimate is shown to the "
                                              "shopper."},
    },
})
WEBHOOK_BODY = {"oneOf": [
    {"type": "object", "required": ["events"],
     "properties": {"events": {"type": "array", "items": EVENT_IN}}},
    {"type": "object", "required": ["msg"], "description": "An AfterShip tracking_update.",
     "properties": {"event": {"type": "string"}, "msg": {
         "type": "object", "required": ["slug", "tracking_number", "checkpoints"],
         "properties": {"slug": {"type": "string"}, "tracking_number": {"type": "string"},
                        "checkpoints": {"type": "array", "items": {"type": "object"}}}}}},
]}
OUTCOME = {
    "type": "object", "required": ["index", "outcome", "shipment_id"],
    "properties": {
        "index": {"type": "integer"},
        "outcome": {"type": "string",
                    "enum": ["stored", "duplicate", "unknown_tracking_number", "invalid"]},
        "shipment_id": {"type": ["integer", "null"]},
        "code": {"type": "string", "description": "Why the event was not stored, e.g. "
                 "future_occurred_at, naive_occurred_at, invalid_status, unknown_carrier."},
        "message": {"type": "string"},
    },
}
RECEIPT = schema("TrackingWebhookReceipt", {
    "type": "object", "required": ["received", "counts", "results"],
    "properties": {"received": {"type": "integer"},
                   "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                   "results": {"type": "array", "items": OUTCOME}},
})
EVENT_OUT = {
    "type": "object",
    "required": ["occurred_at", "status", "sub_status", "location", "carrier_code",
                 "description"],
    "properties": {
        "occurred_at": {"type": "string", "format": "date-time", "description": "UTC"},
        "local_time": {"type": "string", "format": "date-time",
                       "description": "The same instant in the zone of the scan."},
        "status": {"type": "string", "enum": list(TRACKING_STATUSES)},
        "sub_status": {"type": "string"}, "location": {"type": "string"},
        "carrier_code": {"type": "string"}, "description": {"type": "string"},
        "leg_id": {"type": ["integer", "null"]},
    },
}
LEG = {"type": "object", "required": ["id", "position", "kind", "carrier", "tracking_number"],
       "properties": {"id": {"type": "integer"}, "position": {"type": "integer"},
                      "kind": {"type": "string"}, "carrier": {"type": "string"},
                      "tracking_number": {"type": "string"},
                      "tracking_url": {"type": "string"}}}
SHIPMENT = schema("ShipmentTracking", {
    "type": "object",
    "required": ["id", "order_id", "status", "sub_status", "carrier", "tracking_number",
                 "tracking_url", "legs", "events"],
    "properties": {
        "id": {"type": "integer"}, "order_id": {"type": "integer"},
        "status": {"type": "string", "enum": list(TRACKING_STATUSES)},
        "sub_status": {"type": "string"},
        "status_at": {"type": ["string", "null"], "format": "date-time"},
        "carrier": {"type": "string"}, "carrier_name": {"type": "string"},
        "tracking_number": {"type": "string"}, "tracking_url": {"type": "string"},
        "shipped_at": {"type": "string", "format": "date-time"},
        "estimated_delivery_at": {"type": ["string", "null"], "format": "date-time"},
        "delivered_at": {"type": ["string", "null"], "format": "date-time"},
        "legs": {"type": "array", "items": LEG},
        "events": {"type": "array", "items": EVENT_OUT,
                   "description": "In event-time order, oldest first."},
    },
})


def _local(event) -> str:
    return local_time(event).isoformat()


def shipment_json(journey: ShipmentJourney) -> dict[str, Any]:
    """A shipment with its legs and events."""
    s = journey.shipment
    return {
        "id": s.id, "order_id": s.order_id, "status": s.status, "sub_status": s.sub_status,
        "status_at": timestamp(s.status_at), "carrier": s.carrier,
        "carrier_name": get_carrier(s.carrier).name_en, "tracking_number": s.tracking_number,
        "tracking_url": tracking_url(s.carrier, s.tracking_number),
        "shipped_at": timestamp(s.shipped_at),
        "estimated_delivery_at": timestamp(s.estimated_delivery_at),
        "delivered_at": timestamp(s.delivered_at),
        "legs": [{"id": leg.id, "position": leg.position, "kind": leg.kind,
                  "carrier": leg.carrier, "tracking_number": leg.tracking_number,
                  "tracking_url": tracking_url(leg.carrier, leg.tracking_number)}
                 for leg in s.legs],
        "events": [{"occurred_at": timestamp(e.occurred_at), "local_time": _local(e),
                    "status": e.status, "sub_status": e.sub_status, "location": e.location,
                    "carrier_code": e.carrier_code, "description": e.description,
                    "leg_id": e.leg_id} for e in journey.events],
    }


@bp.post("/webhooks/tracking")
@operation(summary="Carrier tracking events", tags=["webhooks", "logistics"], auth=False,
           request=WEBHOOK_BODY,
           params=[{"name": "X-Qiao-Signature", "in": "header", "required": True,
                    "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
                    "description": "HMAC-SHA256 of the raw body with "
                                   "TRACKING_WEBHOOK_SECRET, hex."}],
           responses={200: RECEIPT, 400: None, 413: None, 422: None, 503: ref("Error")},
           description="Qiao's `{\"events\": [...]}` or an AfterShip `tracking_update`. "
                       "400 `invalid_signature` on a missing or wrong signature, 400 "
                       "`malformed_json` on a body that is not JSON, 422 `invalid_payload` / "
                       "`no_events` / `too_many_events` on a wrong shape, 503 "
                       "`tracking_webhook_disabled` when no secret is configured. Otherwise "
                       "200 with one result per event, in order: `stored`, `duplicate` "
                       "(ignored), `unknown_tracking_number` or `invalid` (with a code); the "
                       "good events of a batch are stored even when some are bad, since "
                       "resending the batch would not make a bad event good.")
def tracking_webhook():
    """Verify and ingest a batch of tracking events."""
    raw = request.get_data(cache=False)
    if len(raw) > current_app.config["API_MAX_JSON_BYTES"]:
        raise PayloadTooLarge("The JSON body is too large.")
    report = receive_tracking_webhook(
        raw, request.headers, secret=current_app.config["TRACKING_WEBHOOK_SECRET"],
        max_events=current_app.config["TRACKING_WEBHOOK_MAX_EVENTS"], links=site_links)
    body = {"received": len(report.outcomes), "counts": report.counts(),
            "results": [o.as_dict() for o in report.outcomes]}
    commit()
    return body


@bp.get("/shipments/<int:shipment_id>")
@operation(summary="A shipment's journey", tags=["logistics"],
           responses={200: SHIPMENT, 401: None, 404: None},
           description="For the order's shopper or the store's staff (404 for anyone else): "
                       "status, legs and events in event-time order.")
@token_required("read")
def get_shipment(shipment_id: int):
    """The shipment with its legs and events."""
    journey = get_shipment_journey(api_user(), shipment_id)
    body = shipment_json(journey)
    commit()
    return body
