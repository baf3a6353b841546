"""Exact money: integer minor units, ISO 4217 exponents, Decimal rates, one rounding rule.

The rounding rule, used everywhere a fraction of a minor unit appears (FX
conversion, percentages): round half to even (banker's rounding) at the
target currency's minor unit. `split` distributes a total by weights with the
largest-remainder method so the parts always add up exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from functools import cache

from babel.core import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    list_currencies,
)

ROUNDING = ROUND_HALF_EVEN
# Significant digits for intermediate results: far beyond any amount times any rate.
EXACT_PRECISION = 200
# Whole-unit digits an amount typed or sent to us may have: 10^15 is far above any real
# price and keeps every minor-unit count inside a signed 64-bit column.
MAX_WHOLE_DIGITS = 15
# ASCII digits only (`\d` would take Arabic-Indic digits too); no exponent, sign "+",
# underscores or spaces inside.
AMOUNT_PATTERN = re.compile(r"-?([0-9]{1,15})(?:\.([0-9]+))?")


# "¥" is yuan to a reader in China and yen to one in Japan, and shoppers here see both:
# yen is always "JP¥", and yuan is "CN¥" everywhere but in Chinese, where "¥" is the yuan.
_YEN_YUAN_SIGNS = frozenset({"¥", "￥", "元"})
_UNAMBIGUOUS_SYMBOLS = {"JPY": "JP¥", "CNY": "CN¥"}


class CurrencyError(ValueError):
    """An unknown currency code, or arithmetic across two currencies."""


class AmountFormatError(ValueError):
    """A money amount that is not a plain decimal string in the currency's digits."""


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes Babel knows."""
    return frozenset(list_currencies())


def normalize_currency(code: str) -> str:
    """Upper-case `code` and check it is an ISO 4217 currency."""
    upper = (code or "").strip().upper()
    if len(upper) != 3 or upper not in known_currencies():
        raise CurrencyError(f"Unknown currency {code!r}: expected an ISO 4217 code such as USD.")
    return upper


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point for `currency` (JPY 0, USD 2, KWD 3)."""
    return get_currency_precision(normalize_currency(currency))


