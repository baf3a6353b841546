"""Incoming provider webhooks (Stripe), authenticated by their signature."""

from __future__ import annotations

from flask import request

from app.api import bp
from app.api.openapi import operation, ref
from app.core.metrics import PAYMENT_OUTCOMES, WEBHOOKS, outcome_label
from app.core.transaction import commit
from app.services import ads
from app.services.errors import DomainError
from app.services.payments.webhooks import receive_stripe_event
from app.web.links import site_links

RECEIPT = {
    "type": "object", "required": ["received", "event_id", "duplicate"],
    "properties": {"received": {"type": "boolean"}, "event_id": {"type": "string"},
                   "duplicate": {"type": "boolean"}, "outcome": {"type": "string"}},
}


@bp.post("/webhooks/stripe")
@operation(summary="Stripe events", tags=["webhooks"], auth=False,
           request={"type": "object", "description": "A Stripe event, signed in the "
                                                     "Stripe-Signature header."},
           params=[{"name": "Stripe-Signature", "in": "header", "required": True,
                    "schema": {"type": "string"}}],
           responses={200: RECEIPT, 400: None, 503: ref("Error")},
           description="The signature is checked on the raw body (400 `invalid_signature` "
                       "when it fails; 400 `invalid_event` when a signed body is not a "
                       "Stripe event). Each event id is acted on once; a redelivery answers "
                       "200 with `duplicate: true`; an event for a PaymentIntent Stripe does "
                       "not know is acknowledged (200, outcome `unknown payment intent`) "
                       "and logged. A refund of an ad top-up made at Stripe (`charge."
                       "refunded`, `refund.created`, `refund.updated`) is looked up at "
                       "Stripe and debited from the ad balance once per refund; what the "
                       "balance no longer holds is owed (the account's ads pause until a "
                       "top-up pays it). 503 asks Stripe to deliver again later, only while "
                       "Stripe itself cannot be reached.")
def stripe_webhook():
    """Verify, store and process one Stripe event."""
    try:
        receipt = receive_stripe_event(
            request.get_data(cache=False), request.headers.get("Stripe-Signature", ""),
            links=site_links, intent_handlers={ads.TOPUP_PURPOSE: ads.record_topup_outcome},
            refund_handlers={ads.TOPUP_PURPOSE: ads.record_topup_refunds})
    except DomainError as exc:
        WEBHOOKS.labels(provider="stripe", result=exc.code).inc()
        raise
    body = {"received": True, "event_id": receipt.event.event_id,
            "duplicate": receipt.duplicate, "outcome": receipt.event.outcome}
    commit()
    WEBHOOKS.labels(provider="stripe",
                    result="duplicate" if receipt.duplicate else "processed").inc()
    if not receipt.duplicate and receipt.event.outcome:
        PAYMENT_OUTCOMES.labels(source="webhook",
                                outcome=outcome_label(receipt.event.outcome)).inc()
    return body
