"""Checkout payment API: one Stripe PaymentIntent per quote."""

from __future__ import annotations

from app.api import bp
from app.api.core import api_user, idempotent, token_required
from app.api.openapi import operation, ref, schema
from app.core.transaction import commit, rollback
from app.errors import json_error
from app.providers.payments import payment_provider
from app.services.errors import DomainError
from app.services.payments import quote_payments as payments
from app.web.links import site_links

PAYMENT_SCHEMA = schema("CheckoutPayment", {
    "type": "object", "required": ["payment_intent_id", "client_secret", "amount"],
    "properties": {
        "payment_intent_id": {"type": "string"},
        "client_secret": {"type": "string",
                          "description": "Confirm the payment with Stripe.js or the mobile "
                                         "SDKs; never log or store it."},
        "amount": ref("Money"),
        "status": {"type": "string", "description": "The intent's Stripe status."},
        "publishable_key": {"type": "string"},
    },
})


@bp.post("/checkout/quotes/<int:quote_id>/payment")
@operation(summary="Start (or resume) paying a quote", tags=["checkout"], idempotent=True,
           responses={201: PAYMENT_SCHEMA, 401: None, 404: None, 409: None, 422: None,
                      503: ref("Error")},
           description="Creates the quote's one Stripe PaymentIntent in the quote's currency "
                       "and returns its client secret; calling again for the same quote "
                       "returns the same intent, so a double submit never charges twice. "
                       "409 `quote_expired` once the quote has expired, "
                       "`quote_already_paid` / `quote_not_payable` for a closed quote; 422 "
                       "`amount_below_minimum`, `amount_above_maximum` or "
                       "`amount_not_chargeable` when Stripe could not charge the total; "
                       "503 `payment_provider_unavailable` when Stripe cannot be reached.")
@token_required("write")
@idempotent()
def start_payment(quote_id: int):
    """The quote's PaymentIntent with its client secret."""
    try:
        payment = payments.prepare_payment(api_user(), quote_id, links=site_links)
        # The row and its idempotency key are durable before Stripe is called.
        commit()
        session = payments.open_payment_intent(payment, links=site_links)
        commit()
    except DomainError as exc:
        # Answered (not raised) so the Idempotency-Key claim committed above is released.
        rollback()
        return json_error(exc.status, exc.code, exc.message, exc.fields)
    return {"payment_intent_id": session.intent_id, "client_secret": session.client_secret,
            "amount": session.amount.to_api(), "status": session.status,
            "publishable_key": payment_provider().publishable_key}, 201
