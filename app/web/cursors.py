"""Opaque page cursors shared by the HTML pages and the JSON API.

A cursor is the sort values of the last row shown, as URL-safe base64 JSON. A cursor this
site did not make is a 400 `invalid_cursor` on both edges.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import request

from app.services.errors import DomainError
from app.web.converters import MAX_ROW_ID


class InvalidCursor(DomainError):
    """`?cursor=` was tampered with or truncated: start again without it."""

    code = "invalid_cursor"
    status = 400


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the position after a row with these sort values."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _invalid() -> InvalidCursor:
    return InvalidCursor("The cursor is not valid; start again without it.")


def decode_cursor(length: int) -> list[Any] | None:
    """The sort values in `?cursor=`, or None on the first page; 400 when tampered with."""
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != length:
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
