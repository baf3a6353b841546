"""Helpers for HTML routes: safe redirects, choice lists, and service errors on forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import get_currency_name
from flask import url_for
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.core.transaction import rollback
from app.money import known_currencies
from app.services.errors import DomainError
from app.services.regions import SUPPORTED_CURRENCIES, country_names


def safe_next_url(target: str | None, default_endpoint: str = "main.index") -> str:
    """`target` if it is a path on this site, else the default page (no open redirects)."""
    if target and "\\" not in target and not any(ord(c) < 32 or ord(c) == 127 for c in target):
        # Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example") and
        # drop tabs and newlines, so any of those could smuggle in another host.
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for(default_endpoint)


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """`(value, label)` pairs (or a dict's `.items()`) as WTForms `SelectChoice` options.

    WTForms 3.3 deprecates plain tuples as `choices`; this keeps the value, the label and
    their order, so rendering and choice validation stay the same.
    """
    return [SelectChoice(value, label) for value, label in pairs]


def show_errors_on_form(form: FlaskForm, error: DomainError) -> None:
    """Copy a service's field errors onto the WTForms fields (others go to form.form_errors)."""
    placed = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *messages] if isinstance(field.errors, list) \
                else list(messages)
            placed = True
    if not placed:
        form.form_errors.append(error.message)


def reject_form(form: FlaskForm, error: DomainError) -> None:
    """Undo a failed service call's writes, then show its errors on the form to re-render."""
    # Roll back first: re-rendering reads the database, and must see none of the failed call.
    rollback()
    show_errors_on_form(form, error)


def currency_choices() -> list[SelectChoice]:
    """Common presentment currencies first, then every other ISO 4217 code."""
    locale = str(get_locale() or "en")

    def label(code: str) -> str:
        return f"{code} — {get_currency_name(code, locale=locale)}"

    others = sorted(known_currencies() - set(SUPPORTED_CURRENCIES))
    return select_choices([("", "—"), *[(c, label(c)) for c in SUPPORTED_CURRENCIES],
                           *[(c, label(c)) for c in others]])


def country_choices() -> list[SelectChoice]:
    """Every country, named in the page's language."""
    locale = "zh" if str(get_locale() or "en").startswith("zh") else "en"
    return select_choices([("", "—"), *country_names(locale).items()])
