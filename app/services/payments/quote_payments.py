"""Paying a quote: one PaymentIntent per quote, and the idempotent fulfilment of its outcome.

Starting a payment is two steps with a commit between them (the edge does it):
`prepare_payment` writes the Payment row with our own idempotency key, and
`open_payment_intent` calls the provider with that key, holding the payment row's lock
until the edge commits, so concurrent calls for one quote wait and then reuse the intent
the first one stored. A crash between the call and the next commit leaves a row whose
retry reuses the key, so Stripe hands back the same intent instead of creating a second
one; `flask payments reconcile` finds such rows.

`record_intent_outcome` is the one place an intent's state becomes ours. The webhook,
the return page and reconcile all call it with the intent as the provider reports it
now (never the possibly stale copy inside an event), so events arriving out of order or
twice, and a webhook racing the return page, act once: the change of Payment.state is a
conditional UPDATE that only one transaction can win.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Order, Payment, Quote, QuoteGroup, QuoteLine, User, utcnow
from app.money import Money
from app.providers.payments import (
    Intent,
    PaymentProviderError,
    SandboxStripeProvider,
    payment_provider,
)
from app.services import inventory
from app.services.accounts import format_local_time, mail_time_zone
from app.services.catalog import cover_images
from app.services.checkout import (
    QuoteExpired,
    ensure_quote_payable,
    find_cart,
    get_quote,
    remove_item,
)
from app.services.errors import Conflict, DomainError, NotFound
from app.services.mail import EmailLinks, queue_email
from app.services.orders import create_orders_for_quote, orders_for_quote
from app.services.payments.charge_limits import check_chargeable

log = logging.getLogger("qiao.payments")

QUOTE_OWNER = "checkout_quote"
PAYMENTS = Payment.__table__
OPEN_STATES = ("created", "processing")


class QuoteNotPayable(Conflict):
    """The quote is paid, or its payment failed or was cancelled (start a new checkout)."""

    code = "quote_not_payable"


class PaymentUnavailable(DomainError):
    """The payment provider cannot be reached; nothing was charged, try again shortly."""

    code = "payment_provider_unavailable"
    status = 503


class PaymentRejected(DomainError):
    """The payment provider refused the request."""

    code = "payment_rejected"
    status = 422


@dataclass(frozen=True)
class PaymentSession:
    """What the browser or app needs to confirm a payment with Stripe.js."""

    payment: Payment
    intent_id: str
    client_secret: str
    status: str
    amount: Money


def _provider_error(exc: PaymentProviderError) -> DomainError:
    if exc.unavailable:
        return PaymentUnavailable(
            _("The payment service is unavailable right now. Nothing was charged; "
              "please try again in a moment."))
    return PaymentRejected(exc.message)


def hold_until(payment: Payment, quote: Quote) -> datetime:
    """How long a started payment keeps the quote's stock reserved."""
    hold = timedelta(minutes=current_app.config.get("PAYMENT_HOLD_MINUTES", 30))
    return max(quote.expires_at, payment.created_at + hold)


def prepare_payment(user: User, quote_id: int, *, links: EmailLinks,
                    now: datetime | None = None) -> Payment:
    """The quote's Payment row, created with its idempotency key on the first call.

    A second call for the same quote (a double submit, a reload) returns the same row.
    """
    now = now or utcnow()
    quote = get_quote(user, quote_id)
    payment = quote.payment
    if payment is None:
        if quote.state not in ("open", "paying"):
            raise QuoteNotPayable(_("This checkout is closed. Start a new one from your cart."))
        ensure_quote_payable(quote, now=now)
        amount = Money(quote.total_minor, quote.currency)
        check_chargeable(amount)
        payment = Payment(quote_id=quote.id, idempotency_key=f"qiao-pay-{uuid.uuid4().hex}",
                          state="created", currency=quote.currency,
                          amount_minor=amount.minor, provider=payment_provider().name)
        try:
            with db.session.begin_nested():
                db.session.add(payment)
                db.session.flush()
        except IntegrityError:
            # A concurrent submit for this quote won: use its row.
            db.session.expire(quote)
            payment = db.session.scalar(select(Payment).where(Payment.quote_id == quote.id))
            if payment is None:
                raise
            return payment
        quote.state = "paying"
        inventory.extend_owner_reservations(QUOTE_OWNER, quote.id, hold_until(payment, quote))
        return payment
    if payment.state == "succeeded":
        raise QuoteNotPayable(_("This checkout has already been paid."),
                              code="quote_already_paid")
    if payment.state not in OPEN_STATES:
        raise QuoteNotPayable(_("This payment did not go through, and its items were "
                                "released. Start a new checkout from your cart."))
    if now > hold_until(payment, quote):
        expire_payment(payment, links=links, now=now)
        if payment.state == "succeeded":
            raise QuoteNotPayable(_("This checkout has already been paid."),
                                  code="quote_already_paid")
        raise QuoteExpired(_("This checkout expired before it was paid. Start a new one "
                             "from your cart."))
    return payment


