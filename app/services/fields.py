"""Parsing and validating catalog input from the API, portal forms and CSV imports.

Every checker adds its problems to a `FieldErrors` collector under a field path
such as `variants.2.price`, so one response names every bad field. When every
problem is of one kind the raised error carries that kind's code
(`invalid_hs_code`, `duplicate_sku`, `unknown_currency`, `negative_amount`...),
otherwise `validation_failed`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.money import CurrencyError, Money, exponent, normalize_currency
from app.services.errors import ValidationFailed
from app.services.regions import is_country

# Storefront browsing categories (stable slugs; labels are translated by the UI).
CATEGORIES = {
    "tea_coffee": "Tea & coffee",
    "food_snacks": "Food & snacks",
    "beauty": "Beauty & skincare",
    "fashion": "Fashion & accessories",
    "home": "Home & kitchen",
    "health": "Health",
    "baby_kids": "Baby & kids",
    "electronics": "Electronics",
    "sports_outdoors": "Sports & outdoors",
    "books_stationery": "Books & stationery",
    "other": "Other",
}
MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_NAME = 120
MAX_OPTION_NAME = 60
MAX_OPTIONS = 3
MAX_OPTION_VALUES = 50
MAX_VARIANTS = 100
MAX_QUANTITY = 10_000_000
MAX_WEIGHT_GRAMS = 1_000_000  # one tonne: more is a typo
MAX_DIMENSION_MM = 10_000
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns on PostgreSQL
MAX_PRICE_MINOR = 10**15  # far above any real price, far below the 64-bit limit
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,63}$")
BARCODE_PATTERN = re.compile(r"^[A-Za-z0-9\-]{1,64}$")
HS_CODE_PATTERN = re.compile(r"^\d{6,10}$")


class FieldErrors:
    """Collects problems per field path; `raise_if_any` turns them into one ValidationFailed."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}
        self.codes: set[str] = set()

    def add(self, field: str, message: str, code: str = "validation_failed") -> None:
        """Record that `field` is wrong, and why."""
        self.fields.setdefault(field, []).append(message)
        self.codes.add(code)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def has(self, field: str) -> bool:
        """Whether `field` already has a problem."""
        return field in self.fields

    def raise_if_any(self, message: str | None = None) -> None:
        """Raise ValidationFailed naming every field, if any problem was recorded."""
        if not self.fields:
            return
        code = next(iter(self.codes)) if len(self.codes) == 1 else "validation_failed"
        raise ValidationFailed(message or _("Please correct the highlighted fields."), code=code,
                               fields=self.fields)


def clean_text(value: Any, field: str, errors: FieldErrors, *, max_len: int,
               required: bool = False) -> str | None:
    """Stripped text, or None when blank; names missing or over-long values."""
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        errors.add(field, _("Must be text."))
        return None
    if not text:
        if required:
            errors.add(field, _("This field is required."))
        return None
    if len(text) > max_len:
        errors.add(field, _("Use at most %(n)d characters.", n=max_len))
        return None
    return text


def clean_int(value: Any, field: str, errors: FieldErrors, *, minimum: int | None = 0,
              maximum: int | None = None, required: bool = False) -> int | None:
    """A whole number (an int, or a string of digits from a form or CSV)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, bool):
        errors.add(field, _("Must be a whole number."))
        return None
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        errors.add(field, _("Must be a whole number."))
        return None
    if minimum is not None and value < minimum:
        if minimum == 0:
            errors.add(field, _("Must not be negative."), "negative_value")
        else:
            errors.add(field, _("Must be at least %(n)d.", n=minimum))
        return None
    if maximum is not None and value > maximum:
        errors.add(field, _("Must be at most %(n)s.", n=format(maximum, ",")))
        return None
    return value


def clean_id(value: Any, field: str, errors: FieldErrors, *,
             required: bool = True) -> int | None:
    """A row id: a whole number the id columns can hold (1 to 2^31-1)."""
    return clean_int(value, field, errors, minimum=1, maximum=MAX_ID, required=required)


def clean_objects(value: Any, field: str, errors: FieldErrors, *, max_items: int, shape: str,
                  allow_empty: bool = False) -> list[tuple[str, Mapping[str, Any]]]:
    """Each object of a list with its field path (`lines.0`); every problem is recorded.

    `shape` says what one object holds ("order_line_id and quantity"), for the messages.
    """
    if value is None and allow_empty:
        return []
    if not isinstance(value, list | tuple) or not (value or allow_empty):
        errors.add(field, _("List at least one object with %(shape)s.", shape=shape))
        return []
    if len(value) > max_items:
        errors.add(field, _("Send at most %(n)d items.", n=max_items))
        return []
    objects = []
    for index, item in enumerate(value):
        path = f"{field}.{index}"
        if isinstance(item, Mapping):
            objects.append((path, item))
        else:
            errors.add(path, _("Must be an object with %(shape)s.", shape=shape))
    return objects


def clean_quantity_lines(value: Any, field: str, errors: FieldErrors, *, id_key: str,
                         max_items: int, allow_empty: bool = False
                         ) -> list[tuple[str, int | None, int | None]]:
    """(path, id, quantity) per `{id_key, "quantity"}` object; quantities 1 or more."""
    return [(path,
             clean_id(item.get(id_key), f"{path}.{id_key}", errors),
             clean_int(item.get("quantity"), f"{path}.quantity", errors, minimum=1,
                       maximum=MAX_QUANTITY, required=True))
            for path, item in clean_objects(value, field, errors, max_items=max_items,
                                            shape=f"{id_key} and quantity",
                                            allow_empty=allow_empty)]


def clean_bool(value: Any, field: str, errors: FieldErrors) -> bool | None:
    """True/False (also "true"/"false"/"1"/"0" from forms and CSV)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "false", "0",
                                                              "no"}:
        return value.strip().lower() in {"true", "1", "yes"}
    errors.add(field, _("Must be true or false."))
    return None


