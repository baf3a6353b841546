"""The viewer's time zone: an IANA name chosen in the settings, else the browser's."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_babel import gettext as _

from app.models import User
from app.services.errors import ValidationFailed

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
