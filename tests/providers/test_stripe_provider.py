"""The Stripe provider against localstripe: Money in, Stripe's units on the wire, Money out."""

from __future__ import annotations

import uuid

import pytest

from app.money import Money
from app.providers.payments import payment_provider
from app.providers.stripe_amounts import AmountNotRepresentable

pytest_plugins = ["tests.localstripe_server"]


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.mark.parametrize(("amount", "currency", "wire"), [
    ("1500", "ISK", 150000),  # whole krónur, written with two zero decimals
    ("12.340", "KWD", 12340),
    ("19.99", "USD", 1999),
])
def test_intent_amounts_are_sent_in_stripe_units_and_read_back_as_money(
        stripe_sandbox, amount, currency, wire):
    money = Money.from_decimal(amount, currency)
    intent = payment_provider().create_intent(money, idempotency_key=key(), metadata={})
    assert stripe_sandbox.intent(intent.id)["amount"] == wire
    assert intent.amount == money
    assert payment_provider().retrieve_intent(intent.id).amount == money


def test_refund_of_a_paid_intent_reports_money(stripe_sandbox):
    provider = payment_provider()
    intent = provider.create_intent(Money.from_decimal("2000", "ISK"), idempotency_key=key(),
                                    metadata={})
    assert stripe_sandbox.charge_directly(intent.id)["status"] == "succeeded"
    refund = provider.refund(intent.id, Money.from_decimal("500", "ISK"),
                             idempotency_key=key(), metadata={})
    assert refund.amount == Money.from_decimal("500", "ISK")
    assert refund.status == "succeeded"


def test_an_amount_stripe_cannot_represent_never_reaches_it(stripe_sandbox):
    with pytest.raises(AmountNotRepresentable):
        payment_provider().create_intent(Money.from_decimal("1.255", "KWD"),
                                         idempotency_key=key(), metadata={})
    assert stripe_sandbox.proxy.keys_for("/v1/payment_intents") == []


def test_amount_rules_describe_what_stripe_charges(app):
    rules = payment_provider().amount_rules("ISK")
    assert rules.step == Money.from_decimal("1", "ISK")
    assert rules.minimum is None
    assert rules.maximum == Money.from_decimal("999999", "ISK")
