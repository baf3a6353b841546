"""Money: ISO exponents, exact parsing, one rounding rule, splits that always add up."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import CurrencyError, Money, exponent, normalize_currency, round_minor

CURRENCIES = ["JPY", "USD", "KWD", "EUR", "CNY", "KRW", "GBP"]


# Exponents and parsing ------------------------------------------------------------------------
@pytest.mark.parametrize(("currency", "digits"), [("JPY", 0), ("KRW", 0), ("USD", 2),
                                                  ("EUR", 2), ("CNY", 2), ("KWD", 3),
                                                  ("BHD", 3)])
def test_iso_exponents(currency, digits):
    assert exponent(currency) == digits
    assert exponent(currency.lower()) == digits


@pytest.mark.parametrize(("amount", "currency", "minor"), [
    ("1500", "JPY", 1500), ("19.99", "USD", 1999), ("19.9", "USD", 1990),
    ("1.250", "KWD", 1250), ("0.001", "KWD", 1), ("-5.00", "EUR", -500),
    (Decimal("0"), "USD", 0), (Decimal("1e3"), "JPY", 1000)])
def test_from_decimal(amount, currency, minor):
    assert Money.from_decimal(amount, currency) == Money(minor, currency)


@pytest.mark.parametrize(("amount", "currency"), [
    ("1500.5", "JPY"), ("19.999", "USD"), ("1.2501", "KWD"), ("0.1", "JPY"),
    # Extra digits even when they are zeros: a typo more often than not.
    ("19.990", "USD")])
def test_from_decimal_refuses_extra_digits(amount, currency):
    with pytest.raises(ValueError, match="decimals"):
        Money.from_decimal(amount, currency)


@pytest.mark.parametrize("amount", ["abc", "", "NaN", "Infinity", None, 19.99])
def test_from_decimal_refuses_non_amounts(amount):
    with pytest.raises((ValueError, TypeError)):
        Money.from_decimal(amount, "USD")


def test_a_decimal_may_carry_trailing_zeros():
    assert Money.from_decimal(Decimal("19.990"), "USD") == Money(1999, "USD")


def test_unknown_currency():
    with pytest.raises(CurrencyError):
        Money(100, "XYZ")
    with pytest.raises(CurrencyError):
        normalize_currency("US")


def test_minor_units_must_be_int():
    with pytest.raises(TypeError):
        Money(19.99, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True, "USD")  # type: ignore[arg-type]


def test_currency_code_is_normalized():
    assert Money(100, "usd").currency == "USD"
    assert Money(100, "usd") == Money(100, "USD")
    assert len({Money(100, "usd"), Money(100, "USD")}) == 1


# Views ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("money", "api"), [
    (Money(1500, "JPY"), {"amount": "1500", "currency": "JPY"}),
    (Money(1999, "USD"), {"amount": "19.99", "currency": "USD"}),
    (Money(1250, "KWD"), {"amount": "1.250", "currency": "KWD"}),
    (Money(5, "USD"), {"amount": "0.05", "currency": "USD"}),
    (Money(0, "KWD"), {"amount": "0.000", "currency": "KWD"}),
    (Money(-1999, "USD"), {"amount": "-19.99", "currency": "USD"}),
    (Money(10**30 + 1, "USD"), {"amount": "10000000000000000000000000000.01",
                                "currency": "USD"}),
])
def test_to_api(money, api):
    assert money.to_api() == api


def test_format_is_locale_aware():
    assert Money(1500, "JPY").format("en") == "JP¥1,500"
    assert Money(1999, "USD").format("en") == "$19.99"
    assert "19.99" in Money(1999, "USD").format("zh")


# Arithmetic -----------------------------------------------------------------------------------
def test_adding_and_comparing_one_currency():
    assert Money(100, "USD") + Money(250, "USD") == Money(350, "USD")
    assert Money(100, "USD") - Money(250, "USD") == Money(-150, "USD")
    assert -Money(5, "USD") == Money(-5, "USD")
    assert Money(100, "USD") < Money(101, "USD")
    assert Money(300, "JPY").times(3) == Money(900, "JPY")


def test_adding_two_currencies_raises():
    with pytest.raises(CurrencyError):
        Money(100, "USD") + Money(100, "EUR")
    with pytest.raises(CurrencyError):
        Money(100, "USD") - Money(100, "JPY")
    with pytest.raises(CurrencyError):
        Money(100, "USD") < Money(100, "JPY")  # noqa: B015
    with pytest.raises(TypeError):
        Money(100, "USD") + 1  # type: ignore[operator]


def test_percent_rounds_half_to_even():
    assert Money(250, "USD").percent(Decimal("0.01")) == Money(2, "USD")  # 2.5 -> 2
    assert Money(350, "USD").percent(Decimal("0.01")) == Money(4, "USD")  # 3.5 -> 4


def test_convert():
    assert Money(1999, "USD").convert(Decimal("151.37"), "JPY") == Money(3026, "JPY")
    assert Money(1500, "JPY").convert(Decimal("0.0066"), "USD") == Money(990, "USD")
    assert Money(1000, "USD").convert(Decimal("0.30712"), "KWD") == Money(3071, "KWD")
    with pytest.raises(ValueError):
        Money(100, "USD").convert(Decimal("0"), "EUR")
    with pytest.raises(ValueError):
        Money(100, "USD").convert(1.1, "EUR")  # type: ignore[arg-type]


def test_split():
    assert Money(100, "USD").split([1, 1, 1]) == [Money(34, "USD"), Money(33, "USD"),
                                                 Money(33, "USD")]
    assert Money(-100, "USD").split([1, 1, 1]) == [Money(-34, "USD"), Money(-33, "USD"),
                                                  Money(-33, "USD")]
    assert Money(1000, "JPY").split([3, 0, 1]) == [Money(750, "JPY"), Money(0, "JPY"),
                                                  Money(250, "JPY")]
    for weights in ([], [0, 0], [1, -1]):
        with pytest.raises(ValueError):
            Money(100, "USD").split(weights)


def test_round_minor_is_half_even():
    assert [round_minor(Decimal(v)) for v in ("0.5", "1.5", "2.5", "-0.5", "2.51")] == [
        0, 2, 2, 0, 3]


# Properties -----------------------------------------------------------------------------------
# 15 whole digits is the most an amount sent to us may have (Money.parse).
amounts = st.integers(min_value=-(10**15 - 1), max_value=10**15 - 1)
currencies = st.sampled_from(CURRENCIES)
rates = st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=8,
                    allow_nan=False, allow_infinity=False)


@given(amounts, currencies, currencies, rates)
def test_conversion_is_within_half_a_minor_unit(minor, source, target, rate):
    converted = Money(minor, source).convert(rate, target)
    with localcontext() as ctx:
        ctx.prec = 80
        exact = Decimal(minor).scaleb(-exponent(source)) * rate * Decimal(10) ** exponent(target)
        assert abs(Decimal(converted.minor) - exact) <= Decimal("0.5")
    assert converted.currency == target


@given(amounts, currencies, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1,
                                     max_size=12).filter(lambda w: sum(w) > 0))
def test_split_parts_always_sum_to_the_total(minor, currency, weights):
    total = Money(minor, currency)
    parts = total.split(weights)
    assert len(parts) == len(weights)
    assert sum(p.minor for p in parts) == minor
    assert all(p.currency == total.currency for p in parts)
    # Each part is within one minor unit of its exact share, and zero weights get nothing.
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(minor) * weight / sum(weights)
        assert abs(Decimal(part.minor) - exact) < 1
        if weight == 0:
            assert part.minor == 0


@given(amounts, currencies)
def test_to_api_round_trips(minor, currency):
    money = Money(minor, currency)
    api = money.to_api()
    assert Money.from_decimal(api["amount"], api["currency"]) == money
    digits = exponent(currency)
    if digits:
        assert len(api["amount"].split(".")[1]) == digits
    else:
        assert "." not in api["amount"]
