"""Tracking events as carriers send them: Qiao's format, AfterShip's, and their statuses.

Qiao's format is one event per object: {"carrier", "tracking_number", "occurred_at",
"status", "sub_status", "location", "carrier_code", "description"}. AfterShip's webhook
(`{"event": "tracking_update", "msg": {"slug", "tracking_number", "checkpoints": [...]}}`)
is turned into the same shape, one event per checkpoint.

Status mapping (AfterShip tags and subtags as listed in AfterShip's "Delivery
sub-statuses" reference, https://www.aftership.com/docs/tracking/2025-04/enum/
delivery-sub-statuses):
- Pending -> pending; InfoReceived -> info_received; InTransit -> in_transit;
  OutForDelivery -> out_for_delivery; AttemptFail -> attempt_failed;
  AvailableForPickup -> available_for_pickup; Delivered -> delivered;
  Exception -> exception; Expired -> expired.
- Subtags that name customs become status "customs" with a sub-status:
  InTransit_006 (customs clearance started) -> submitted; InTransit_005 (customs clearance
  completed) -> released; Exception_004 (delayed: customs clearance) and Exception_018
  (incorrect or missing documents for the regulators) -> held; Exception_006 (held for
  payment, in cross-border parcels the import duties) -> duties_due.
- Exception_011 (returned to sender) -> returned. InTransit_007 is a departure scan and stays
  in_transit. Any other subtag keeps its tag's status and is kept as the sub-status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.models.logistics import CUSTOMS_SUB_STATUSES, TRACKING_STATUSES

AFTERSHIP_TAGS = {
    "pending": "pending", "inforeceived": "info_received", "intransit": "in_transit",
    "outfordelivery": "out_for_delivery", "attemptfail": "attempt_failed",
    "availableforpickup": "available_for_pickup", "delivered": "delivered",
    "exception": "exception", "expired": "expired",
}
AFTERSHIP_SUBTAGS = {
    "intransit_005": ("customs", "released"),
    "intransit_006": ("customs", "submitted"),
    "exception_004": ("customs", "held"),
    "exception_006": ("customs", "duties_due"),
    "exception_018": ("customs", "held"),
    "exception_011": ("returned", ""),
}
# AfterShip courier slugs -> Qiao carrier registry codes.
AFTERSHIP_SLUGS = {
    "usps": "usps", "ups": "ups", "fedex": "fedex", "dhl": "dhl_express",
    "china-post": "china_post", "china-ems": "ems", "sf-express": "sf_express",
    "cainiao": "cainiao", "yunexpress": "yunexpress", "yanwen": "yanwen", "4px": "fourpx",
    "japan-post": "japan_post",
}
# Synonyms carriers use for the customs sub-statuses.
CUSTOMS_SYNONYMS = {"hold": "held", "on_hold": "held", "cleared": "released",
                    "duties": "duties_due", "payment_required": "duties_due"}

_SEPARATORS = re.compile(r"[\s\-]+")


def carrier_code_for(value: str) -> str:
    """A registry carrier code for a registry code or an AfterShip slug (else unchanged)."""
    key = value.strip().lower()
    return AFTERSHIP_SLUGS.get(key, key.replace("-", "_"))


def normalize_status(status: str, sub_status: str = "") -> tuple[str, str] | None:
    """(status, sub_status) in Qiao's vocabulary, or None when the status is unknown."""
    sub = (sub_status or "").strip()
    mapped = AFTERSHIP_SUBTAGS.get(sub.lower())
    if mapped:
        return mapped
    key = _SEPARATORS.sub("_", (status or "").strip().lower())
    if key in TRACKING_STATUSES:
        normalized = key
    else:
        normalized = AFTERSHIP_TAGS.get(key.replace("_", ""))
        if normalized is None:
            return None
    if normalized == "customs":
        customs = _SEPARATORS.sub("_", sub.lower())
        customs = CUSTOMS_SYNONYMS.get(customs, customs)
        return ("customs", customs) if customs in CUSTOMS_SUB_STATUSES or not customs else None
    return normalized, sub


class PayloadShapeError(ValueError):
    """The body is JSON but neither Qiao's events nor an AfterShip tracking update."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _location(checkpoint: Mapping[str, Any]) -> str:
    location = checkpoint.get("location")
    if isinstance(location, str) and location.strip():
        return location.strip()
    parts = [checkpoint.get(k) for k in ("city", "state", "country_name")]
    return ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _aftership_events(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    checkpoints = msg.get("checkpoints")
    if not isinstance(checkpoints, list):
        raise PayloadShapeError(_("msg.checkpoints must be a list of checkpoints."))
    slug, number = msg.get("slug"), msg.get("tracking_number")
    events = []
    for checkpoint in checkpoints:
        if not isinstance(checkpoint, dict):
            events.append(checkpoint)  # reported as an invalid event, not the whole body
            continue
        events.append({
            "carrier": checkpoint.get("slug") or slug, "tracking_number": number,
            "occurred_at": checkpoint.get("checkpoint_time"),
            "status": checkpoint.get("tag"), "sub_status": checkpoint.get("subtag") or "",
            "location": _location(checkpoint),
            "carrier_code": checkpoint.get("raw_tag") or checkpoint.get("subtag") or "",
            "description": checkpoint.get("message") or "",
            "estimated_delivery": msg.get("expected_delivery"),
        })
    return events


def events_from_payload(body: Any) -> tuple[list[Any], str]:
    """The events of a webhook body and their source ("webhook" or "aftership")."""
    if not isinstance(body, dict):
        raise PayloadShapeError(_("The body must be a JSON object."))
    if "events" in body:
        if not isinstance(body["events"], list):
            raise PayloadShapeError(_("`events` must be a list of tracking events."))
        return body["events"], "webhook"
    msg = body.get("msg")
    if isinstance(msg, dict) and "checkpoints" in msg:
        return _aftership_events(msg), "aftership"
    raise PayloadShapeError(_("Send {\"events\": [...]} or an AfterShip tracking_update "
                              "with msg.checkpoints."))
