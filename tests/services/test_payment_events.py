"""The Stripe webhook: signature on the raw body, each event acted on once, any order."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, Payment, WebhookEvent
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.localstripe_server import CARD_DECLINED

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def paid_intent(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    """A quote whose intent Stripe charged without telling us yet."""
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 1)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    session = payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    stripe_sandbox.charge_directly(session.intent_id)
    return quote, session.intent_id


def order_count(quote):
    return db.session.scalar(select(func.count(Order.id)).where(Order.quote_id == quote.id))


def test_signed_event_fulfils_once_and_replay_is_ignored(client, stripe_sandbox, paid_intent,
                                                         outbox):
    quote, intent_id = paid_intent
    [event] = stripe_sandbox.events(intent_id, "payment_intent.succeeded")
    first = stripe_sandbox.deliver(client, event)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["duplicate"] is False
    replay = stripe_sandbox.deliver(client, event)
    assert replay.status_code == 200 and replay.get_json()["duplicate"] is True
    assert order_count(quote) == 1
    assert len(outbox("order_confirmation")) == 1
    stored = db.session.scalar(select(WebhookEvent).where(WebhookEvent.event_id == event["id"]))
    assert stored.processed_at is not None and stored.outcome.startswith("succeeded")


def test_bad_signature_is_400_and_nothing_happens(client, stripe_sandbox, paid_intent):
    quote, intent_id = paid_intent
    [event] = stripe_sandbox.events(intent_id, "payment_intent.succeeded")
    payload = json.dumps(event).encode()
    forged = stripe_sandbox.sign(payload, secret="whsec_someone_else")
    response = stripe_sandbox.deliver(client, event, signature=forged)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_signature"
    assert order_count(quote) == 0
    assert db.session.scalar(select(func.count(WebhookEvent.id))) == 0


def test_tampered_body_fails_the_signature(client, stripe_sandbox, paid_intent):
    _quote, intent_id = paid_intent
    [event] = stripe_sandbox.events(intent_id, "payment_intent.succeeded")
    signature = stripe_sandbox.sign(json.dumps(event, indent=2, sort_keys=True).encode())
    event["data"]["object"]["amount"] = 1
    response = stripe_sandbox.deliver(client, event, signature=signature)
    assert response.status_code == 400


def test_old_signature_is_refused(client, stripe_sandbox, paid_intent):
    _quote, intent_id = paid_intent
    [event] = stripe_sandbox.events(intent_id, "payment_intent.succeeded")
    payload = json.dumps(event, indent=2, sort_keys=True).encode()
    stale = stripe_sandbox.sign(payload, at=event["created"] - 3600)
    assert stripe_sandbox.deliver(client, event, signature=stale).status_code == 400


def stale_failure(succeeded: dict) -> dict:
    """A failure event from an earlier attempt on the same intent, delivered late.

    localstripe cannot retry a declined intent, so the earlier attempt's event is built
    from the real one; the handler reads the intent from Stripe, not the event's copy.
    """
    obj = {**succeeded["data"]["object"], "status": "requires_payment_method",
           "last_payment_error": {"code": "card_declined", "message": "declined"}}
    return {**succeeded, "id": succeeded["id"] + "_earlier",
            "type": "payment_intent.payment_failed", "created": succeeded["created"] - 30,
            "data": {"object": obj}}


@pytest.mark.parametrize("failure_first", [True, False])
def test_out_of_order_events_record_what_stripe_says(client, stripe_sandbox, paid_intent,
                                                     failure_first):
    quote, intent_id = paid_intent
    [succeeded] = stripe_sandbox.events(intent_id, "payment_intent.succeeded")
    sequence = [stale_failure(succeeded), succeeded]
    for event in sequence if failure_first else reversed(sequence):
        assert stripe_sandbox.deliver(client, event).status_code == 200
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == quote.id))
    assert payment.state == "succeeded"
    assert order_count(quote) == 1


def test_failure_event_releases_the_quote(client, stripe_sandbox, make_checkout_shop,
                                          make_user, make_quote):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 2)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    session = payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    stripe_sandbox.charge_directly(session.intent_id, CARD_DECLINED)
    [failed] = stripe_sandbox.events(session.intent_id, "payment_intent.payment_failed")
    response = stripe_sandbox.deliver(client, failed)
    assert response.get_json()["outcome"] == "failed"
    assert db.session.get(Payment, payment.id).state == "failed"
    assert quote.state == "failed"


def test_unknown_events_are_stored_and_ignored(client, stripe_sandbox):
    event = {"id": "evt_unrelated", "type": "customer.created", "created": 1700000000,
             "data": {"object": {"id": "cus_1", "object": "customer"}}}
    response = stripe_sandbox.deliver(client, event)
    assert response.status_code == 200 and response.get_json()["outcome"] == "ignored"