def open_payment_intent(payment: Payment, *, links: EmailLinks) -> PaymentSession:
    """Create the payment's intent with its stored key, or fetch the one it has.

    Concurrent calls for one payment queue on its row (FOR UPDATE on PostgreSQL; on SQLite
    the write transaction's lock) until the first has stored its intent and committed;
    the others then read the intent id and answer with the same intent, so one quote
    never gets two, whatever the provider does with repeated idempotency keys.
    """
    db.session.flush()
    db.session.refresh(payment, with_for_update=True)
    provider = payment_provider()
    amount = Money(payment.amount_minor, payment.currency)
    try:
        if payment.intent_id:
            intent = provider.retrieve_intent(payment.intent_id)
        else:
            quote = payment.quote
            intent = provider.create_intent(
                amount, idempotency_key=payment.idempotency_key,
                metadata={"qiao_payment_id": str(payment.id), "qiao_quote_id": str(quote.id),
                          "qiao_reference": quote.reference})
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    if not _matches(payment, intent):
        raise PaymentRejected(_("Intent %(intent)s does not match payment %(payment)s.",
                                intent=intent.id, payment=payment.id))
    payment.intent_id = intent.id
    if intent.status in ("succeeded", "processing"):
        record_intent_outcome(intent, links=links)
    return PaymentSession(payment=payment, intent_id=intent.id,
                          client_secret=intent.client_secret, status=intent.status,
                          amount=amount)


def payment_for_quote(user: User, quote_id: int) -> Payment | None:
    """The payment of one of the user's quotes, if one was started."""
    return get_quote(user, quote_id).payment


def sync_payment(payment: Payment, *, links: EmailLinks) -> str:
    """Ask the provider how the payment stands and record it (the return page, reconcile)."""
    if payment.intent_id is None:
        return "no intent"
    try:
        intent = payment_provider().retrieve_intent(payment.intent_id)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    return record_intent_outcome(intent, links=links)[1]


def confirm_sandbox_payment(user: User, quote_id: int, token_id: str, *,
                            links: EmailLinks) -> Intent:
    """Sandbox only: confirm the quote's intent with a card token from Stripe.js."""
    provider = payment_provider()
    if not isinstance(provider, SandboxStripeProvider):
        raise NotFound(_("No such page."))
    payment = payment_for_quote(user, quote_id)
    if payment is None or payment.intent_id is None:
        raise NotFound(_("This checkout has no payment yet."))
    if not isinstance(token_id, str) or not token_id.startswith("tok_") or len(token_id) > 255:
        raise PaymentRejected(_("The card could not be read. Check the details and try again."),
                              code="invalid_card_token")
    try:
        intent = provider.confirm_with_token(payment.intent_id, token_id)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    record_intent_outcome(intent, links=links)
    return intent


def _matches(payment: Payment, intent: Intent) -> bool:
    return intent.amount == Money(payment.amount_minor, payment.currency)


def _payment_for_intent(intent: Intent) -> Payment | None:
    payment = db.session.scalar(select(Payment).where(Payment.intent_id == intent.id))
    if payment is None and intent.metadata.get("qiao_payment_id", "").isdigit():
        # The intent was created but our row never learnt its id (a crash after the call).
        candidate = db.session.get(Payment, int(intent.metadata["qiao_payment_id"]))
        if candidate is not None and candidate.intent_id is None:
            candidate.intent_id = intent.id
            payment = candidate
    return payment


