"""Display preferences: UI locale, display currency and ship-to country.

Signed-in users keep them on their account; guests keep them in the session. The
request's own preferences are worked out at the edge, in app/web/viewer.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from app.models import User
from app.services.errors import ValidationFailed
from app.services.regions import SUPPORTED_CURRENCIES, is_country

SESSION_KEY = "preferences"
# What the last account on this browser had, kept after it logged out so the page goes on
# speaking its language; unlike SESSION_KEY these were not chosen here, so they are shown
# but never copied onto the next account that logs in.
LOGGED_OUT_SESSION_KEY = "logged_out_preferences"
PREFERENCE_KEYS = ("locale", "currency", "ship_to_country")


@dataclass(frozen=True)
class Preferences:
    """What the viewer sees prices in, where they ship to, and in which language."""

    locale: str
    currency: str
    ship_to_country: str


def supported_locales() -> list[str]:
    """UI locales Qiao ships translations for."""
    return list(current_app.config["LANGUAGES"])


def validate_preferences(locale: str | None, currency: str | None, country: str | None) -> dict:
    """Check each given preference; raise ValidationFailed naming each bad one."""
    errors: dict[str, list[str]] = {}
    if locale is not None and locale not in supported_locales():
        errors["locale"] = [_("Choose one of: %(values)s.", values=", ".join(supported_locales()))]
    if currency is not None and currency.upper() not in SUPPORTED_CURRENCIES:
        errors["currency"] = [_("Choose one of: %(values)s.",
                                values=", ".join(SUPPORTED_CURRENCIES))]
    if country is not None and not is_country(country):
        errors["ship_to_country"] = [_("Choose a country by its two-letter ISO code.")]
    if errors:
        raise ValidationFailed(_("Some preferences are not valid."), fields=errors)
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
    """On login, move the choices made as a guest onto the account.

    The guest's choices are the most recent ones the person made (the header switcher
    stores only explicit choices), so they replace what the account had. What a previous
    account left behind when it logged out is dropped, not adopted.
    """
    stored_session.pop(LOGGED_OUT_SESSION_KEY, None)
    guest = stored_session.pop(SESSION_KEY, None)
    if not isinstance(guest, dict):
        return
    try:
        values = validate_preferences(guest.get("locale"), guest.get("currency"),
                                      guest.get("ship_to_country"))
    except ValidationFailed:
        return  # stale or tampered session values are dropped, not adopted
    for key, value in values.items():
        if value is not None:
            setattr(user, key, value)


def keep_after_logout(user: User, stored_session: dict) -> None:
    """Let the logged-out page keep the account's preferences, without handing them on."""
    kept = {key: getattr(user, key) for key in PREFERENCE_KEYS if getattr(user, key)}
    if kept:
        stored_session[LOGGED_OUT_SESSION_KEY] = kept


def guest_choices(stored_session: dict) -> dict[str, str]:
    """A guest's preferences: their own choices over what a logged-out account left."""
    return {**stored_session.get(LOGGED_OUT_SESSION_KEY, {}),
            **stored_session.get(SESSION_KEY, {})}


def set_always_translate(user: User, enabled: bool) -> None:
    """Show text in other languages translated without a tap (or only when asked)."""
    user.always_translate = bool(enabled)
