"""Fixtures for the notes tests: `make_note` posts a note through the service (images go
through the real pipeline); `quick_note` inserts rows directly, for bulk feed data.

Load them in a test module with `pytest_plugins = ["tests.notes_fixtures"]`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Note, NoteImage, utcnow
from app.services.social import notes
from app.services.social.notes import hot_score
from tests.notes_factories import uploads


@pytest.fixture
def make_note(app):
    """Post a note through the service and commit (as a route would)."""

    def post(author, title: str = "My favourite tea", body: str = "Lovely #tea", *,
             images: int = 1, publish: bool = True, **kwargs) -> Note:
        note = notes.create_note(author, title=title, body=body, images=uploads(images),
                                 publish=publish, **kwargs)
        db.session.commit()
        return note

    return post


@pytest.fixture
def quick_note(app):
    """Insert a published note directly (fake media keys): fast bulk data for feeds."""

    def insert(author, title: str = "A note", body: str = "", *, language: str | None = "en",
               region: str | None = None, age_hours: float = 0.0, likes: int = 0,
               status: str = "published") -> Note:
        published = utcnow() - timedelta(hours=age_hours)
        note = Note(author_id=author.id, title=title, body=body, status=status,
                    language=language, region=region, like_count=likes,
                    published_at=published if status == "published" else None,
                    hot_score=hot_score(likes, 0, 0, published))
        note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                                 keys={"display": "notes/x/fake-display.webp",
                                       "thumb": "notes/x/fake-thumb.webp"})]
        db.session.add(note)
        db.session.flush()
        return note

    return insert
