"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Every `<int:...>` in a URL is a row id, and ids are PostgreSQL INTEGER columns.
MAX_ROW_ID = 2**31 - 1


def _at_most(limit: str) -> str:
    """A regex for decimal numbers without leading zeros from 1 up to `limit`."""
    shorter = f"[1-9][0-9]{{0,{len(limit) - 2}}}" if len(limit) > 1 else ""
    # Numbers as long as the limit: equal on a prefix, then a smaller digit, then anything.
    same_length = [limit]
    for index, digit in enumerate(limit):
        low = "1" if index == 0 else "0"
        if digit > low:
            tail = len(limit) - index - 1
            same_length.append(f"{limit[:index]}[{low}-{int(digit) - 1}]"
                               + (f"[0-9]{{{tail}}}" if tail else ""))
    return "|".join(filter(None, [shorter, *same_length]))


class RowIdConverter(IntegerConverter):
    """`<int:...>` limited to 1..2^31-1: a larger number names no row, so the URL is a 404.

    Without the bound, /orders/99999999999999999999 reached the database and overflowed
    the column (a 500 on PostgreSQL from 2^31, on SQLite from 2^63). The bound is in the
    regex, not only in `max`: when a converter refuses a value Werkzeug's matcher goes on
    and answers 405 if another method's rule had the same shape. `[0-9]`, not a digit class, so
    Arabic-Indic and other Unicode digits are not read as ids either.
    """

    regex = f"(?:{_at_most(str(MAX_ROW_ID))})"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = MAX_ROW_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Replace Werkzeug's unbounded `int` converter app-wide (before any route is added)."""
    app.url_map.converters["int"] = RowIdConverter
