"""Counters of the social side, bumped outside the requests that read them."""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import celery
from app.services.social import notes


@celery.task(name="qiao.count_tag_click")
def count_tag_click(tag_id: int) -> None:
    """Count one tap on a note's product tag."""
    notes.count_tag_click(tag_id)
    commit()
