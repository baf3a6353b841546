"""Which amounts can be paid by card: the provider's rules and the settlement minimum."""

from __future__ import annotations

import pytest

from app.money import Money
from app.services.payments.charge_limits import (
    AmountAboveMaximum,
    AmountBelowMinimum,
    AmountNotChargeable,
    check_chargeable,
    check_representable,
)


def test_three_decimal_amounts_must_end_in_zero(app):
    with pytest.raises(AmountNotChargeable) as caught:
        check_representable(Money.from_decimal("1.255", "KWD"))
    assert caught.value.code == "amount_not_chargeable"
    assert "must be a multiple of 0.010 KWD" in caught.value.message
    check_representable(Money.from_decimal("1.250", "KWD"))


def test_minimum_charge_in_the_settlement_currency(app):
    check_chargeable(Money.from_decimal("0.50", "USD"))
    with pytest.raises(AmountBelowMinimum) as caught:
        check_chargeable(Money.from_decimal("0.49", "USD"))
    assert caught.value.code == "amount_below_minimum" and "0.50" in caught.value.message


def test_minimum_of_a_listed_currency_without_rates(app):
    with pytest.raises(AmountBelowMinimum):
        check_chargeable(Money.from_decimal("49", "JPY"))
    check_chargeable(Money.from_decimal("50", "JPY"))


def test_maximum_is_eight_digits_of_stripe_units(app):
    check_chargeable(Money.from_decimal("999999.99", "USD"))
    with pytest.raises(AmountAboveMaximum) as caught:
        check_chargeable(Money.from_decimal("1000000.00", "USD"))
    assert caught.value.code == "amount_above_maximum"
    assert "(999999.99 USD); split the order." in caught.value.message
    with pytest.raises(AmountAboveMaximum) as caught:  # ISK: 999,999 kr is 99,999,900 units
        check_chargeable(Money.from_decimal("1000000", "ISK"))
    assert "(999999 ISK)" in caught.value.message
