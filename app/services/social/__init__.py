"""Social: notes, feeds, search, likes, boards, comments, follows, notifications, translation."""

from app.services.social.notes import (
    note_loader_options,
)

__all__ = [
    "note_loader_options",
]