def clean_country(value: Any, field: str, errors: FieldErrors, *,
                  required: bool = False) -> str | None:
    """An ISO 3166 alpha-2 code, upper-cased."""
    text = clean_text(value, field, errors, max_len=10, required=required)
    if text is None:
        return None
    if not is_country(text):
        errors.add(field, _("'%(code)s' is not an ISO 3166 two-letter country code.",
                            code=text),
                   "invalid_country")
        return None
    return text.upper()


def clean_countries(value: Any, field: str, errors: FieldErrors) -> list[str] | None:
    """A sorted, de-duplicated list of country codes (a list, or a comma-separated string)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list):
        errors.add(field, _("Must be a list of two-letter country codes."))
        return None
    bad = [str(c) for c in value if not isinstance(c, str) or not is_country(c)]
    if bad:
        errors.add(field, _("Not ISO 3166 country codes: %(codes)s.", codes=", ".join(bad)),
                   "invalid_country")
        return None
    return sorted({c.upper() for c in value})


def clean_hs_code(value: Any, field: str, errors: FieldErrors) -> str | None:
    """An HS code of 6 to 10 digits; dots and spaces ("0902.10") are dropped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        errors.add(field, _("Must be a string of 6 to 10 digits."), "invalid_hs_code")
        return None
    digits = re.sub(r"[\s.]", "", value)
    if not HS_CODE_PATTERN.fullmatch(digits):
        errors.add(field, _("'%(value)s' is not an HS code: use 6 to 10 digits, e.g. 090210.",
                            value=value),
                   "invalid_hs_code")
        return None
    return digits


def clean_currency(value: Any, field: str, errors: FieldErrors) -> str | None:
    """An ISO 4217 currency code, upper-cased."""
    try:
        return normalize_currency(value if isinstance(value, str) else "")
    except CurrencyError:
        errors.add(field, _("Unknown currency '%(code)s': use an ISO 4217 code such as USD.",
                            code=value),
                   "unknown_currency")
        return None


def amount_rule(currency: str, *, exact: bool = False) -> str:
    """How an amount in `currency` must be written: the message for one that is not."""
    digits = exponent(currency)
    if digits == 0:
        return _("Use whole %(currency)s such as 1500: digits only, no decimals.",
                 currency=currency.upper())
    example = "19." + "99"[:digits].ljust(digits, "0")
    if exact:
        return _("Use a plain number such as %(example)s with exactly %(n)d decimals for "
                 "%(currency)s (digits 0-9, a point, an optional leading minus).",
                 example=example, n=digits, currency=currency.upper())
    return _("Use a plain number such as %(example)s with at most %(n)d decimals for "
             "%(currency)s (digits 0-9, a point, an optional leading minus).",
             example=example, n=digits, currency=currency.upper())


