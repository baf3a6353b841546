"""Stripe's amount units, which differ from ISO 4217 for some currencies."""

from __future__ import annotations

import pytest

from app.money import Money
from app.providers.stripe_amounts import (
    AmountNotRepresentable,
    charge_step,
    from_stripe_amount,
    maximum_charge,
    minimum_charge,
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
    assert charge_step("KWD") == Money.from_decimal("0.010", "KWD")
    with pytest.raises(AmountNotRepresentable):
        to_stripe_amount(Money.from_decimal("1.255", "KWD"))


def test_fractional_isk_from_stripe_is_refused():
    with pytest.raises(ValueError):
        from_stripe_amount(1050, "ISK")


@pytest.mark.parametrize(("currency", "largest"), [
    ("USD", "999999.99"),    # 8 digits of cents
    ("ISK", "999999"),       # 99,999,900: whole krónur written with two zero decimals
    ("KWD", "99999.990"),    # the last of the 8 digits must be 0
    ("IDR", "9999999999"),  # 12 digits; Babel gives IDR no minor unit, Stripe two
])
def test_maximum_is_the_largest_chargeable_amount_in_the_allowed_digits(currency, largest):
    assert maximum_charge(currency) == Money.from_decimal(largest, currency)


def test_minimum_only_where_stripe_lists_one():
    assert minimum_charge("GBP") == Money.from_decimal("0.30", "GBP")
    assert minimum_charge("KWD") is None
