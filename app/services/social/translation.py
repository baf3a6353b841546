"""Translate notes and comments for viewers who read another language; cached.

Each translation is stored per (SHA-256 of the source text, target language), so a
popular note is sent to the provider once per language, however many people tap
"See translation".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.transaction import after_commit
from app.extensions import db
from app.models import Comment, Note, TranslationCacheEntry
from app.providers.translation import TranslationUnavailable, translation_provider
from app.services.errors import DomainError, ValidationFailed
from app.services.social.language import DETECTABLE_LANGUAGES


class TranslationFailed(DomainError):
    """Translation is off, or the provider did not answer."""

    code = "translation_unavailable"
    status = 503


@dataclass(frozen=True)
class TranslatedNote:
    """A note's title and body in the target language."""

    title: str
    body: str
    source_language: str | None
    target_language: str


def translation_enabled() -> bool:
    """Whether a translation provider is configured."""
    return translation_provider() is not None


def offers_translation(language: str | None, viewer_language: str) -> bool:
    """Whether "See translation" belongs next to text in `language` for this viewer."""
    return bool(language) and language != viewer_language[:2] and translation_enabled()


def _target(target: str) -> str:
    target = (target or "").strip().lower()[:2]
    if target not in DETECTABLE_LANGUAGES:
        message = _("Choose one of: %(v)s.", v=", ".join(DETECTABLE_LANGUAGES))
        raise ValidationFailed(message, fields={"target": [message]})
    return target


def translate_text(text: str, target: str, source: str | None = None) -> str:
    """`text` in `target`, from the cache or the provider (the result is cached)."""
    target = _target(target)
    if not text.strip() or (source and source == target):
        return text
    provider = translation_provider()
    if provider is None:
        raise TranslationFailed(_("Translation is not available."))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    cached = db.session.scalar(select(TranslationCacheEntry.translated_text).where(
        TranslationCacheEntry.text_hash == digest,
        TranslationCacheEntry.target_language == target))
    if cached is not None:
        return cached
    try:
        translated = provider.translate(text, target, source)
    except TranslationUnavailable:
        raise TranslationFailed(_("Translation is not available right now. "
                                  "Try again later.")) from None
    # Reading a page must not write: the cache row is stored by a job after the request.
    after_commit("qiao.cache_translation", digest, target, source, translated, provider.name)
    return translated


def cache_translation(text_hash: str, target: str, source: str | None, translated: str,
                      provider_name: str) -> None:
    """Store one provider translation in the cache (the job queued by translate_text)."""
    try:
        with db.session.begin_nested():
            db.session.add(TranslationCacheEntry(
                text_hash=text_hash, target_language=target, source_language=source,
                translated_text=translated, provider=provider_name))
    except IntegrityError:
        pass  # another request cached the same text a moment ago


def translate_note(note: Note, target: str) -> TranslatedNote:
    """The note's title and body in `target`."""
    target = _target(target)
    return TranslatedNote(title=translate_text(note.title, target, note.language),
                          body=translate_text(note.body, target, note.language),
                          source_language=note.language, target_language=target)


def translate_comment(comment: Comment, target: str) -> str:
    """The comment's body in `target`."""
    return translate_text(comment.body, _target(target), comment.language)