def clean_money(value: Any, field: str, errors: FieldErrors, *, default_currency: str,
                required_currency: str | None = None, required: bool = False,
                exact: bool = False) -> Money | None:
    """A non-negative Money from Money, {"amount", "currency"}, or a decimal string.

    A bare amount is read in `default_currency`; with `required_currency` set, any other
    currency is refused. Strings go through `Money.parse` (the one amount parser; `exact`
    asks for exactly the currency's decimals, the API's rule). Floats are refused: they
    cannot carry exact amounts.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(field, _("This field is required."))
        return None
    currency: Any = default_currency
    amount: Any = value
    if isinstance(value, Money):
        currency, amount = value.currency, value.amount
    elif isinstance(value, dict):
        if set(value) - {"amount", "currency"} or "amount" not in value:
            errors.add(field, _('Send money as {"amount": "19.99", "currency": "USD"}.'),
                       "invalid_amount")
            return None
        amount, currency = value.get("amount"), value.get("currency", default_currency)
    code = clean_currency(currency, field, errors)
    if code is None:
        return None
    if isinstance(amount, float | bool) or (exact and not isinstance(amount, str)):
        errors.add(field, _('Send amounts as decimal strings such as "19.99", not numbers.'),
                   "invalid_amount")
        return None
    if not isinstance(amount, str | int | Decimal):
        errors.add(field, _("Must be a decimal amount such as 19.99."), "invalid_amount")
        return None
    try:
        if isinstance(amount, Decimal):
            money = Money.from_decimal(amount, code)
        else:
            text = str(amount)
            money = Money.parse(text if exact else text.strip(), code, exact=exact)
    except ValueError:  # AmountFormatError, or a Decimal with too many decimals
        errors.add(field, amount_rule(code, exact=exact), "invalid_amount")
        return None
    if money.minor < 0:
        errors.add(field, _("Prices must not be negative."), "negative_amount")
        return None
    if money.minor > MAX_PRICE_MINOR:
        errors.add(field, _("The amount is too large."), "invalid_amount")
        return None
    if required_currency and money.currency != required_currency:
        errors.add(field, _("Prices are in the store's base currency %(currency)s; use fixed "
                            "prices for other currencies.", currency=required_currency),
                   "currency_mismatch")
        return None
    return money


def clean_sku(value: Any, field: str, errors: FieldErrors) -> str | None:
    """A SKU: 1-64 letters, digits, dots, dashes, underscores or slashes (case kept)."""
    text = clean_text(value, field, errors, max_len=64, required=True)
    if text is None:
        return None
    if not SKU_PATTERN.fullmatch(text):
        errors.add(field, _("Use letters, digits, '.', '_', '-' or '/' (starting with a letter "
                            "or digit)."), "invalid_sku")
        return None
    return text


def clean_barcode(value: Any, field: str, errors: FieldErrors) -> str | None:
    """An optional barcode (EAN/UPC/GTIN or an internal code)."""
    text = clean_text(value, field, errors, max_len=64)
    if text is not None and not BARCODE_PATTERN.fullmatch(text):
        errors.add(field, _("Use letters, digits and '-' only."))
        return None
    return text


def clean_category(value: Any, field: str, errors: FieldErrors) -> str | None:
    """One of CATEGORIES (by slug), or None."""
    text = clean_text(value, field, errors, max_len=40)
    if text is not None and text not in CATEGORIES:
        errors.add(field, _("Choose one of: %(v)s.", v=", ".join(CATEGORIES)),
                   "invalid_category")
        return None
    return text


def clean_options(value: Any, field: str, errors: FieldErrors) -> list[tuple[str, list[str]]]:
    """[{"name": "Colour", "values": ["red", "blue"]}, ...] as (name, values) pairs."""
    if not isinstance(value, list):
        errors.add(field, _('Must be a list such as [{"name": "Size", "values": ["S", "M"]}].'))
        return []
    if len(value) > MAX_OPTIONS:
        errors.add(field, _("Use at most %(n)d options.", n=MAX_OPTIONS))
        return []
    options: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        path = f"{field}.{index}"
        if not isinstance(item, dict):
            errors.add(path, _('Must be an object with "name" and "values".'))
            continue
        name = clean_text(item.get("name"), f"{path}.name", errors, max_len=MAX_OPTION_NAME,
                          required=True)
        raw_values = item.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            errors.add(f"{path}.values", _("List at least one value."))
            continue
        values: list[str] = []
        for v_index, raw in enumerate(raw_values[:MAX_OPTION_VALUES + 1]):
            text = clean_text(raw, f"{path}.values.{v_index}", errors,
                              max_len=MAX_OPTION_NAME, required=True)
            if text is not None and text not in values:
                values.append(text)
        if len(raw_values) > MAX_OPTION_VALUES:
            errors.add(f"{path}.values", _("Use at most %(n)d values.", n=MAX_OPTION_VALUES))
        if name is None:
            continue
        if name.casefold() in seen:
            errors.add(f"{path}.name", _("The option '%(name)s' is listed twice.", name=name))
            continue
        seen.add(name.casefold())
        options.append((name, values))
    return options


def clean_variant_options(value: Any, field: str, errors: FieldErrors) -> dict[str, str] | None:
    """A variant's {"option name": "value"} mapping (strings only)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(field, _('Must be an object such as {"Colour": "red", "Size": "M"}.'))
        return None
    cleaned: dict[str, str] = {}
    for name, raw in value.items():
        key = clean_text(name, field, errors, max_len=MAX_OPTION_NAME, required=True)
        text = clean_text(raw, f"{field}.{name}", errors, max_len=MAX_OPTION_NAME,
                          required=True)
        if key is not None and text is not None:
            cleaned[key] = text
    return cleaned
