"""Stripe's own amount units and charge limits, which differ from ISO 4217 in places.

Source: Stripe's "Supported currencies" guide (docs.stripe.com/currencies).

- Zero-decimal currencies (JPY, KRW, ...): the API amount is whole units.
- Three-decimal currencies (BHD, JOD, KWD, OMR, TND): thousandths, but the last digit
  must be 0, so an amount with a single fils/baisa cannot be charged.
- Special cases. ISK and UGX "transitioned to zero-decimal, but backwards compatibility
  requires you to represent them as two-decimal values where the decimal amount is always
  00": 5 ISK is `500`. HUF and TWD are charged as two-decimal amounts (Babel gives HUF no
  minor unit, so 175 HUF is `17500`); their zero-decimal rule concerns payouts only.
- Everything else is two-decimal.

Our Money keeps ISO (Babel) minor units; conversion happens only at the provider boundary
and must be exact: an amount Stripe cannot represent is refused, never rounded.

Limits: the minimum charge per currency from the guide, plus, for a charge in another
currency than the account's settlement currency, the settlement currency's minimum after
conversion. The maximum is the number of digits the `amount` accepts: 8 digits in most
currencies (the strictest reading, valid for every card network), 9 for INR, 10 for COP
and 12 for IDR.
"""

from __future__ import annotations

from decimal import Decimal

from flask import current_app

from app.money import Money, exponent
from app.services.errors import ValidationFailed

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG",
                          "RWF", "VND", "VUV", "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Whole units only, written with two (always zero) decimals.
WHOLE_TWO_DECIMAL = frozenset({"ISK", "UGX"})

# Minimum charge per currency, in major units, as Stripe lists them.
MINIMUM_CHARGE: dict[str, str] = {
    "USD": "0.50", "AED": "2.00", "ARS": "0.50", "AUD": "0.50", "BGN": "1.00", "BRL": "0.50",
    "CAD": "0.50", "CHF": "0.50", "COP": "0.50", "CZK": "15.00", "DKK": "2.50", "EUR": "0.50",
    "GBP": "0.30", "HKD": "4.00", "HUF": "175", "IDR": "0.50", "ILS": "0.50", "INR": "0.50",
    "JPY": "50", "KRW": "50", "MXN": "10", "MYR": "2.00", "NOK": "3.00", "NZD": "0.50",
    "PHP": "0.50", "PLN": "2.00", "RON": "2.00", "RUB": "0.50", "SEK": "3.00", "SGD": "0.50",
    "THB": "10", "ZAR": "0.50",
}
MAXIMUM_DIGITS: dict[str, int] = {"IDR": 12, "COP": 10, "INR": 9}
DEFAULT_MAXIMUM_DIGITS = 8


class AmountNotChargeable(ValidationFailed):
    """Stripe cannot represent this amount exactly (e.g. 1.005 KWD)."""

    code = "amount_not_chargeable"


class AmountBelowMinimum(ValidationFailed):
    """Below Stripe's minimum charge."""

    code = "amount_below_minimum"


class AmountAboveMaximum(ValidationFailed):
    """Above the largest amount Stripe accepts."""

    code = "amount_above_maximum"


def stripe_exponent(currency: str) -> int:
    """Digits after the point in Stripe's `amount` for `currency`."""
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_stripe_amount(money: Money) -> int:
    """The `amount` Stripe expects for `money`; AmountNotChargeable if it is not exact."""
    shift = stripe_exponent(money.currency) - exponent(money.currency)
    if shift >= 0:
        amount = money.minor * 10 ** shift
    else:
        amount, rest = divmod(money.minor, 10 ** -shift)
        if rest:
            raise _not_chargeable(money)
    if money.currency in THREE_DECIMAL and amount % 10:
        raise _not_chargeable(money)
    return amount


def from_stripe_amount(amount: int, currency: str) -> Money:
    """Money (ISO minor units) from a Stripe `amount`; ValueError if it is not exact."""
    currency = currency.upper()
    shift = exponent(currency) - stripe_exponent(currency)
    if shift >= 0:
        return Money(amount * 10 ** shift, currency)
    minor, rest = divmod(amount, 10 ** -shift)
    if rest:
        raise ValueError(f"{amount} is not a whole amount of {currency}")
    return Money(minor, currency)


def minimum_charge(currency: str) -> Money | None:
    """Stripe's listed minimum charge in `currency`, if it lists one."""
    listed = MINIMUM_CHARGE.get(currency)
    return Money.from_decimal(Decimal(listed), currency) if listed else None


def check_chargeable(money: Money) -> int:
    """Refuse an amount Stripe would refuse; return the Stripe `amount`."""
    amount = to_stripe_amount(money)
    digits = MAXIMUM_DIGITS.get(money.currency, DEFAULT_MAXIMUM_DIGITS)
    if amount > 10 ** digits - 1:
        step = 10 ** max(stripe_exponent(money.currency) - exponent(money.currency), 0)
        if money.currency in THREE_DECIMAL:
            step = 10
        largest_units = 10 ** digits - 1
        largest = from_stripe_amount(largest_units - largest_units % step, money.currency)
        raise AmountAboveMaximum(
            f"{money.amount} {money.currency} is above the largest card payment "
            f"({largest.amount} {money.currency}); split the order.",
            fields={"amount": [f"At most {largest.amount} {money.currency}."]})
    minimum = minimum_charge(money.currency)
    if minimum is None or money.currency != _settlement_currency():
        minimum = _settlement_minimum_in(money.currency) or minimum
    if minimum is not None and money < minimum:
        raise AmountBelowMinimum(
            f"{money.amount} {money.currency} is below the minimum card payment of "
            f"{minimum.amount} {money.currency}.",
            fields={"amount": [f"At least {minimum.amount} {money.currency}."]})
    return amount


def _settlement_currency() -> str:
    return current_app.config.get("STRIPE_SETTLEMENT_CURRENCY", "USD").upper()


def _settlement_minimum_in(currency: str) -> Money | None:
    """The settlement currency's minimum expressed in `currency` at today's mid rate."""
    from app.services.fx.conversion import RateUnavailable, StaleRate, lock_rate

    settlement = _settlement_currency()
    own = minimum_charge(currency)
    settlement_minimum = minimum_charge(settlement)
    if settlement == currency or settlement_minimum is None:
        return own
    try:
        locked = lock_rate(settlement, currency)
    except (RateUnavailable, StaleRate):
        return own  # no rate to compare with: Stripe itself has the last word
    # The mid-market rate without our conversion fee is what Stripe compares against.
    converted = settlement_minimum.convert(locked.mid_rate, currency)
    return max(converted, own) if own is not None else converted


def _not_chargeable(money: Money) -> AmountNotChargeable:
    step_minor = 10 if money.currency in THREE_DECIMAL else \
        10 ** max(exponent(money.currency) - stripe_exponent(money.currency), 0)
    step = Money(step_minor, money.currency).amount
    return AmountNotChargeable(
        f"{money.amount} {money.currency} cannot be charged by card: card payments in "
        f"{money.currency} must be a multiple of {step} {money.currency}.",
        fields={"amount": [f"Use a multiple of {step} {money.currency}."]})