def record_intent_outcome(intent: Intent, *, links: EmailLinks, now: datetime | None = None
                          ) -> tuple[Payment | None, str]:
    """Apply the intent's current state to its payment, at most once per change."""
    now = now or utcnow()
    payment = _payment_for_intent(intent)
    if payment is None:
        return None, "not a Qiao payment"
    if not _matches(payment, intent):
        log.error("intent %s amount %s (%s) does not match payment %s", intent.id,
                  intent.amount, intent.currency, payment.id)
        return payment, "amount mismatch: ignored"
    if intent.status == "succeeded":
        orders = fulfil_payment(payment, links=links, now=now)
        return payment, f"succeeded: {len(orders)} order(s)"
    if intent.status == "processing":
        _set_state(payment, "processing", ("created",))
        return payment, "processing"
    if intent.status == "canceled":
        closed = close_payment(payment, "canceled", reason="cancelled at the provider", now=now)
        return payment, "canceled" if closed else "already closed"
    if intent.status == "requires_payment_method" and intent.last_error:
        failed = fail_payment(payment, intent.last_error, now=now)
        return payment, "failed" if failed else "already closed"
    return payment, f"waiting ({intent.status})"


def _set_state(payment: Payment, state: str, from_states: tuple[str, ...], **values) -> bool:
    """The conditional UPDATE that lets exactly one transaction make a change."""
    db.session.flush()
    result = db.session.execute(
        update(PAYMENTS).where(PAYMENTS.c.id == payment.id, PAYMENTS.c.state.in_(from_states))
        .values(state=state, updated_at=utcnow(), **values))
    db.session.expire(payment)
    return result.rowcount == 1


def fulfil_payment(payment: Payment, *, links: EmailLinks, now: datetime | None = None
                   ) -> list[Order]:
    """Turn a succeeded payment into orders holding their stock, e-mail the shopper; once."""
    now = now or utcnow()
    if not _set_state(payment, "succeeded",
                      ("created", "processing", "failed", "canceled"),
                      succeeded_at=now, failure_message=""):
        return orders_for_quote(payment.quote_id)
    quote = payment.quote
    orders = create_orders_for_quote(quote, payment, now=now)
    shortages = _hold_stock(quote, {order.store_id: order.id for order in orders}, now)
    for order in orders:
        for shortage in shortages.get(order.store_id, []):
            order.events[-1].reason += f"; {shortage}"
    quote.state = "paid"
    quote.closed_at = now
    _remove_bought_items(quote)
    _send_confirmation(quote, orders, links)
    return orders


def _hold_stock(quote: Quote, orders_by_store: dict[int, int], now: datetime
                ) -> dict[int, list[str]]:
    """Hand the quote's holds to its orders; re-reserve what expired meanwhile.

    The units stay reserved, now for the orders: the merchant's shipment commits them
    from the warehouse the parcel leaves, and a refund or cancellation releases them.
    (Until this change they were committed here, at payment; such orders still ship.)
    Returns per store the SKUs that could not be covered (the money is taken, so the
    orders are still created and the merchant sees the shortage on the order).
    """
    covered: dict[int, int] = {}
    for reservation in inventory.owner_reservations(QUOTE_OWNER, quote.id):
        covered[reservation.level.variant_id] = \
            covered.get(reservation.level.variant_id, 0) + reservation.quantity
    # First, so reserving the missing units below cannot expire a hold still counted.
    inventory.hold_for_orders((QUOTE_OWNER, quote.id), orders_by_store, now=now)
    lines = db.session.execute(
        select(QuoteLine.variant_id, QuoteLine.sku, QuoteLine.quantity, QuoteGroup.store_id)
        .join(QuoteGroup, QuoteGroup.id == QuoteLine.group_id)
        .where(QuoteGroup.quote_id == quote.id).order_by(QuoteLine.variant_id)).all()
    shortages: dict[int, list[str]] = {}
    needed: dict[int, tuple[str, int, int]] = {}
    for variant_id, sku, quantity, store_id in lines:
        _, have, _ = needed.get(variant_id, (sku, 0, store_id))
        needed[variant_id] = (sku, have + quantity, store_id)
    for variant_id, (sku, quantity, store_id) in needed.items():
        missing = quantity - covered.get(variant_id, 0)
        if missing <= 0:
            continue
        try:
            inventory.reserve_stock(None, variant_id, missing, owner_type=QUOTE_OWNER,
                                    owner_id=quote.id, ship_to=quote.destination_country,
                                    now=now)
        except DomainError:
            shortages.setdefault(store_id, []).append(f"stock short: {sku} x{missing}")
    inventory.hold_for_orders((QUOTE_OWNER, quote.id), orders_by_store, now=now)
    return shortages


