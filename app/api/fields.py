"""Parsers for request fields that several API modules share; each names the bad field."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api.core import json_body
from app.services.errors import ValidationFailed


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
    """A whole number sent as a JSON number or a form string; None when absent or empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ValidationFailed(f"{name} must be a whole number.",
                           fields={name: ["Must be a whole number."]})
