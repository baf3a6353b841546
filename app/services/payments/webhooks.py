"""Stripe webhook events: verified on the raw body, stored once per event id, acted on once.

A redelivered event finds its stored row and does nothing. Events may arrive out of
order (a `payment_failed` after the `succeeded` of a retry), so a payment event is only
a prompt: the intent is fetched from Stripe and its current state is recorded through
app.services.payments.quote_payments.record_intent_outcome, which changes each payment at most once.

Intents of other purposes (an ad account top-up carries `qiao_purpose` in its metadata)
go to the handler the edge passes in `intent_handlers`: payments knows nothing of the
domains that use it, so the webhook route does the wiring. Refunds made at Stripe (the
dashboard, a dispute) of such an intent go to its `refund_handlers` entry, which asks
Stripe for the intent's refunds itself: the event is only a prompt there too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Refund, WebhookEvent, utcnow
from app.providers.payments import (
    Intent,
    InvalidSignature,
    PaymentProviderError,
    payment_provider,
)
from app.services.errors import DomainError
from app.services.mail import EmailLinks
from app.services.payments.quote_payments import PaymentUnavailable, record_intent_outcome
from app.services.payments.refunds import record_refund_status

log = logging.getLogger("qiao.payments.webhooks")
PAYMENT_INTENT_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed",
                         "payment_intent.canceled", "payment_intent.processing")
REFUND_EVENTS = ("refund.updated", "refund.failed", "charge.refund.updated")
# Events that may announce a refund made at Stripe rather than by Qiao.
REFUNDED_EVENTS = ("charge.refunded", "refund.created", "refund.updated")
# `qiao_purpose` of an intent -> what records its outcome (returns the outcome text).
IntentHandlers = Mapping[str, Callable[[Intent], str]]


class BadSignature(DomainError):
    """The webhook's Stripe-Signature does not match its body."""

    code = "invalid_signature"
    status = 400


class MalformedEvent(DomainError):
    """A correctly signed body that is not a Stripe event Qiao can store."""

    code = "invalid_event"
    status = 400


@dataclass(frozen=True)
class Receipt:
    """What became of one delivery."""

    event: WebhookEvent
    duplicate: bool


def receive_stripe_event(payload: bytes, signature: str, *, links: EmailLinks,
                         intent_handlers: IntentHandlers | None = None,
                         refund_handlers: IntentHandlers | None = None) -> Receipt:
    """Verify, store and process one delivery; a replay is recognised and ignored."""
    try:
        data = payment_provider().verify_event(payload, signature or "")
    except InvalidSignature as exc:
        raise BadSignature(_("The webhook signature is invalid: %(problem)s",
                             problem=exc)) from None
    obj, created = _check_shape(data)
    event = WebhookEvent(
        provider="stripe", event_id=data["id"], event_type=str(data.get("type", ""))[:80],
        object_id=obj["id"] if isinstance(obj.get("id"), str) else None, payload=data,
        provider_created_at=created)
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(select(WebhookEvent).where(
            WebhookEvent.provider == "stripe", WebhookEvent.event_id == data["id"]))
        if existing is None:
            raise
        return Receipt(event=existing, duplicate=True)
    event.outcome = process_event(event, links=links, intent_handlers=intent_handlers,
                                  refund_handlers=refund_handlers)
    event.processed_at = utcnow()
    return Receipt(event=event, duplicate=False)


def _check_shape(data: dict[str, Any]) -> tuple[dict[str, Any], datetime | None]:
    """The event's object and creation time; MalformedEvent when the body is not an event.

    The signature proves the body came from Stripe (or whoever holds the secret), not that
    it has an event's shape; answering 400 tells the sender the body, not the server, is at
    fault.
    """
    payload = data.get("data")
    obj = payload.get("object") if isinstance(payload, dict) else None
    created = data.get("created")
    problems = []
    if not 0 < len(data["id"]) <= 255:
        problems.append("id must be 1 to 255 characters")
    if not isinstance(data.get("type", ""), str):
        problems.append("type must be a string")
    if not isinstance(obj, dict):
        problems.append("data.object must be an object")
    elif obj.get("id") is not None and not (isinstance(obj["id"], str)
                                            and len(obj["id"]) <= 255):
        problems.append("data.object.id must be a string of at most 255 characters")
    # Seconds since 1970, up to the year 9999 (fromtimestamp raises past that).
    if created is not None and not (isinstance(created, int) and not isinstance(created, bool)
                                    and 0 <= created < 253402300800):
        problems.append("created must be a Unix timestamp")
    if problems:
        raise MalformedEvent(_("The signed body is not a Stripe event: %(problems)s.",
                               problems="; ".join(problems)))
    return obj, datetime.fromtimestamp(created, UTC) if created is not None else None


def process_event(event: WebhookEvent, *, links: EmailLinks,
                  intent_handlers: IntentHandlers | None = None,
                  refund_handlers: IntentHandlers | None = None) -> str:
    """Act on a stored event; returns what happened, for the log."""
    if event.event_type in PAYMENT_INTENT_EVENTS and event.object_id:
        intent = _fetch_intent(event, event.object_id)
        if intent is None:
            return "unknown payment intent"
        handler = (intent_handlers or {}).get(intent.metadata.get("qiao_purpose", ""))
        if handler is not None:
            return handler(intent)
        return record_intent_outcome(intent, links=links)[1]
    outcome = "ignored"
    if event.event_type in REFUND_EVENTS and event.object_id:
        outcome = _refund_update(event.object_id, event.payload["data"]["object"])
    if event.event_type in REFUNDED_EVENTS and outcome in ("ignored", "not a Qiao refund"):
        outcome = _refund_at_provider(event, refund_handlers or {}) or outcome
    return outcome


def _refund_at_provider(event: WebhookEvent, handlers: IntentHandlers) -> str | None:
    """Hand a refund of an intent of another purpose (made at Stripe) to its handler."""
    intent_id = event.payload["data"]["object"].get("payment_intent")
    if not handlers or not isinstance(intent_id, str) or not intent_id:
        return None
    intent = _fetch_intent(event, intent_id)
    if intent is None:
        return "unknown payment intent"
    handler = handlers.get(intent.metadata.get("qiao_purpose", ""))
    return handler(intent) if handler is not None else None


def _fetch_intent(event: WebhookEvent, intent_id: str) -> Intent | None:
    """The intent an event names, None when Stripe does not know it; PaymentUnavailable
    (a 503, so Stripe delivers again) while Stripe cannot be reached.
    """
    try:
        return payment_provider().retrieve_intent(intent_id)
    except PaymentProviderError as exc:
        if not exc.unavailable:
            # Stripe says no such intent (another account's, or a test event): asking
            # for a redelivery would only fail the same way for days, so acknowledge it.
            log.warning("Stripe event %s names payment intent %s, which Stripe does not "
                        "know: %s", event.event_id, intent_id, exc.message)
            return None
        # Answering with an error makes Stripe deliver the event again later.
        raise PaymentUnavailable(_("Could not fetch %(id)s: %(problem)s", id=intent_id,
                                   problem=exc.message)) \
            from None


def _refund_update(provider_refund_id: str, obj: dict[str, Any]) -> str:
    """A refund Stripe finished later (or failed) after first reporting it pending."""
    refund = db.session.scalar(select(Refund).where(
        Refund.provider_refund_id == provider_refund_id))
    if refund is None:
        return "not a Qiao refund"
    return record_refund_status(refund, obj.get("status"), obj.get("failure_reason") or "")
