"""Stripe's own amount units and charge limits, which differ from ISO 4217 in places.

Source: Stripe's "Supported currencies" guide (docs.stripe.com/currencies).

- Zero-decimal currencies (JPY, KRW, ...): the API amount is whole units.
- Three-decimal currencies (BHD, JOD, KWD, OMR, TND): thousandths, but the last digit
  must be 0, so an amount with a single fils/baisa cannot be charged.
- Special cases. ISK and UGX "transitioned to zero-decimal, but backwards compatibility
  requires you to represent them as two-decimal values where the decimal amount is always
  00": 5 ISK is `500`. HUF and TWD are charged as two-decimal amounts (Babel gives HUF no
  minor unit, so 175 HUF is `17500`); their zero-decimal rule concerns payouts only.
  All four therefore follow the two-decimal rule below.
- Everything else is two-decimal.

Our Money keeps ISO (Babel) minor units; only the Stripe provider converts, and exactly:
an amount Stripe cannot represent is refused, never rounded.

Limits: the minimum charge per currency from the guide; the maximum is the number of
digits the `amount` accepts: 8 digits in most currencies (the strictest reading, valid for
every card network), 9 for INR, 10 for COP and 12 for IDR. (The minimum in the account's
settlement currency needs an exchange rate, so the payments service checks that one.)
"""

from __future__ import annotations

from decimal import Decimal

from app.money import Money, exponent

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG",
                          "RWF", "VND", "VUV", "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})

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


class AmountNotRepresentable(ValueError):
    """Stripe cannot represent this amount exactly (e.g. 1.005 KWD)."""


def stripe_exponent(currency: str) -> int:
    """Digits after the point in Stripe's `amount` for `currency`."""
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def charge_step(currency: str) -> Money:
    """The smallest step between amounts Stripe can charge in `currency` (ISO minor units)."""
    if currency in THREE_DECIMAL:
        return Money(10, currency)
    return Money(10 ** max(exponent(currency) - stripe_exponent(currency), 0), currency)


def to_stripe_amount(money: Money) -> int:
    """The `amount` Stripe expects for `money`; AmountNotRepresentable if it is not exact."""
    if money.minor % charge_step(money.currency).minor:
        raise AmountNotRepresentable(f"{money.amount} {money.currency} is not a multiple of "
                                     f"{charge_step(money.currency).amount}")
    shift = stripe_exponent(money.currency) - exponent(money.currency)
    return money.minor * 10 ** shift if shift >= 0 else money.minor // 10 ** -shift


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


def maximum_charge(currency: str) -> Money:
    """The largest chargeable amount: the most digits `amount` takes, on a charge step."""
    largest_units = 10 ** MAXIMUM_DIGITS.get(currency, DEFAULT_MAXIMUM_DIGITS) - 1
    step_units = to_stripe_amount(charge_step(currency))
    return from_stripe_amount(largest_units - largest_units % step_units, currency)
