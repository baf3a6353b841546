"""Helpers shared by the notes, feed, interactions and search tests (fixtures live in
tests/notes_fixtures.py, loaded with `pytest_plugins = ["tests.notes_fixtures"]`).

`image_bytes()` makes real JPEG/PNG/WebP files; `QueryCounter` counts SQL statements.
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import event

from app.core.cache_versions import forget_kept
from app.extensions import db
from app.services.social.notes import ImageUpload


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), color=(200, 30, 60),
                exif: bytes | None = None) -> bytes:
    """A small real image file."""
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def uploads(count: int = 1, fmt: str = "JPEG") -> list[ImageUpload]:
    """`count` valid image uploads."""
    return [ImageUpload(image_bytes(fmt, color=(10 * i, 80, 120)), f"photo{i}.jpg")
            for i in range(count)]


class QueryCounter:
    """Counts the SQL statements run while it is active (savepoints excluded)."""

    def __init__(self, *, cold: bool = False) -> None:
        self.statements: list[str] = []
        # Cold: what the process keeps between requests (rules, rates, shipping profiles,
        # app.core.cache_versions) is read again, so counts don't depend on what ran before.
        self.cold = cold

    def _record(self, conn, cursor, statement, *args) -> None:
        if not statement.upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        if self.cold:
            forget_kept()
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)
