"""The viewer of the current request: locale, display currency, ship-to country, time zone.

Services take preferences as arguments; this edge module works them out from the
signed-in user (web session or API token), the guest session and Accept-Language.
"""

from __future__ import annotations

from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

from app.services.accounts.preferences import Preferences, guest_choices, supported_locales
from app.services.accounts.time_zones import is_time_zone

# Written by static/js/timezone.js with the browser's IANA zone; never trusted unchecked.
TIME_ZONE_COOKIE = "qiao_tz"


def select_locale() -> str:
    """Flask-Babel's selector: the user's choice, then Accept-Language, then English."""
    return current_preferences().locale


def select_timezone() -> ZoneInfo:
    """Flask-Babel's selector: the user's chosen zone, then the browser's, then UTC."""
    # A ZoneInfo, not a name: Flask-Babel would look a name up in pytz's own database.
    if not has_request_context():
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    user = _signed_in_user()
    chosen = user.time_zone if user is not None else None
    return ZoneInfo(chosen if is_time_zone(chosen) else browser_time_zone())


def browser_time_zone() -> str:
    """The zone the browser reported in its cookie, when it is a real one; else UTC."""
    # The script URL-encodes the name ("Asia%2FTokyo"); cookies are not decoded for us.
    reported = unquote(request.cookies.get(TIME_ZONE_COOKIE, ""))
    return reported if is_time_zone(reported) else current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _signed_in_user():
    return getattr(g, "api_user", None) or (
        current_user if current_user and current_user.is_authenticated else None
    )


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
    user = _signed_in_user()
    if user is not None:
        chosen = {"locale": user.locale, "currency": user.currency,
                  "ship_to_country": user.ship_to_country}
    else:
        chosen = guest_choices(session)
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
