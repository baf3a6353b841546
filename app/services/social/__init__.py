"""Social: notes, feeds, search, likes, boards, comments, follows, notifications, translation."""

from app.services.social.engagement import report
from app.services.social.notes import (
    note_loader_options,
)
from app.services.social.notifications import notify_moderation

__all__ = [
    "note_loader_options",
    "notify_moderation",
    "report",
]
