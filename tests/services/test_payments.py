"""Paying a quote against localstripe: one intent per quote, idempotent fulfilment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Order, Payment, Reservation, utcnow
from app.services import inventory
from app.services.checkout.quotes import QuoteExpired
from app.services.errors import DomainError
from app.services.orders.lifecycle import orders_for_quote
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.localstripe_server import CARD_DECLINED

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop(currency="USD", country="US", price="25", stock=10)


@pytest.fixture
def shopper(make_user):
    return make_user(email="buyer@example.test")


def start(user, quote):
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    session = payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    return session


def reserved(variant):
    return sum(r.quantity for r in db.session.scalars(
        select(Reservation).join(Reservation.level)
        .where(Reservation.state == "active"))
        if r.level.variant_id == variant.id)


def test_intent_in_presentment_currency_with_stored_key(stripe_sandbox, shop, shopper,
                                                         make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 2)], currency="JPY", country="JP")
    session = start(shopper, quote)
    intent = stripe_sandbox.intent(session.intent_id)
    assert intent["currency"] == "jpy"
    assert intent["amount"] == quote.total_minor  # JPY: Stripe and ISO agree
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == quote.id))
    assert payment.intent_id == session.intent_id
    assert stripe_sandbox.proxy.keys_for("/v1/payment_intents") == [payment.idempotency_key]


def test_double_submit_returns_the_same_intent(stripe_sandbox, shop, shopper, make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    first = start(shopper, quote)
    second = start(shopper, quote)
    assert first.intent_id == second.intent_id
    assert first.client_secret == second.client_secret
    assert len(stripe_sandbox.proxy.keys_for("/v1/payment_intents")) == 1


def test_retry_after_a_crash_reuses_the_key(stripe_sandbox, shop, shopper, make_quote):
    """The row (and key) was committed, the call went out, the answer was lost."""
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    payment = payments.prepare_payment(shopper, quote.id, links=site_links)
    db.session.commit()
    first = payments.open_payment_intent(payment, links=site_links)
    payment.intent_id = None  # the crash: our row never learnt the id
    db.session.commit()
    again = payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    assert again.intent_id == first.intent_id
    keys = stripe_sandbox.proxy.keys_for("/v1/payment_intents")
    assert keys == [payment.idempotency_key, payment.idempotency_key]


def test_success_creates_orders_holding_their_stock_and_mails(stripe_sandbox, make_checkout_shop,
                                                        shopper, make_quote, outbox):
    tea = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    cups = make_checkout_shop(currency="CNY", country="CN", price="80", stock=10)
    quote = make_quote(shopper, [(tea.variants[0], 2), (cups.variants[0], 1)],
                       currency="USD", country="US")
    session = start(shopper, quote)
    payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                     links=site_links)
    db.session.commit()
    placed = orders_for_quote(quote.id)
    assert {o.store_id for o in placed} == {tea.store.id, cups.store.id}
    assert {o.checkout_reference for o in placed} == {quote.reference}
    assert all(o.status == "paid" and o.events[0].to_status == "paid" for o in placed)
    assert sum(o.total_minor for o in placed) == quote.total_minor
    cny = next(o for o in placed if o.store_id == cups.store.id)
    assert cny.store_currency == "CNY" and cny.currency == "USD"
    assert cny.total_store_minor > cny.total_minor  # yuan amounts are larger than dollars
    assert cny.commission_store_minor + cny.merchant_net_store_minor == cny.total_store_minor
    # The units stay reserved, now for the order; they leave on_hand when they ship.
    levels = inventory.variant_levels([tea.variants[0].id])[tea.variants[0].id]
    assert sum(level.on_hand for level in levels) == 10
    assert reserved(tea.variants[0]) == 2
    tea_order = next(o for o in placed if o.store_id == tea.store.id)
    assert inventory.order_holds(tea_order.id) == {tea.variants[0].id: {tea.warehouse.id: 2}}
    assert inventory.owner_reservations("checkout_quote", quote.id) == []
    assert inventory.check_ledger() == []
    assert db.session.get(Payment, session.payment.id).state == "succeeded"
    mails = outbox("order_confirmation", to=shopper.email)
    assert len(mails) == 1 and quote.reference in mails[0].body_text


def test_fulfilment_twice_acts_once(stripe_sandbox, shop, shopper, make_quote, outbox):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    session = start(shopper, quote)
    intent = stripe_sandbox.charge_directly(session.intent_id)
    assert intent["status"] == "succeeded"
    assert payments.sync_payment(session.payment, links=site_links).startswith("succeeded")
    assert payments.sync_payment(session.payment, links=site_links) == "succeeded: 1 order(s)"
    payment = db.session.get(Payment, session.payment.id)
    payments.fulfil_payment(payment, links=site_links)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Order.id))
                             .where(Order.quote_id == quote.id)) == 1
    assert len(outbox("order_confirmation")) == 1


def test_attribution_records_the_note_author(stripe_sandbox, shop, shopper, make_quote,
                                             make_user):
    from app.models import Note

    author = make_user()
    note = Note(author_id=author.id, title="Tea", body="Lovely", status="published",
                language="en")
    db.session.add(note)
    db.session.commit()
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US",
                       note_id=note.id)
    session = start(shopper, quote)
    stripe_sandbox.charge_directly(session.intent_id)
    payments.sync_payment(session.payment, links=site_links)
    db.session.commit()
    line = orders_for_quote(quote.id)[0].lines[0]
    assert (line.note_id, line.creator_id) == (note.id, author.id)


def test_decline_releases_stock_and_closes_the_quote(stripe_sandbox, shop, shopper,
                                                     make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 3)], currency="USD", country="US")
    session = start(shopper, quote)
    assert reserved(shop.variants[0]) == 3
    intent = payments.confirm_sandbox_payment(shopper, quote.id,
                                              stripe_sandbox.card_token(CARD_DECLINED),
                                              links=site_links)
    db.session.commit()
    assert intent.status == "requires_payment_method"
    payment = db.session.get(Payment, session.payment.id)
    assert payment.state == "failed" and "declined" in payment.failure_message
    assert reserved(shop.variants[0]) == 0
    assert stripe_sandbox.intent(session.intent_id)["status"] == "canceled"
    assert orders_for_quote(quote.id) == []
    with pytest.raises(DomainError) as caught:
        payments.prepare_payment(shopper, quote.id, links=site_links)
    assert caught.value.code == "quote_not_payable"
    # Retrying means a new quote, which reserves afresh.
    again = make_quote(shopper, [(shop.variants[0], 3)], currency="USD", country="US")
    start(shopper, again)
    assert reserved(shop.variants[0]) == 3


def test_expired_quote_cannot_be_paid(stripe_sandbox, shop, shopper, make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    with pytest.raises(QuoteExpired) as caught:
        payments.prepare_payment(shopper, quote.id,
                                 links=site_links, now=quote.expires_at + timedelta(seconds=1))
    assert caught.value.code == "quote_expired" and caught.value.status == 409
    assert stripe_sandbox.proxy.keys_for("/v1/payment_intents") == []


def test_payment_keeps_stock_held_past_the_quote_expiry(stripe_sandbox, shop, shopper,
                                                        make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    session = start(shopper, quote)
    later = quote.expires_at + timedelta(minutes=5)
    inventory.expire_reservations(later)
    assert reserved(shop.variants[0]) == 1
    assert payments.prepare_payment(shopper, quote.id,
                                    links=site_links, now=later).id == session.payment.id


def test_hold_runs_out_cancels_the_intent(stripe_sandbox, shop, shopper, make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    session = start(shopper, quote)
    much_later = utcnow() + timedelta(hours=3)
    with pytest.raises(QuoteExpired):
        payments.prepare_payment(shopper, quote.id, links=site_links, now=much_later)
    db.session.commit()
    assert stripe_sandbox.intent(session.intent_id)["status"] == "canceled"
    assert db.session.get(Payment, session.payment.id).state == "canceled"
    assert reserved(shop.variants[0]) == 0


def test_another_users_quote_is_not_found(stripe_sandbox, shop, shopper, make_quote,
                                          make_user):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    with pytest.raises(DomainError) as caught:
        payments.prepare_payment(make_user(), quote.id, links=site_links)
    assert caught.value.status == 404
