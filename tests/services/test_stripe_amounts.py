"""Stripe's amount units and limits, which differ from ISO 4217 for some currencies."""

from __future__ import annotations

import pytest

from app.money import Money
from app.services.payments.stripe_amounts import (
    AmountAboveMaximum,
    AmountBelowMinimum,
    AmountNotChargeable,
    check_chargeable,
    from_stripe_amount,
    to_stripe_amount,
)


@pytest.mark.parametrize(("amount", "currency", "stripe_amount"), [
    ("19.99", "USD", 1999),
    ("1500", "JPY", 1500),      # zero-decimal in both
    ("5", "ISK", 500),          # ISO 0 decimals, Stripe two with "00"
    ("5000", "UGX", 500000),    # same special case
    ("175", "HUF", 17500),      # Babel: no minor unit; Stripe charges two decimals
    ("10.50", "TWD", 1050),
    ("1.250", "KWD", 1250),     # three-decimal, last digit 0
])
def test_converts_to_stripe_units_and_back(amount, currency, stripe_amount):
    money = Money.from_decimal(amount, currency)
    assert to_stripe_amount(money) == stripe_amount
    assert from_stripe_amount(stripe_amount, currency) == money


def test_three_decimal_amounts_must_end_in_zero():
    with pytest.raises(AmountNotChargeable) as caught:
        to_stripe_amount(Money.from_decimal("1.255", "KWD"))
    assert caught.value.code == "amount_not_chargeable"


def test_fractional_isk_from_stripe_is_refused():
    with pytest.raises(ValueError):
        from_stripe_amount(1050, "ISK")


def test_minimum_charge_in_the_settlement_currency(app):
    assert check_chargeable(Money.from_decimal("0.50", "USD")) == 50
    with pytest.raises(AmountBelowMinimum) as caught:
        check_chargeable(Money.from_decimal("0.49", "USD"))
    assert caught.value.code == "amount_below_minimum" and "0.50" in caught.value.message


def test_minimum_of_a_listed_currency_without_rates(app):
    with pytest.raises(AmountBelowMinimum):
        check_chargeable(Money.from_decimal("49", "JPY"))
    assert check_chargeable(Money.from_decimal("50", "JPY")) == 50


def test_maximum_is_eight_digits_of_stripe_units(app):
    assert check_chargeable(Money.from_decimal("999999.99", "USD")) == 99999999
    with pytest.raises(AmountAboveMaximum) as caught:
        check_chargeable(Money.from_decimal("1000000.00", "USD"))
    assert caught.value.code == "amount_above_maximum"
    with pytest.raises(AmountAboveMaximum):  # ISK: 999,999 kr is 99,999,900 units
        check_chargeable(Money.from_decimal("1000000", "ISK"))
