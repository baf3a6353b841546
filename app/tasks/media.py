"""Stored media files whose rows are gone."""

from __future__ import annotations

from app.extensions import celery
from app.providers.media import media_storage


@celery.task(name="qiao.delete_media")
def delete_media(keys: list[str]) -> int:
    """Remove stored media files (queued after the commit that dropped their rows)."""
    storage = media_storage()
    for key in keys:
        storage.delete(key)
    return len(keys)
