"""Parsers for request fields that several API modules share; each names the bad field."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api.core import MAX_INTEGER, json_body
from app.money import CurrencyError, Money, normalize_currency
from app.services.errors import ValidationFailed
from app.services.fields import FieldErrors, clean_money

# Row ids are PostgreSQL INTEGER columns: anything outside this range names no row, and
# binding it would overflow the column (a 500) instead of answering "no such thing".
MAX_ID = MAX_INTEGER


def optional_body() -> dict[str, Any]:
    """The JSON object of a request whose body may be left out entirely ({} then)."""
    return json_body() if request.get_data(cache=True) else {}


def string_fields(body: dict[str, Any], required: list[str], optional: list[str] = ()) -> dict:
    """Pick string fields from `body`, naming each missing or mistyped one."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name in [*required, *optional]:
        value = body.get(name)
        if value is None:
            if name in required:
                errors[name] = ["This field is required."]
            continue
        if not isinstance(value, str):
            errors[name] = ["Must be a string."]
            continue
        values[name] = value
    if errors:
        raise ValidationFailed("Some fields are missing or invalid.", fields=errors)
    return values


def int_field(value: Any, name: str) -> int | None:
    """A whole number (within INTEGER's range) as a JSON number or a form string, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_INTEGER:
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isascii() \
            and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 10 \
            and abs(int(value)) <= MAX_INTEGER:
        return int(value)
    raise ValidationFailed(f"{name} must be a whole number.",
                           fields={name: ["Must be a whole number."]})


def id_field(value: Any, name: str) -> int | None:
    """A row id (1 to 2^31-1) sent as a JSON number or a form string; None when absent."""
    text = value.strip() if isinstance(value, str) else None
    if text and text.isascii() and text.lstrip("-").isdigit():
        # A string of digits is an id, however long: too long is out of range (and int()
        # is not asked to read thousands of digits).
        number: int | None = int(text) if len(text) <= 11 else MAX_ID + 1
    else:
        number = int_field(value, name)
    if number is not None and not 1 <= number <= MAX_ID:
        raise ValidationFailed(f"{name} is not the id of anything.", code="invalid_id",
                               fields={name: [f"Use an id from 1 to {MAX_ID}."]})
    return number


def money_format_problem(value: Any) -> str | None:
    """What is wrong with the form of API Money (None when fine or left to the service).

    Checks the shape and the digits only: an unknown currency or a negative amount is
    left to the service, which names it with its own code among the body's other errors.
    """
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("amount"), str) \
            or not isinstance(value.get("currency"), str):
        return 'Send money as {"amount": "19.99", "currency": "USD"}, the amount a string.'
    try:
        Money.parse(value["amount"], normalize_currency(value["currency"]), exact=True)
    except CurrencyError:
        return None
    except ValueError as exc:
        return f"{exc}."
    return None


def money_field(value: Any, name: str, errors: FieldErrors | None = None, *,
                currency: str | None = None) -> Money | None:
    """API Money: `{"amount": "19.99", "currency": "USD"}` with exactly the currency's decimals.

    Non-negative; with `currency`, any other currency is `currency_mismatch`. Problems go
    to `errors` when given (the caller raises), else raise here as ValidationFailed.
    """
    own = errors if errors is not None else FieldErrors()
    if value is not None and not (isinstance(value, dict) and "currency" in value):
        own.add(name, 'Send money as {"amount": "19.99", "currency": "USD"}.', "invalid_amount")
        money = None
    else:
        money = clean_money(value, name, own, default_currency="USD",
                            required_currency=currency, exact=True)
    if errors is None:
        own.raise_if_any("The amount is invalid.")
    return money
