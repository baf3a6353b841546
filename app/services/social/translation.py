"""Translate what people write for viewers who read another language; cached.

Each translation is stored per (SHA-256 of the source text with its protected names
masked, target language), so a popular note is sent to the provider once per language,
however many people tap "See translation". Names the glossary protects travel as
markers and are put back (in the target language's fixed form, if any) on every read,
so a glossary change applies to cached translations too.

Content types register a loader (`register_translatable`), which finds the item the
viewer may see and returns its text; one endpoint then serves "See translation" for
every kind of content: notes, comments and profile bios here, more from other features.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.transaction import after_commit
from app.extensions import db
from app.models import Comment, Note, Product, TranslationCacheEntry, User, shown_clause
from app.providers.translation import (
    TranslationProvider,
    TranslationUnavailable,
    translation_provider,
)
from app.services.errors import DomainError, NotFound, ValidationFailed
from app.services.social import glossary
from app.services.social.age_gate import require_age_confirmation
from app.services.social.engagement import active_user
from app.services.social.language import DETECTABLE_LANGUAGES, detect_language
from app.services.social.notes import get_note


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


@dataclass(frozen=True)
class Translatable:
    """An item's text fields (in display order) and the language they are written in."""

    fields: dict[str, str]
    language: str | None
    # Products the item is about: their titles are kept intact (see glossary).
    products: tuple[Product, ...] = ()
    # The note whose age gate covers the item (a note's, or its comment's).
    gated_by: Note | None = None


@dataclass(frozen=True)
class TranslatedContent:
    """An item's text fields in the target language."""

    content_type: str
    content_id: int
    fields: dict[str, str]
    source_language: str | None
    target_language: str


# Finds item `content_id` as `viewer` may see it in `market` (NotFound otherwise).
TranslatableLoader = Callable[[User | None, int, str | None], Translatable]
_LOADERS: dict[str, TranslatableLoader] = {}


def register_translatable(content_type: str, loader: TranslatableLoader) -> None:
    """Offer "See translation" for a kind of content (its loader enforces who may see it)."""
    _LOADERS[content_type] = loader


def translatable_types() -> list[str]:
    """The content types that can be translated."""
    return sorted(_LOADERS)


def translation_enabled() -> bool:
    """Whether a translation provider is configured."""
    return translation_provider() is not None


def _target(target: str) -> str:
    target = (target or "").strip().lower()[:2]
    if target not in DETECTABLE_LANGUAGES:
        message = _("Choose one of: %(v)s.", v=", ".join(DETECTABLE_LANGUAGES))
        raise ValidationFailed(message, fields={"target": [message]})
    return target


def translate_text(text: str, target: str, source: str | None = None,
                   products: Iterable[Product] = ()) -> str:
    """`text` in `target`, from the cache or the provider (the result is cached).

    Glossary, store and brand names, and the titles of `products`, are kept intact.
    """
    return _translate_fields({"text": text}, _target(target), source, products)["text"]


def _translate_fields(fields: dict[str, str], target: str, source: str | None,
                      products: Iterable[Product]) -> dict[str, str]:
    """Each field in `target`; the names to keep are looked up once for all the fields."""
    wanted = {name: text for name, text in fields.items() if text.strip()}
    if not wanted or (source and source == target):
        return dict(fields)
    provider = translation_provider()
    if provider is None:
        raise TranslationFailed(_("Translation is not available."))
    names = glossary.protected_names("\n".join(wanted.values()), products)
    return {name: _translate_one(provider, text, target, source, names)
            if name in wanted else text for name, text in fields.items()}


def _translate_one(provider: TranslationProvider, text: str, target: str, source: str | None,
                   names: list[glossary.ProtectedName]) -> str:
    masked = glossary.mask(text, names)
    digest = hashlib.sha256(masked.text.encode("utf-8")).hexdigest()
    cached = db.session.scalar(select(TranslationCacheEntry.translated_text).where(
        TranslationCacheEntry.text_hash == digest,
        TranslationCacheEntry.target_language == target))
    if cached is not None:
        return glossary.unmask(cached, masked, target)
    try:
        translated = provider.translate(masked.text, target, source)
        restored = glossary.unmask(translated, masked, target)
    except (TranslationUnavailable, glossary.ProtectedNameLost):
        raise TranslationFailed(_("Translation is not available right now. "
                                  "Try again later.")) from None
    # Reading a page must not write: the cache row is stored by a job after the request.
    after_commit("qiao.cache_translation", digest, target, source, translated, provider.name)
    return restored


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
    fields = _translate_fields({"title": note.title, "body": note.body}, target,
                               note.language, _tagged_products(note))
    return TranslatedNote(title=fields["title"], body=fields["body"],
                          source_language=note.language, target_language=target)


def translatable_item(viewer: User | None, content_type: str, content_id: int,
                      *, market: str | None = None, confirmed_in_session: bool = False
                      ) -> Translatable:
    """The text of item `content_id` of `content_type`, if `viewer` may see it in `market`
    (and has passed the age gate of an adults-only note it belongs to).
    """
    loader = _LOADERS.get(content_type)
    if loader is None:
        raise NotFound(_("This cannot be translated."), code="not_translatable")
    item = loader(viewer, content_id, market)
    if item.gated_by is not None:
        require_age_confirmation(viewer, item.gated_by,
                                 confirmed_in_session=confirmed_in_session)
    return item


def translate_content(viewer: User | None, content_type: str, content_id: int, target: str,
                      *, market: str | None = None, confirmed_in_session: bool = False
                      ) -> TranslatedContent:
    """Item `content_id` of `content_type`, as `viewer` may see it, with its text in `target`."""
    item = translatable_item(viewer, content_type, content_id, market=market,
                             confirmed_in_session=confirmed_in_session)
    target = _target(target)
    return TranslatedContent(
        content_type=content_type, content_id=content_id,
        fields=_translate_fields(item.fields, target, item.language, item.products),
        source_language=item.language, target_language=target)


def _tagged_products(note: Note) -> tuple[Product, ...]:
    return tuple(tag.product for tag in note.product_tags)


def _note_text(viewer: User | None, note_id: int, market: str | None) -> Translatable:
    note = get_note(viewer, note_id, market=market)
    return Translatable({"title": note.title, "body": note.body}, note.language,
                        _tagged_products(note), gated_by=note)


def _comment_text(viewer: User | None, comment_id: int, market: str | None) -> Translatable:
    comment = db.session.scalar(select(Comment).where(Comment.id == comment_id,
                                                      shown_clause(Comment, market)))
    if comment is None:
        raise NotFound(_("No such comment."), code="comment_not_found")
    note = get_note(viewer, comment.note_id, market=market)  # the note must be visible too
    return Translatable({"body": comment.body}, comment.language, _tagged_products(note),
                        gated_by=note)


def _bio_text(viewer: User | None, user_id: int, market: str | None) -> Translatable:
    person = active_user(user_id)
    return Translatable({"body": person.bio}, detect_language(person.bio))


register_translatable("note", _note_text)
register_translatable("comment", _comment_text)
register_translatable("bio", _bio_text)
