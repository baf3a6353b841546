"""Ad delivery jobs: recording a sponsored click after its redirect, the pacing loop."""

from __future__ import annotations

from datetime import datetime

from app.core.transaction import commit
from app.extensions import celery
from app.services import ads


@celery.task(name="qiao.record_ad_click")
def record_ad_click(raw_token: str, user_id: int | None, anon_id: str | None,
                    user_agent: str, country: str | None, language: str | None,
                    note_id: int, clicked_at: str) -> None:
    """Count (and charge) one tap on a sponsored card, at the moment it happened."""
    requester = ads.Requester(user_id=user_id, anon_id=anon_id, user_agent=user_agent,
                              country=country, language=language)
    ads.record_click(raw_token, requester, note_id, now=datetime.fromisoformat(clicked_at))
    commit()


@celery.task(name="qiao.adjust_ad_pacing")
def adjust_ad_pacing() -> None:
    """Correct every live campaign's serving rate by delivered / planned."""
    ads.adjust_pacing()
    commit()
