"""Moderation: rules per market, screening, the review queue, decisions and appeals."""

from app.services.moderation.image_hashes import block_removed_image
from app.services.moderation.rules import REASON_CODES, reason_label
from app.services.moderation.screening import (
    latest_screening,
    screen_ad_creative,
    screen_content,
)

__all__ = [
    "REASON_CODES",
    "block_removed_image",
    "latest_screening",
    "reason_label",
    "screen_ad_creative",
    "screen_content",
]
