"""Screening jobs: queued after the commit of every create and edit of screened content."""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import celery
from app.services.moderation import screen_content


@celery.task(name="qiao.screen_content")
def screen_content_task(target_type: str, target_id: int) -> None:
    """Screen one note, comment, listing, profile or ad creative and record the outcome."""
    screen_content(target_type, target_id)
    commit()
