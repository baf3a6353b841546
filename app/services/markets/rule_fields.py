"""Reading one field of a rule-book entry, as admins type it or a JSON file lists it.

Each reader returns the cleaned value, or records a message under the field's key in
`errors` (so every problem of an entry is reported at once) and returns a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.money import Money
from app.services.regions import is_country

MAX_TEXT = 4000
URL = re.compile(r"https://[^\s]{4,492}")
# How sure a rule file's entry is: its figures read on an official page (or a faithful copy),
# only in secondary sources, or in no source page at all. Checked on load, kept in the file.
CONFIDENCE = ("official", "secondary", "unverified")


def country_field(data: Mapping[str, Any], errors: dict[str, list[str]], *,
                  examples: str) -> str:
    """The entry's `country`, an ISO 3166 code, upper-cased."""
    country = data.get("country")
    country = country.strip().upper() if isinstance(country, str) else ""
    if not is_country(country):
        errors["country"] = [f"{country!r} is not a country code such as {examples}."]
    return country


def text_field(data: Mapping[str, Any], key: str, errors: dict[str, list[str]], *,
               max_length: int, required: bool, message: str) -> str:
    """Stripped text of at most `max_length` characters; `message` when missing or longer."""
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if (required and not value) or len(value) > max_length:
        errors[key] = [message]
    return value


def date_field(data: Mapping[str, Any], key: str, errors: dict[str, list[str]], *,
               required: bool) -> date | None:
    """An ISO date (a `date` passes as it is); None when absent and not required."""
    value = data.get(key)
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        if required:
            errors[key] = ["Enter a date such as 2026-01-01."]
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors[key] = [f"{value.strip()!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-01."]
        return None


def percent_field(value: Any, key: str, errors: dict[str, list[str]]) -> Decimal | None:
    """A percentage from 0 to 100 with at most 4 decimals, as a fraction (20 -> 0.20)."""
    text = value.strip().removesuffix("%").strip() if isinstance(value, str) else ""
    try:
        percent = Decimal(text)
        if not percent.is_finite() or len(text) > 12:
            raise InvalidOperation
    except InvalidOperation:
        errors[key] = ["Enter a percentage from 0 to 100, e.g. 20 or 3.2."]
        return None
    if not Decimal(0) <= percent <= Decimal(100):
        errors[key] = [f"{text} % is outside 0 to 100 %."]
        return None
    if percent.normalize().as_tuple().exponent < -4:
        errors[key] = ["Use at most 4 decimals, e.g. 16.5."]
        return None
    return percent.scaleb(-2)


def amount_field(value: Any, currency: str | None, key: str, errors: dict[str, list[str]], *,
                 required: bool, positive: bool = False) -> int | None:
    """A major-unit amount in `currency` as minor units (its exponent checked)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            errors[key] = ["Enter an amount, e.g. 150 (0 for none)."]
        return None
    if currency is None:
        return None  # the currency is wrong; that error is enough
    try:
        minor = Money.from_decimal(text, currency).minor
    except ValueError as exc:
        errors[key] = [f"{exc}."]
        return None
    if minor < 0 or (positive and minor == 0):
        errors[key] = ["Must be more than 0." if positive else "Must not be negative."]
        return None
    return minor


def flag_field(data: Mapping[str, Any], key: str, errors: dict[str, list[str]]) -> bool:
    """A JSON boolean (the admin form sends real booleans too)."""
    value = data.get(key)
    if not isinstance(value, bool):
        errors[key] = ["Must be true or false."]
        return False
    return value


def check_confidence(data: Mapping[str, Any], errors: dict[str, list[str]]) -> None:
    """A file entry's `confidence`, if any, is one of CONFIDENCE; "official" needs the page
    and the day it was read. The admin form sends none, so it is not checked there.
    """
    confidence = data.get("confidence")
    if confidence is None:
        return
    if confidence not in CONFIDENCE:
        errors["confidence"] = [f"Say how sure the entry is: {', '.join(CONFIDENCE)}."]
    elif confidence == "official" and not (data.get("source_url") and data.get("verified_on")):
        errors["confidence"] = ["An official entry names the page (source_url) and the day it "
                                "was read (verified_on)."]
