"""Social: notes, feeds, search, likes, boards, comments, follows, notifications, translation."""

from app.services.social.engagement import report
from app.services.social.language import detect_language
from app.services.social.mentions import sync_content_notices
from app.services.social.notes import (
    note_card_loader_options,
    note_loader_options,
)
from app.services.social.notifications import notify_moderation
from app.services.social.topic_counts import adjust_topic_counts, counted_state
from app.services.social.translation import Translatable, register_translatable

__all__ = [
    "Translatable",
    "adjust_topic_counts",
    "counted_state",
    "detect_language",
    "note_card_loader_options",
    "note_loader_options",
    "notify_moderation",
    "register_translatable",
    "report",
    "sync_content_notices",
]
