"""Card top-ups of an ad balance: one intent per top-up, credited once, refunds guarded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdLedgerEntry, WebhookEvent
from app.services import ads
from app.services.errors import DomainError
from tests.localstripe_server import CARD_DECLINED

pytest_plugins = ["tests.ads_fixtures", "tests.localstripe_server"]


def error_of(call, *args) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    db.session.rollback()
    return caught.value


def started(brand, amount="250.00"):
    topup = ads.start_topup(brand.owner, brand.account, amount)
    db.session.commit()
    intent = ads.open_topup_intent(topup)
    db.session.commit()
    return topup, intent


def credits(account) -> int:
    return db.session.scalar(select(func.count(AdLedgerEntry.id)).where(
        AdLedgerEntry.account_id == account.id, AdLedgerEntry.kind == "topup"))


def test_one_intent_per_top_up_with_our_idempotency_key(stripe_sandbox, make_brand):
    brand = make_brand()
    topup, intent = started(brand)
    again = ads.open_topup_intent(topup)
    db.session.commit()
    assert again.id == intent.id and topup.intent_id == intent.id
    assert intent.metadata["qiao_purpose"] == "ad_topup"
    assert stripe_sandbox.proxy.keys_for("/v1/payment_intents") == [topup.idempotency_key]
    assert stripe_sandbox.intent(intent.id)["amount"] == 25000


def test_webhook_and_return_page_credit_the_balance_once(client, stripe_sandbox, make_brand):
    brand = make_brand()
    topup, intent = started(brand)
    stripe_sandbox.charge_directly(intent.id)
    [event] = stripe_sandbox.events(intent.id, "payment_intent.succeeded")
    # The return page first, then the webhook, then the webhook's redelivery.
    assert ads.sync_topup(topup) == "top-up credited"
    db.session.commit()
    delivered = stripe_sandbox.deliver(client, event)
    assert delivered.status_code == 200 and delivered.get_json()["duplicate"] is False
    stored = db.session.scalar(select(WebhookEvent).where(WebhookEvent.event_id == event["id"]))
    assert stored.outcome == "top-up already credited"
    assert stripe_sandbox.deliver(client, event).get_json()["duplicate"] is True
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 25000 and credits(brand.account) == 1
    assert ads.ledger_sum_minor(brand.account.id) == 25000


def test_the_webhook_alone_credits_a_top_up(client, stripe_sandbox, make_brand):
    brand = make_brand()
    topup, intent = started(brand, "80")
    stripe_sandbox.charge_directly(intent.id)
    [event] = stripe_sandbox.events(intent.id, "payment_intent.succeeded")
    assert stripe_sandbox.deliver(client, event).status_code == 200
    db.session.refresh(topup)
    db.session.refresh(brand.account)
    assert topup.state == "succeeded" and brand.account.balance_minor == 8000
    assert ads.sync_topup(topup) == "top-up already credited"


def test_a_declined_card_credits_nothing(stripe_sandbox, make_brand):
    brand = make_brand()
    topup, intent = started(brand)
    result = ads.confirm_sandbox_topup(topup, stripe_sandbox.card_token(CARD_DECLINED))
    db.session.commit()
    db.session.refresh(topup)
    assert result.status == "requires_payment_method" and topup.state == "failed"
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 0 and credits(brand.account) == 0


def test_the_sandbox_card_confirms_and_credits(stripe_sandbox, make_brand):
    brand = make_brand()
    topup, _intent = started(brand, "42.50")
    ads.confirm_sandbox_topup(topup, stripe_sandbox.card_token())
    db.session.commit()
    db.session.refresh(brand.account)
    assert brand.account.balance_minor == 4250


def test_a_top_up_is_in_the_billing_currency_and_chargeable(stripe_sandbox, make_brand):
    brand = make_brand()
    for amount, code in (({"amount": "10.00", "currency": "EUR"}, "currency_mismatch"),
                         ("0", "validation_failed"), ("abc", "invalid_amount"),
                         ("0.10", "amount_below_minimum")):
        assert error_of(ads.start_topup, brand.owner, brand.account, amount).code == code


def test_a_refund_debits_the_balance_and_is_refused_once_spent(stripe_sandbox, make_brand,
                                                               make_user):
    brand = make_brand()
    topup, _intent = started(brand, "100")
    ads.confirm_sandbox_topup(topup, stripe_sandbox.card_token())
    db.session.commit()
    ads.post_entry(brand.account, "campaign_reserve", -2000, reference_type="campaign",
                   reference_id=1)
    db.session.commit()
    assert error_of(ads.refund_topup, brand.owner, topup.id).code == "insufficient_balance"
    db.session.refresh(topup)
    db.session.refresh(brand.account)
    assert topup.state == "succeeded" and brand.account.balance_minor == 8000
    assert stripe_sandbox.proxy.keys_for("/v1/refunds") == []
    ads.post_entry(brand.account, "campaign_release", 2000, reference_type="campaign",
                   reference_id=1)
    db.session.commit()
    assert error_of(ads.refund_topup, make_user(), topup.id).status == 404
    ads.refund_topup(brand.owner, topup.id)
    db.session.commit()
    db.session.refresh(brand.account)
    assert topup.state == "refunded" and brand.account.balance_minor == 0
    assert ads.ledger_sum_minor(brand.account.id) == 0
    assert stripe_sandbox.proxy.keys_for("/v1/refunds") == [f"qiao-adtopup-refund-{topup.id}"]
    assert error_of(ads.refund_topup, brand.owner, topup.id).code == "topup_not_refundable"
