"""The tracking webhook's rules: a signed raw body, a bounded batch, one outcome per event.

Signature: `X-Qiao-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body with
TRACKING_WEBHOOK_SECRET. An AfterShip account can point its webhook here directly: its
`aftership-hmac-sha256` header (the same HMAC, base64) is accepted too when the secret is
the AfterShip webhook secret. An empty secret turns the webhook off: every delivery gets
503 `tracking_webhook_disabled`, so senders keep retrying until it is configured instead of
their events being dropped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.services.errors import DomainError, ValidationFailed
from app.services.logistics.tracking import IngestReport, ingest_tracking_events
from app.services.logistics.tracking_formats import PayloadShapeError, events_from_payload
from app.services.mail import EmailLinks


class BadTrackingSignature(DomainError):
    """The signature header is missing or does not match the body."""

    code = "invalid_signature"
    status = 400


class TrackingWebhookDisabled(DomainError):
    """No TRACKING_WEBHOOK_SECRET is configured."""

    code = "tracking_webhook_disabled"
    status = 503


class MalformedTrackingBody(DomainError):
    """The body is not JSON at all."""

    code = "malformed_json"
    status = 400


def verify_tracking_signature(raw: bytes, headers: Mapping[str, str], secret: str) -> None:
    """Accept the body only with a valid signature (constant-time comparison)."""
    if not secret:
        raise TrackingWebhookDisabled(_("The tracking webhook is not configured "
                                        "(TRACKING_WEBHOOK_SECRET is empty)."))
    digest = hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).digest()
    qiao = headers.get("X-Qiao-Signature", "").strip()
    if qiao:
        scheme, _sep, given = qiao.partition("=")
        if scheme == "sha256" and hmac.compare_digest(given.strip().lower(), digest.hex()):
            return
        raise BadTrackingSignature(_("X-Qiao-Signature does not match the body."))
    aftership = headers.get("aftership-hmac-sha256", "").strip()
    if aftership:
        if hmac.compare_digest(aftership, base64.b64encode(digest).decode("ascii")):
            return
        raise BadTrackingSignature(_("aftership-hmac-sha256 does not match the body."))
    raise BadTrackingSignature(_("Sign the body: X-Qiao-Signature: sha256=<hex HMAC-SHA256>."))


def receive_tracking_webhook(raw: bytes, headers: Mapping[str, str], *, secret: str,
                             max_events: int, links: EmailLinks) -> IngestReport:
    """Verify, parse and ingest one webhook delivery; the per-event outcomes."""
    verify_tracking_signature(raw, headers, secret)
    try:
        body: Any = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise MalformedTrackingBody(_("The body is not valid JSON: %(problem)s.",
                                      problem=exc)) from None
    try:
        events, source = events_from_payload(body)
    except PayloadShapeError as exc:
        raise ValidationFailed(exc.message, code="invalid_payload") from None
    if not events:
        raise ValidationFailed(_("The delivery has no events."), code="no_events")
    if len(events) > max_events:
        raise ValidationFailed(_("At most %(n)d events per delivery; send the rest in "
                                 "further deliveries.", n=max_events), code="too_many_events")
    return ingest_tracking_events(events, source=source, links=links)
