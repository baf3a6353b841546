"""Times in the viewer's language and time zone, as Jinja filters (`|when`, `|day`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
)
from flask import Flask
from flask_babel import get_locale, get_timezone

from app.services.accounts import format_local_time, format_viewer_day, format_viewer_time


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive values; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_when(moment: datetime | None) -> str:
    """A time that matters (an event, an expiry) in the viewer's zone, saying which."""
    return "" if moment is None else format_viewer_time(moment)


def format_day(moment: datetime | date | None) -> str:
    """The calendar day of `moment` where the viewer is."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return format_viewer_day(moment)
    return format_date(moment, "medium", locale=str(get_locale() or "en"))


def format_day_range(earliest: datetime, latest: datetime) -> str:
    """Two days where the viewer is, as a short localised range: "Dec 12 – 17"."""
    zone = get_timezone()
    first, last = (_aware(m).astimezone(zone).date() for m in (earliest, latest))
    return format_interval(first, last, "MMMd", locale=str(get_locale() or "en"))


def format_at_offset(moment: datetime, offset_minutes: int) -> str:
    """A time on the clock of the place it happened (a scan's own UTC offset)."""
    zone = timezone(timedelta(minutes=offset_minutes))
    return format_local_time(_aware(moment).astimezone(zone), zone, str(get_locale() or "en"))


def from_viewer_clock(local: datetime) -> datetime:
    """A date-time typed into a form (naive, on the viewer's clock) as aware UTC."""
    return local.replace(tzinfo=ZoneInfo(str(get_timezone()))).astimezone(UTC)


def to_viewer_clock(moment: datetime) -> datetime:
    """A stored time as the naive local date-time a form field shows the viewer."""
    return _aware(moment).astimezone(ZoneInfo(str(get_timezone()))).replace(tzinfo=None)


def zone_label() -> str:
    """The viewer's zone for a caption: "Asia/Tokyo (GMT+09:00)"."""
    zone = get_timezone()
    offset = format_datetime(datetime.now(zone), "ZZZZ", tzinfo=zone,
                             locale=str(get_locale() or "en"))
    return f"{zone} ({offset})"


def register_time_filters(app: Flask) -> None:
    """Make the formatters available to every template."""
    app.add_template_filter(format_when, "when")
    app.add_template_filter(format_day, "day")
    app.add_template_global(format_at_offset)
    app.add_template_global(format_day_range)
    app.add_template_global(zone_label)
