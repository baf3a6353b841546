"""Properties of money: conversion, rounding and splitting always add up exactly."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.models import utcnow
from app.money import Money, exponent, round_minor
from app.services.fx import conversion as fx

CURRENCIES = ["JPY", "KRW", "USD", "EUR", "GBP", "CNY", "KWD", "BHD"]  # exponents 0, 2, 3
amounts = st.integers(min_value=0, max_value=10**12)
signed_amounts = st.integers(min_value=-(10**12), max_value=10**12)
currencies = st.sampled_from(CURRENCIES)
rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("20000"), places=6,
                    allow_nan=False, allow_infinity=False).filter(lambda d: d > 0)
weights = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(
    lambda ws: sum(ws) > 0)


@given(signed_amounts, currencies, weights)
def test_a_split_always_sums_to_the_total(minor, currency, parts):
    shares = Money(minor, currency).split(parts)
    assert sum(s.minor for s in shares) == minor
    assert all(s.currency == currency for s in shares)
    total = sum(parts)
    for share, weight in zip(shares, parts, strict=True):
        exact = Decimal(abs(minor)) * weight / total
        assert abs(Decimal(abs(share.minor)) - exact) < 1  # never off by a whole minor unit
        assert weight or share.minor == 0


@given(amounts, currencies, st.lists(weights, min_size=1, max_size=6))
def test_splitting_across_stores_then_lines_sums_to_the_total(minor, currency, stores):
    """A total spread over stores by their weight, then over each store's lines."""
    per_store = Money(minor, currency).split([sum(lines) for lines in stores])
    per_line = [line for share, lines in zip(per_store, stores, strict=True)
                for line in share.split(lines)]
    assert sum(m.minor for m in per_line) == minor
    assert all(m.minor >= 0 for m in per_line)


@given(amounts, currencies, currencies, rates)
@settings(max_examples=300)
def test_conversion_rounds_once_half_to_even_at_the_target_minor_unit(minor, source, target,
                                                                     rate):
    converted = Money(minor, source).convert(rate, target)
    exact = Decimal(minor).scaleb(-exponent(source)) * rate * Decimal(10) ** exponent(target)
    assert converted.currency == target
    assert converted.minor == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    assert abs(converted.minor - exact) <= Decimal("0.5")


@given(amounts, amounts, currencies, currencies, rates)
def test_conversion_keeps_the_order_of_amounts(a, b, source, target, rate):
    low, high = sorted((a, b))
    assert Money(low, source).convert(rate, target) <= Money(high, source).convert(rate, target)


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**8),
                          st.integers(min_value=1, max_value=99)), min_size=1, max_size=20),
       currencies, rates)
def test_unit_prices_times_quantities_add_up_to_the_items_total(lines, currency, rate):
    """A quote converts each unit price once; line and store totals are then exact sums."""
    units = [Money(unit, "USD").convert(rate, currency) for unit, _quantity in lines]
    line_totals = [u.times(q) for u, (_unit, q) in zip(units, lines, strict=True)]
    items = sum(line_totals, Money.zero(currency))
    assert items.minor == sum(u.minor * q for u, (_unit, q) in zip(units, lines, strict=True))


@given(amounts, currencies, st.decimals(min_value=0, max_value=1, places=4))
def test_a_percentage_is_within_half_a_minor_unit(minor, currency, rate):
    part = Money(minor, currency).percent(rate)
    assert abs(Decimal(part.minor) - Decimal(minor) * rate) <= Decimal("0.5")
    assert 0 <= part.minor <= minor


@given(signed_amounts, currencies)
def test_the_api_amount_has_the_currency_digits_and_round_trips(minor, currency):
    shown = Money(minor, currency).to_api()["amount"]
    digits = exponent(currency)
    if digits == 0:
        assert "." not in shown
    else:
        assert len(shown.split(".")[1]) == digits
    assert Money.from_decimal(shown, currency) == Money(minor, currency)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False,
                   allow_infinity=False))
def test_round_minor_breaks_ties_to_even(value):
    rounded = round_minor(value)
    assert abs(Decimal(rounded) - value) <= Decimal("0.5")
    if abs(Decimal(rounded) - value) == Decimal("0.5"):
        assert rounded % 2 == 0


@given(amounts, st.sampled_from(["EUR", "USD", "CNY"]), rates)
def test_fx_conversion_to_krw_lands_on_the_configured_ten_won_step(minor, source, rate):
    locked = fx.LockedRate(source, "KRW", rate, rate, utcnow(), "test", None)
    converted = fx.convert(Money(minor, source), locked)
    once = Money(minor, source).convert(rate, "KRW")
    assert converted.minor % 10 == 0  # FX_ROUNDING=KRW:10
    assert abs(converted.minor - once.minor) <= 5
