"""Display preferences: UI locale, display currency and ship-to country.

Signed-in users keep them on their account; guests keep them in the session.
Later features (prices, availability, checkout) read `current_preferences()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

from app.models import User
from app.services.errors import ValidationFailed

# Presentment currencies offered to shoppers.
SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "JPY", "KRW", "HKD", "SGD", "AUD", "CAD")
SESSION_KEY = "preferences"


@dataclass(frozen=True)
class Preferences:
    """What the viewer sees prices in, where they ship to, and in which language."""

    locale: str
    currency: str
    ship_to_country: str


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """ISO 3166 alpha-2 code -> country name in `locale`, sorted by name."""
    territories = Locale.parse(locale).territories
    codes = {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha()}
    codes.pop("ZZ", None)
    return dict(sorted(codes.items(), key=lambda item: item[1]))


def is_country(code: str | None) -> bool:
    """Whether `code` is an ISO 3166 alpha-2 country code."""
    return bool(code) and code.upper() in country_names("en")


def supported_locales() -> list[str]:
    """UI locales Qiao ships translations for."""
    return list(current_app.config["LANGUAGES"])


def validate_preferences(locale: str | None, currency: str | None, country: str | None) -> dict:
    """Check each given preference; raise ValidationFailed naming each bad one."""
    errors: dict[str, list[str]] = {}
    if locale is not None and locale not in supported_locales():
        errors["locale"] = [f"Choose one of: {', '.join(supported_locales())}."]
    if currency is not None and currency.upper() not in SUPPORTED_CURRENCIES:
        errors["currency"] = [f"Choose one of: {', '.join(SUPPORTED_CURRENCIES)}."]
    if country is not None and not is_country(country):
        errors["ship_to_country"] = ["Choose a country by its two-letter ISO code."]
    if errors:
        raise ValidationFailed("Some preferences are not valid.", fields=errors)
    return {
        "locale": locale,
        "currency": currency.upper() if currency else None,
        "ship_to_country": country.upper() if country else None,
    }


def save_preferences(
    user: User | None,
    stored_session: dict,
    *,
    locale: str | None = None,
    currency: str | None = None,
    ship_to_country: str | None = None,
) -> None:
    """Remember the given preferences on the user, or in the guest's session."""
    values = {k: v for k, v in validate_preferences(locale, currency, ship_to_country).items()
              if v is not None}
    if user is not None:
        for key, value in values.items():
            setattr(user, key, value)
    else:
        stored_session[SESSION_KEY] = {**stored_session.get(SESSION_KEY, {}), **values}


def adopt_guest_preferences(user: User, stored_session: dict) -> None:
    """On login, keep choices the guest made that the account has not set."""
    for key, value in stored_session.pop(SESSION_KEY, {}).items():
        if getattr(user, key) is None:
            setattr(user, key, value)


def select_locale() -> str:
    """Flask-Babel's selector: the user's choice, then Accept-Language, then English."""
    return current_preferences().locale


def current_preferences() -> Preferences:
    """The viewer's preferences for this request (computed once per request)."""
    if not has_request_context():
        return Preferences(
            current_app.config["BABEL_DEFAULT_LOCALE"],
            current_app.config["DEFAULT_CURRENCY"],
            current_app.config["DEFAULT_SHIP_TO_COUNTRY"],
        )
    cached = g.get("_qiao_preferences")
    if cached is not None:
        return cached
    chosen: dict = {}
    user = getattr(g, "api_user", None) or (
        current_user if current_user and current_user.is_authenticated else None
    )
    if user is not None:
        chosen = {"locale": user.locale, "currency": user.currency,
                  "ship_to_country": user.ship_to_country}
    else:
        chosen = dict(session.get(SESSION_KEY, {}))
    locale = chosen.get("locale") or request.accept_languages.best_match(
        supported_locales(), default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    prefs = Preferences(
        locale=locale,
        currency=chosen.get("currency") or _default_currency(locale),
        ship_to_country=chosen.get("ship_to_country")
        or current_app.config["DEFAULT_SHIP_TO_COUNTRY"],
    )
    g._qiao_preferences = prefs
    return prefs


def _default_currency(locale: str) -> str:
    return "CNY" if locale == "zh" else current_app.config["DEFAULT_CURRENCY"]
