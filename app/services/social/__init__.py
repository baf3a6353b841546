"""Social: notes, feeds, search, likes, boards, comments, follows, notifications, translation."""

from app.services.social.language import detect_language
from app.services.social.notes import (
    note_loader_options,
)

__all__ = [
    "detect_language",
    "note_loader_options",
]