@dataclass(frozen=True, order=False)
class Money:
    """An amount in a currency's minor unit. Immutable; refuses to mix currencies."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        object.__setattr__(self, "currency", normalize_currency(self.currency))

    # Construction -------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        """Nothing, in `currency`."""
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, exact: bool = False) -> Money:
        """The one parser for amounts people and clients send: `-?digits(.digits)?`.

        At most 15 whole digits and the currency's exponent of decimals (none for JPY);
        `exact` demands exactly that many (the API's rule), otherwise fewer are fine
        ("20" in a form). The length is checked before anything else, so a hostile
        "1e999999" costs nothing; no Decimal is ever built from the text.
        """
        digits = exponent(currency)
        if not isinstance(text, str) or len(text) > MAX_WHOLE_DIGITS + digits + 2:
            raise AmountFormatError(_amount_rule(currency, exact))
        match = AMOUNT_PATTERN.fullmatch(text)
        if match is None:
            raise AmountFormatError(_amount_rule(currency, exact))
        whole, fraction = match.group(1), match.group(2) or ""
        if len(fraction) > digits or (exact and len(fraction) != digits):
            raise AmountFormatError(_amount_rule(currency, exact))
        minor = int(whole) * 10**digits + (int(fraction.ljust(digits, "0")) if digits else 0)
        return cls(-minor if text.startswith("-") else minor, currency)

    @classmethod
    def from_decimal(cls, amount: Decimal | str, currency: str) -> Money:
        """Parse a major-unit amount that must not carry more digits than the currency allows."""
        if isinstance(amount, float):
            raise TypeError("a money amount must be a Decimal or a string, never a float")
        if isinstance(amount, str):
            return cls.parse(amount, currency)
        if isinstance(amount, Decimal) and amount.is_finite() and \
                amount.adjusted() >= MAX_WHOLE_DIGITS:
            # Before scaling: 1E+999999 would become an integer of a million digits.
            raise AmountFormatError(f"{currency.upper()} amounts have at most "
                                    f"{MAX_WHOLE_DIGITS} digits before the point")
        try:
            value = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"{amount!r} is not a decimal amount") from None
        if not value.is_finite():
            raise ValueError(f"{amount!r} is not a finite amount")
        digits = exponent(currency)
        with _exact():
            scaled = value.scaleb(digits)
            if scaled != scaled.to_integral_value():
                raise ValueError(f"{amount} has more than {digits} decimal places, "
                                 f"the limit for {currency.upper()}")
            return cls(int(scaled), currency)

    # Views --------------------------------------------------------------------
    @property
    def amount(self) -> Decimal:
        """The major-unit amount with exactly the currency's exponent of digits."""
        # Built from its digits, so it is exact however large the amount.
        digits = str(abs(self.minor))
        return Decimal((1 if self.minor < 0 else 0, tuple(int(d) for d in digits),
                        -exponent(self.currency)))

    def to_api(self) -> dict[str, str]:
        """The API's Money shape: `{"amount": "19.99", "currency": "USD"}`."""
        return {"amount": str(self.amount), "currency": self.currency}

    def format(self, locale: str | Locale = "en") -> str:
        """Locale-aware display, e.g. `JP¥1,500` or `US$19.99`, never an ambiguous yen/yuan."""
        text = format_currency(self.amount, self.currency, locale=locale)
        unambiguous = _UNAMBIGUOUS_SYMBOLS.get(self.currency)
        if unambiguous is None:
            return text
        symbol = get_currency_symbol(self.currency, locale=locale)
        if symbol in _YEN_YUAN_SIGNS and not (self.currency == "CNY"
                                              and Locale.parse(locale).language == "zh"):
            text = text.replace(symbol, unambiguous, 1)
        return text

    # Arithmetic ---------------------------------------------------------------
    def _check(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("can only combine Money with Money")
        if other.currency != self.currency:
            raise CurrencyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._check(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._check(other)
        return self.minor >= other.minor

    def times(self, quantity: int) -> Money:
        """The amount multiplied by `quantity` (exact)."""
        return Money(self.minor * quantity, self.currency)

    def percent(self, rate: Decimal) -> Money:
        """`rate` (a fraction, e.g. Decimal("0.2")) of this amount, rounded by the house rule."""
        with _exact():
            return Money(round_minor(Decimal(self.minor) * rate), self.currency)

    def convert(self, rate: Decimal, to_currency: str) -> Money:
        """Convert with `rate` (units of `to_currency` per one unit of this currency)."""
        if not isinstance(rate, Decimal) or rate <= 0:
            raise ValueError("an FX rate must be a positive Decimal")
        with _exact():
            major = self.amount * rate
            return Money(round_minor(major.scaleb(exponent(to_currency))), to_currency)

    def split(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to non-negative `weights`; parts sum exactly."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise ValueError("split needs non-negative weights with a positive sum")
        total = sum(weights)
        sign = -1 if self.minor < 0 else 1
        whole = abs(self.minor)
        shares = [whole * w // total for w in weights]
        remainders = [whole * w % total for w in weights]
        leftover = whole - sum(shares)
        # Largest remainder first; ties go to the earlier part, so the result is deterministic.
        for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:leftover]:
            shares[index] += 1
        return [Money(sign * s, self.currency) for s in shares]


def _amount_rule(currency: str, exact: bool) -> str:
    """How an amount in `currency` must be written, for the error message."""
    digits = exponent(currency)
    example = "1500" if digits == 0 else "19." + "99"[:digits].ljust(digits, "0")
    if digits == 0:
        return f"Use whole {currency.upper()} such as {example}: digits only, no decimals"
    count = "exactly" if exact else "at most"
    return (f"Use a plain number such as {example} with {count} {digits} decimals for "
            f"{currency.upper()} (digits 0-9, a point, an optional leading minus)")


def round_minor(value: Decimal) -> int:
    """Round a Decimal count of minor units to an integer by the house rule."""
    with _exact():
        return int(value.quantize(Decimal(1), rounding=ROUNDING))


def _exact():
    """A decimal context wide enough that products of amounts and rates are never rounded."""
    return localcontext(prec=EXACT_PRECISION)
