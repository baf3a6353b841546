"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# Every `<int:...>` in a URL is a row id, and ids are PostgreSQL INTEGER columns.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` limited to 1..2^31-1: a larger number names no row, so the URL is a 404.

    Without the bound, /orders/99999999999999999999 reached the database and overflowed
    the column (a 500 on PostgreSQL from 2^31, on SQLite from 2^63).
    """

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = MAX_ROW_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_converters(app: Flask) -> None:
    """Replace Werkzeug's unbounded `int` converter app-wide (before any route is added)."""
    app.url_map.converters["int"] = RowIdConverter
