"""Screening jobs: queued after the commit of every create and edit of screened content."""

from __future__ import annotations

import logging

from app.core.transaction import commit, rollback
from app.extensions import celery
from app.services.moderation import hold_unscreened, screen_content, stale_pending_items

log = logging.getLogger(__name__)


@celery.task(name="qiao.screen_content")
def screen_content_task(target_type: str, target_id: int) -> None:
    """Screen one note, comment, listing or profile and record the outcome.

    If screening itself fails, the item is held for a moderator (never left unscreened) and
    the audit log says why.
    """
    try:
        screen_content(target_type, target_id)
        commit()
    except Exception as exc:  # noqa: BLE001 - any failure must hold, not publish
        rollback()
        log.exception("screening %s %s failed; holding it", target_type, target_id)
        hold_unscreened(target_type, target_id, f"{type(exc).__name__}: {exc}")
        commit()


@celery.task(name="qiao.rescreen_stale_pending")
def rescreen_stale_pending_task() -> int:
    """Screen again what has waited as "pending" too long (its job was lost); how many."""
    items = stale_pending_items()
    for target_type, target_id in items:
        screen_content_task(target_type, target_id)
    return len(items)
