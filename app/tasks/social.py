"""Social writes kept out of the pages that read (tag tap counts, the translation cache),
the periodic expiry of unanswered co-author invitations, and the events job.
"""

from __future__ import annotations

from app.core.transaction import commit
from app.extensions import celery
from app.services.social import coauthoring, events, interests, product_tags, translation
from app.tasks.batches import in_committed_batches


@celery.task(name="qiao.count_tag_click")
def count_tag_click(tag_id: int) -> None:
    """Count one tap on a note's product tag."""
    product_tags.count_tag_click(tag_id)
    commit()


@celery.task(name="qiao.cache_translation")
def cache_translation(text_hash: str, target: str, source: str | None, translated: str,
                      provider_name: str) -> None:
    """Keep a translation so the next reader of the same text gets it without the provider."""
    translation.cache_translation(text_hash, target, source, translated, provider_name)
    commit()


@celery.task(name="qiao.expire_coauthor_invitations")
def expire_coauthor_invitations() -> int:
    """Expire co-author invitations left unanswered past their deadline."""
    expired = coauthoring.expire_invitations()
    commit()
    return expired


@celery.task(name="qiao.advance_events")
def advance_events(batch: int = 100) -> int:
    """Periodic: tell participants an event started; close ended events (final ranks,
    notices to participants and to the entries that placed).
    """
    return in_committed_batches(lambda limit: events.advance_events(limit=limit), batch)


@celery.task(name="qiao.fold_purchase_interests")
def fold_purchase_interests() -> int:
    """Teach buyers' Discover what they bought: the store, and what the note was about."""
    folded = interests.fold_purchase_interests()
    commit()
    return folded


@celery.task(name="qiao.decay_interests")
def decay_interests() -> int:
    """Fade every interest weight a little, so profiles follow what people like now."""
    dropped = interests.decay_interests()
    commit()
    return dropped
