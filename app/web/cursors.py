"""Opaque page cursors shared by the HTML pages and the JSON API.

A cursor is the sort values of the last row shown, as URL-safe base64 JSON. A cursor this
site did not make is a 400 `invalid_cursor` on both edges.

A feed's cursor may carry one more element: the sponsored campaigns its earlier pages
showed (at most `MAX_SHOWN_ADS`), so the next page does not show them again. Web
pages send the same list as `?seen_ads=` (their infinite scroll knows the cards it shows,
even on a page served from the shared cache).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from flask import request
from flask_babel import gettext as _

from app.services.errors import DomainError
from app.web.converters import MAX_ROW_ID


class InvalidSeenAds(DomainError):
    """`?seen_ads=` is not a list of campaign ids."""

    code = "invalid_seen_ads"
    status = 400


class InvalidCursor(DomainError):
    """`?cursor=` was tampered with or truncated: start again without it."""

    code = "invalid_cursor"
    status = 400


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the position after a row with these sort values."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _invalid() -> InvalidCursor:
    return InvalidCursor("The cursor is not valid; start again without it.")


MAX_SHOWN_ADS = 20


def _row_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def _values(raw: str) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list):
        raise _invalid()
    return values


def decode_feed_cursor(length: int) -> tuple[list[Any] | None, frozenset[int]]:
    """A feed's sort values (None on the first page) and the sponsored campaigns its
    earlier pages showed; 400 when tampered with.
    """
    raw = request.args.get("cursor")
    if not raw:
        return None, frozenset()
    values = _values(raw)
    shown: list[Any] = []
    if len(values) == length + 1:
        *values, shown = values
        if not isinstance(shown, list) or len(shown) > MAX_SHOWN_ADS \
                or not all(_row_id(v) for v in shown):
            raise _invalid()
    return _checked(values, length), frozenset(shown)


def encode_feed_cursor(values: list[Any], shown: Iterable[int]) -> str:
    """A feed cursor that also carries the sponsored campaigns shown so far."""
    kept = sorted(set(shown))[-MAX_SHOWN_ADS:]
    return encode_cursor([*values, kept] if kept else values)


def add_shown_ads(cursor: str, shown: Iterable[int]) -> str:
    """`cursor` (one this site made, without shown campaigns) carrying `shown` too."""
    values = _values(cursor)
    return encode_feed_cursor(values, shown)


def seen_ads_param() -> frozenset[int]:
    """The campaigns a web page says it already shows (`?seen_ads=3,8`); 400 if garbled."""
    raw = request.args.get("seen_ads", "")
    parts = [p for p in raw.split(",") if p] if raw else []
    if not all(p.isdigit() and _row_id(int(p)) for p in parts):
        raise InvalidSeenAds(_("seen_ads must list campaign ids separated by commas."))
    return frozenset(int(p) for p in parts[-MAX_SHOWN_ADS:])


def decode_cursor(length: int) -> list[Any] | None:
    """The sort values in `?cursor=`, or None on the first page; 400 when tampered with."""
    raw = request.args.get("cursor")
    if not raw:
        return None
    return _checked(_values(raw), length)


def _checked(values: list[Any], length: int) -> list[Any]:
    if len(values) != length:
        raise _invalid()
    # Sort values are row ids and counts (INTEGER columns): a number past them is not one
    # of ours, and binding it would overflow the column instead of answering 400.
    if any(isinstance(v, int) and not -MAX_ROW_ID <= v <= MAX_ROW_ID for v in values):
        raise _invalid()
    return values


def decode_id_cursor() -> int | None:
    """The row id in `?cursor=` of a list ordered by id, or None on the first page."""
    cursor = decode_cursor(1)
    if cursor is None:
        return None
    # json gives True for `true`, which is an int to Python but never a row id.
    if not isinstance(cursor[0], int) or isinstance(cursor[0], bool) or cursor[0] < 1:
        raise _invalid()
    return cursor[0]
