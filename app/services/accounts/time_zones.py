"""The viewer's time zone: an IANA name chosen in the settings, else the browser's."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.core import get_global
from babel.dates import format_date, format_datetime, format_time, get_datetime_format
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from app.models import User
from app.services.errors import ValidationFailed

# China keeps one clock; CLDR also lists Xinjiang's informal zone for it.
OFFICIAL_ZONES = {"CN": "Asia/Shanghai"}

# The settings list shows only the canonical area/city names; aliases such as "Japan"
# or "US/Eastern" are still accepted when a browser reports them.
AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
         "Europe", "Indian", "Pacific")


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is an IANA time zone this server knows."""
    return bool(name) and name in _known()


@cache
def time_zone_groups() -> dict[str, list[str]]:
    """The canonical zones grouped by their area ("Asia": ["Asia/Tokyo", …]), sorted."""
    groups: dict[str, list[str]] = {area: [] for area in AREAS}
    for name in sorted(_known()):
        area = name.partition("/")[0]
        if area in groups and "/" in name:
            groups[area].append(name)
    groups["UTC"] = ["UTC"]
    return groups


def set_time_zone(user: User, name: str | None) -> None:
    """Remember the user's time zone; None or "" goes back to following the browser."""
    name = (name or "").strip()
    if name and not is_time_zone(name):
        raise ValidationFailed(
            _("Please correct the highlighted fields."),
            fields={"time_zone": [_("“%(name)s” is not a time zone we know: choose one from "
                                    "the list, such as Asia/Tokyo.", name=name[:64])]})
    user.time_zone = name or None


def mail_time_zone(user: User | None) -> tzinfo:
    """The zone an e-mail gives someone's times in, where no browser reports one: the zone
    they chose, else their country's when it keeps one clock, else UTC (every time written
    says its offset, so none is ambiguous).
    """
    if user is not None and is_time_zone(user.time_zone):
        return ZoneInfo(user.time_zone)
    country = (user.home_country or "").upper() if user is not None else ""
    zones = get_global("territory_zones").get(country, [])
    if country in OFFICIAL_ZONES or len(zones) == 1:
        return ZoneInfo(OFFICIAL_ZONES.get(country) or zones[0])
    return UTC


def format_local_time(moment: datetime, zone: tzinfo, locale: str) -> str:
    """Medium date, short time and the zone's offset, joined the locale's way."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    pattern = get_datetime_format("medium", locale=locale)
    both = pattern.replace("{1}", format_date(local, "medium", locale=locale)) \
        .replace("{0}", format_time(local, "short", tzinfo=zone, locale=locale))
    return f"{both} {format_datetime(local, 'ZZZZ', tzinfo=zone, locale=locale)}"


def format_viewer_time(moment: datetime) -> str:
    """`moment` for whoever is being answered, in the zone and language Flask-Babel chose
    for them (their setting, else their browser's; UTC outside a request), with its offset.
    """
    return format_local_time(moment, get_timezone() or UTC, str(get_locale() or "en"))


def format_viewer_day(moment: datetime) -> str:
    """The calendar day of `moment` where whoever is being answered is."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(
        get_timezone() or UTC)
    return format_date(local, "medium", locale=str(get_locale() or "en"))
