"""Reconcile: record payment and refund outcomes that never reached us.

A crash right after Stripe charged the card (before the webhook arrived or the return
page was seen), a lost webhook, or a refund whose provider call never answered leaves a
row in a waiting state. Reconcile asks Stripe how each one stands and records it with
the same idempotent functions the webhook uses; an intent never learnt by its row is
found again by re-sending the create call with the row's stored idempotency key. A refund
Stripe accepted as pending and settled later, whose webhook was lost, is asked about by
its own sweep (`sync_pending_refunds`, the `sync-pending-refunds` job).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Payment, Refund, utcnow
from app.providers.payments import PaymentProviderError, payment_provider
from app.services.mail import EmailLinks
from app.services.payments.quote_payments import (
    OPEN_STATES,
    PaymentUnavailable,
    expire_payment,
    hold_until,
    open_payment_intent,
    sync_payment,
)
from app.services.payments.refunds import (
    pending_refunds,
    record_refund_status,
    submit_refund,
)

# Leave payments alone while a shopper may still be typing their card number.
DEFAULT_MIN_AGE = timedelta(minutes=5)


def stale_payments(*, older_than: timedelta = DEFAULT_MIN_AGE, now: datetime | None = None,
                   limit: int = 200) -> list[Payment]:
    """Payments still created/processing after `older_than`, oldest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Payment).where(Payment.state.in_(OPEN_STATES),
                              Payment.created_at <= now - older_than)
        .order_by(Payment.id).limit(limit)))


def reconcile_payment(payment: Payment, *, links: EmailLinks, now: datetime | None = None
                      ) -> str:
    """Record what Stripe says about one waiting payment."""
    now = now or utcnow()
    if payment.intent_id is None:
        # The same key makes Stripe return the intent if the first call reached it.
        open_payment_intent(payment, links=links)
    outcome = sync_payment(payment, links=links)
    if payment.state in OPEN_STATES and now > hold_until(payment, payment.quote):
        outcome = expire_payment(payment, links=links, now=now)
    return outcome


def reconcile_refunds() -> list[str]:
    """Send refunds left pending again, with their stored keys."""
    lines = []
    for refund in pending_refunds():
        submit_refund(refund)
        lines.append(f"refund {refund.id}: {refund.state}")
    return lines


def sync_pending_refunds(*, older_than: timedelta, now: datetime | None = None,
                         limit: int = 200) -> list[str]:
    """Ask the provider about refunds it took as pending more than `older_than` ago (their
    webhook may be lost) and record each outcome as the webhook would; one line each.
    """
    cutoff = (now or utcnow()) - older_than
    waiting = db.session.scalars(
        select(Refund).where(Refund.state == "pending", Refund.provider_refund_id.is_not(None),
                             Refund.created_at <= cutoff)
        .order_by(Refund.id).limit(limit)).all()
    provider = payment_provider()
    lines = []
    for refund in waiting:
        try:
            answer = provider.retrieve_refund(refund.provider_refund_id, refund.currency)
        except PaymentProviderError as exc:
            lines.append(f"refund {refund.id}: no answer ({exc.message}); try later")
            continue
        outcome = record_refund_status(refund, answer.status, answer.failure_reason)
        lines.append(f"refund {refund.id} ({refund.provider_refund_id}): {outcome}")
    return lines


def reconcile_payments(*, links: EmailLinks, older_than: timedelta = DEFAULT_MIN_AGE,
                       now: datetime | None = None) -> list[str]:
    """Reconcile every waiting payment and refund; one summary line each."""
    provider = payment_provider()
    lines = []
    for payment in stale_payments(older_than=older_than, now=now):
        try:
            with db.session.begin_nested():
                outcome = reconcile_payment(payment, links=links, now=now)
        except (PaymentUnavailable, PaymentProviderError) as exc:
            outcome = f"provider unavailable ({getattr(exc, 'message', exc)}); try later"
        lines.append(f"payment {payment.id} ({payment.intent_id or 'no intent'} on "
                     f"{provider.name}): {outcome}")
    return lines + reconcile_refunds()