def fail_payment(payment: Payment, message: str, *, now: datetime | None = None) -> bool:
    """A declined payment: release the stock, close the quote and cancel the intent."""
    return close_payment(payment, "failed", reason=message, now=now)


def close_payment(payment: Payment, state: str, *, reason: str,
                  now: datetime | None = None) -> bool:
    """Record a payment that will not succeed; False if it was already closed or paid."""
    now = now or utcnow()
    if not _set_state(payment, state, OPEN_STATES, failure_message=reason[:2000]):
        return False
    quote = payment.quote
    inventory.release_owner_reservations(None, QUOTE_OWNER, quote.id,
                                         reason=f"payment {state}", now=now)
    quote.state = "failed" if state == "failed" else "cancelled"
    quote.closed_at = now
    if state == "failed" and payment.intent_id:
        # So nothing can be charged on an intent whose stock is no longer held.
        try:
            payment_provider().cancel_intent(payment.intent_id)
        except PaymentProviderError as exc:
            log.warning("could not cancel intent %s: %s", payment.intent_id, exc.message)
    return True


def expire_payment(payment: Payment, *, links: EmailLinks, now: datetime | None = None) -> str:
    """A payment whose hold ran out: record a late success, or cancel the intent."""
    now = now or utcnow()
    provider = payment_provider()
    try:
        if payment.intent_id:
            intent = provider.retrieve_intent(payment.intent_id)
            if intent.status in ("succeeded", "processing", "canceled"):
                return record_intent_outcome(intent, links=links, now=now)[1]
            provider.cancel_intent(payment.intent_id)
    except PaymentProviderError as exc:
        raise _provider_error(exc) from None
    if close_payment(payment, "canceled", reason="expired before payment", now=now):
        payment.quote.state = "expired"
        return "expired"
    return "already closed"


def _remove_bought_items(quote: Quote) -> None:
    """Take what was bought out of the shopper's cart; anything added since stays."""
    user = db.session.get(User, quote.user_id)
    cart = find_cart(user=user) if user else None
    if cart is None:
        return
    bought = {line.variant_id for group in quote.groups for line in group.lines}
    for item in list(cart.items):
        if item.variant_id in bought:
            remove_item(cart, item.id)


def _send_confirmation(quote: Quote, orders: list[Order], links: EmailLinks) -> None:
    user = db.session.get(User, quote.user_id)
    if user is None or not orders:
        return
    with force_locale(user.locale or "en"):
        subject = _("Your Qiao order %(reference)s is confirmed", reference=quote.reference)
        # The bare template environment: e-mails are also sent outside requests (webhooks
        # replayed by reconcile), where the site's page context processors cannot run.
        covers = cover_images(line.product_id for order in orders for line in order.lines)
        context = {
            "user": user, "quote": quote, "orders": orders, "subject": subject,
            "money": lambda minor, currency: Money(minor, currency).format(user.locale or "en"),
            "links": {order.id: links.order(order.id) for order in orders},
            # No browser reports the reader's zone to an e-mail: the account's zone says it.
            "placed_at": format_local_time(orders[0].created_at, mail_time_zone(user),
                                           user.locale or "en"),
            # Absolute photo URLs through the site, as the order links are.
            "photos": {product_id: links.media(image.keys.get("thumb") or image.keys["medium"])
                       for product_id, image in covers.items()},
        }
        templates = current_app.jinja_env
        body = templates.get_template("email/order_confirmation.txt").render(context)
        html = templates.get_template("email/order_confirmation.html").render(context)
    queue_email(user.email, subject, body, purpose="order_confirmation", html=html)
