"""Notes: post, edit, publish and delete a note with its images, topics and product tags.

A note has 1-9 images. Each goes through the shared image pipeline
(app.services.images: validated, EXIF stripped, turned upright, WebP renditions); if any
image is refused, the renditions already stored for the others are removed, so a failed
post writes nothing. Bodies are plain text: #topics are parsed here, @mentions in
app.services.social.mentions, and both are rendered (escaped, then linked) by
app.notes.rendering.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.core.transaction import after_commit, screen_after_commit
from app.extensions import db
from app.models import (
    QUESTION_SIDES,
    Event,
    EventEntry,
    Note,
    NoteCoauthor,
    NoteImage,
    NoteProductTag,
    NoteTopic,
    Product,
    Topic,
    User,
)
from app.providers.media import media_storage
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.images import process_image
from app.services.social.abuse import check_posting_allowed
from app.services.social.language import detect_language
from app.services.social.mentions import announce_note
from app.services.social.product_tags import TagInput, validated_tags
from app.services.social.topic_counts import adjust_topic_counts, counted_state

MAX_TITLE = 100
MAX_BODY = 2000
MIN_IMAGES = 1
MAX_IMAGES = 9
MAX_TOPICS = 10
# Longest side in pixels of each stored WebP rendition.
NOTE_RENDITIONS = {"display": 1440, "thumb": 540}

# A topic is "#" then letters/digits (any script); a mention is "@" then a handle. Neither
# may follow a letter or digit, so "C#" and "me@example.com" stay plain text.
TOPIC_PATTERN = re.compile(r"(?<![\w&#])#(\w{1,40})")

# Discover ranks by log10(engagement) + publication time / FRESHNESS_SECONDS: ten times the
# engagement is worth as much as being published FRESHNESS_SECONDS (12.5 hours) later.
FRESHNESS_SECONDS = 45_000
HOT_EPOCH = 1_704_067_200  # 2024-01-01T00:00:00Z, keeps the scores small


@dataclass(frozen=True)
class ImageUpload:
    """The bytes of one uploaded image and the name the client gave it."""

    data: bytes
    filename: str = ""


def hot_score(likes: int, collects: int, comments: int, published_at) -> float:
    """The Discover rank of a note: engagement on a log scale plus freshness."""
    engagement = likes + 2 * collects + 3 * comments
    seconds = published_at.timestamp() - HOT_EPOCH if published_at is not None else 0.0
    return round(math.log10(max(engagement, 1)) + seconds / FRESHNESS_SECONDS, 7)


def refresh_hot_score(note_id: int) -> None:
    """Recompute a note's hot score, and its score in open events, from its current
    counters (after an atomic change).
    """
    row = db.session.execute(
        select(Note.like_count, Note.collect_count, Note.comment_count, Note.published_at)
        .where(Note.id == note_id)
    ).one_or_none()
    if row is None:
        return
    db.session.execute(update(Note).where(Note.id == note_id)
                       .values(hot_score=hot_score(*row)))
    # Entries in events still open rank by the same counters (app.services.social.events).
    open_events = select(Event.id).where(Event.closed_at.is_(None))
    db.session.execute(update(EventEntry).where(EventEntry.note_id == note_id,
                                                EventEntry.event_id.in_(open_events))
                       .values(score=row.like_count + row.collect_count),
                       execution_options={"synchronize_session": False})


def parse_topics(text: str) -> list[str]:
    """The distinct #topics of `text`, case-folded, in order of appearance."""
    seen: dict[str, None] = {}
    for match in TOPIC_PATTERN.finditer(text or ""):
        seen.setdefault(match.group(1).casefold(), None)
    return list(seen)


def handle_of(user: User) -> str:
    """The @handle that mentions `user`: the display name without spaces."""
    return re.sub(r"\s+", "", user.display_name)


# Reading ----------------------------------------------------------------------------------
def note_loader_options() -> list:
    """Eager loads for showing notes in lists: a fixed number of queries per page.

    Author and co-author come with the notes, and the tags' products and stores with the
    tags (a card's product strip, app.services.catalog.card_products, checks where the
    store sells): the statements saved pay for the strip's prices, so a page with product
    strips costs no more than one without did.
    """
    return [joinedload(Note.author), selectinload(Note.images), selectinload(Note.topics),
            selectinload(Note.product_tags).joinedload(NoteProductTag.product)
            .joinedload(Product.store),
            joinedload(Note.coauthorship).joinedload(NoteCoauthor.coauthor)]


def note_card_loader_options() -> list:
    """Eager loads for HTML note cards (title, cover, author and co-author): two statements.

    No topics or product tags (only the API's items carry them), and the authors' platform
    roles, loaded with every user elsewhere, wait until asked for: no card shows them.
    """
    return [joinedload(Note.author).lazyload(User.platform_roles), selectinload(Note.images),
            joinedload(Note.coauthorship).joinedload(NoteCoauthor.coauthor)
            .lazyload(User.platform_roles)]


def note_feed_card_loader_options() -> list:
    """Eager loads for a feed's HTML cards: the cards' own (note_card_loader_options) and
    the tags' products and stores for their product strips; no topics, no authors' roles.
    """
    return [*note_card_loader_options(),
            selectinload(Note.product_tags).joinedload(NoteProductTag.product)
            .joinedload(Product.store)]


def get_note(viewer: User | None, note_id: int, *, market: str | None = None) -> Note:
    """The note if `viewer` may see it; else NotFound.

    Drafts, and notes held or removed by moderation, only their author (and a co-author
    invited or writing with them) sees; a note restricted or legally blocked in the viewer's
    `market` is missing there (but for its authors).
    """
    note = db.session.scalar(select(Note).options(*note_loader_options())
                             .where(Note.id == note_id))
    if note is None or ((not note.is_published or note.hidden_in(market))
                        and not _is_author(viewer, note) and not is_coauthor(viewer, note)):
        raise NotFound(_("No such note."), code="note_not_found")
    return note


def get_own_note(actor: User, note_id: int) -> Note:
    """A note the actor wrote; someone else's note answers NotFound (drafts) or Forbidden."""
    note = get_note(actor, note_id)
    if not _is_author(actor, note):
        raise Forbidden(_("Only the author can change this note."), code="not_note_author")
    return note


def _is_author(user: User | None, note: Note) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) \
        and user.id == note.author_id


def is_coauthor(user: User | None, note: Note) -> bool:
    """Whether `user` is invited to, or writing, the note with its author."""
    link = note.coauthorship
    return user is not None and getattr(user, "is_authenticated", False) \
        and link is not None and link.is_open and link.coauthor_id == user.id


def create_note(
    author: User,
    *,
    title: str,
    body: str,
    images: list[ImageUpload],
    cover_index: int = 0,
    publish: bool = True,
    product_tags: list[TagInput] | None = None,
    question_to: str | None = None,
) -> Note:
    """Post a note (published or draft) with 1-9 images; needs a verified e-mail.

    `question_to` ("china" or "abroad") makes it a question to that side of the border.
    """
    require_can_post(author)
    title, body = _validated_text(title, body)
    check_posting_allowed(author, f"{title}\n{body}")
    _check_image_count(len(images))
    _check_cover_index(cover_index, len(images))
    resolved_tags = validated_tags(author, product_tags or [], len(images))
    asks = _validated_question_to(question_to)

    note = Note(author=author, title=title, body=body, status="draft", question_to=asks,
                language=detect_language(f"{title}\n{body}"), region=author.home_country)
    note.images = _store_images(author, images, cover_index)
    try:
        note.product_tags = resolved_tags
        if publish:
            note.publish()
        note.hot_score = hot_score(0, 0, 0, note.published_at)
        db.session.add(note)
        db.session.flush()
        _sync_topics(note)
        adjust_topic_counts(None, note)
        screen_after_commit("note", note)
        announce_note(note)  # after: a note that waits for screening tells no one yet
    except BaseException:  # the caller rolls back the rows; the stored files go too
        storage = media_storage()
        for key in (key for image in note.images for key in image.keys.values()):
            storage.delete(key)
        raise
    return note


def update_note(
    actor: User,
    note_id: int,
    *,
    title: str | None = None,
    body: str | None = None,
    publish: bool | None = None,
    images: list[ImageUpload] | None = None,
    cover_index: int | None = None,
    product_tags: list[TagInput] | None = None,
    question_to: str | None = None,
) -> Note:
    """Edit the author's own note; new `images` replace all of the old ones.

    `question_to` None keeps the note's question as it is; "" or "none" makes it a plain note.
    """
    note = get_own_note(actor, note_id)
    _check_coauthored_edit(note, publish=publish, replaces_images=images is not None)
    counted_before = counted_state(note)
    new_title, new_body = _validated_text(title if title is not None else note.title,
                                          body if body is not None else note.body)
    check_posting_allowed(actor, f"{new_title}\n{new_body}",
                          previous=f"{note.title}\n{note.body}")
    image_count = len(images) if images is not None else len(note.images)
    if images is not None:
        _check_image_count(len(images))
    if cover_index is not None:
        _check_cover_index(cover_index, image_count)
    resolved_tags = validated_tags(actor, product_tags, image_count) \
        if product_tags is not None else None
    asks = _validated_question_to(question_to) if question_to is not None else note.question_to
    if resolved_tags is None and images is not None:
        # Pins on images that no longer exist cannot stay.
        if any(tag.image_position >= image_count for tag in note.product_tags):
            raise ValidationFailed(
                _("Some product tags are on images you removed; send the tags again."),
                code="invalid_product_tag",
                fields={"product_tags": [_("Some tags point at images that no longer exist.")]})

    if images is not None:
        old_keys = [key for image in note.images for key in image.keys.values()]
        note.images = []
        db.session.flush()  # frees the (note_id, position) pairs for the new images
        note.images = _store_images(actor, images, cover_index or 0)
        _delete_media_after_commit(old_keys)
    elif cover_index is not None:
        for image in note.images:
            image.is_cover = image.position == cover_index
    if resolved_tags is not None:
        note.product_tags = resolved_tags
    note.title, note.body = new_title, new_body
    note.question_to = asks
    note.language = detect_language(f"{new_title}\n{new_body}")
    if publish is True:
        note.publish()
    elif publish is False:
        note.status = "draft"
    note.hot_score = hot_score(note.like_count, note.collect_count, note.comment_count,
                               note.published_at)
    link = note.coauthorship
    if link is not None and link.is_open and note.status == "draft":
        # Both agree to the version that goes out: a change asks each of them again.
        link.author_agreed_at = link.coauthor_agreed_at = None
    db.session.flush()
    _sync_topics(note)
    adjust_topic_counts(counted_before, note)
    screen_after_commit("note", note)
    announce_note(note)
    return note


def delete_note(actor: User, note_id: int) -> None:
    """Delete the author's own note; its images leave media storage after the commit."""
    note = get_own_note(actor, note_id)
    keys = [key for image in note.images for key in image.keys.values()]
    topic_ids = [t.id for t in note.topics]
    counted_before = counted_state(note)
    db.session.delete(note)
    db.session.flush()
    _recount_topics(topic_ids)
    adjust_topic_counts(counted_before, None)
    _delete_media_after_commit(keys)


def require_can_post(user: User) -> None:
    """Posting needs a signed-in account with a verified e-mail address."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to post notes."), code="login_required")
    if not user.is_email_verified:
        raise Forbidden(_("Confirm your e-mail address before posting notes."),
                        code="email_not_verified")


# Validation helpers -----------------------------------------------------------------------
def _check_coauthored_edit(note: Note, *, publish: bool | None, replaces_images: bool) -> None:
    """A co-created draft goes out only when both authors agree, and the author's new
    images may not silently drop the co-author's.
    """
    link = note.coauthorship
    if link is not None and link.is_open and note.status == "draft" and publish is True:
        raise Conflict(_("A co-created note is published once both authors agree to it: "
                         "use “Agree to publish”."), code="coauthor_agreement_required")
    if replaces_images and any(image.contributor_id is not None for image in note.images):
        message = _("Your co-author added images to this note, so its images cannot be "
                    "replaced all at once. Edit the text and tags instead.")
        raise ValidationFailed(message, code="coauthor_images",
                               fields={"images": [message]})


def _validated_question_to(value: str | None) -> str | None:
    """The side a note asks ("china" or "abroad"), None for "not a question", else an error."""
    if value in (None, "", "none"):
        return None
    if value not in QUESTION_SIDES:
        message = _("Ask China, ask abroad, or leave the note as it is.")
        raise ValidationFailed(message, code="invalid_question_side",
                               fields={"question_to": [message]})
    return value


def _validated_text(title: str, body: str) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = [_("Give the note a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("Use at most %(n)d characters.", n=MAX_TITLE)]
    if len(body) > MAX_BODY:
        errors["body"] = [_("Use at most %(n)d characters.", n=MAX_BODY)]
    if len(parse_topics(body)) > MAX_TOPICS:
        errors.setdefault("body", []).append(_("Use at most %(n)d #topics.", n=MAX_TOPICS))
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    return title, body


def _check_image_count(count: int) -> None:
    if not MIN_IMAGES <= count <= MAX_IMAGES:
        message = _("Add between %(low)d and %(high)d images (you sent %(n)d).",
                    low=MIN_IMAGES, high=MAX_IMAGES, n=count)
        raise ValidationFailed(message, code="image_count", fields={"images": [message]})


def _check_cover_index(cover_index: Any, count: int) -> None:
    if not isinstance(cover_index, int) or isinstance(cover_index, bool) \
            or not 0 <= cover_index < count:
        message = _("Choose the cover among the note's images (0 to %(last)d).",
                    last=max(count - 1, 0))
        raise ValidationFailed(message, code="invalid_cover", fields={"cover_index": [message]})


def _store_images(author: User, uploads: list[ImageUpload], cover_index: int) -> list[NoteImage]:
    """Run every upload through the pipeline; on any refusal remove what was stored."""
    stored_keys: list[str] = []
    images: list[NoteImage] = []
    try:
        for position, upload in enumerate(uploads):
            try:
                stored = process_image(upload.data, field="images", prefix=f"notes/{author.id}",
                                       renditions=NOTE_RENDITIONS)
            except ValidationFailed as exc:
                name = f" ({upload.filename})" if upload.filename else ""
                message = _("Image %(n)d%(name)s: %(problem)s", n=position + 1, name=name,
                            problem=exc.message)
                raise ValidationFailed(message, code="invalid_image",
                                       fields={"images": [message]}) from None
            stored_keys.extend(stored.keys.values())
            images.append(NoteImage(position=position, is_cover=position == cover_index,
                                    keys=stored.keys, width=stored.width,
                                    height=stored.height))
    except BaseException:
        storage = media_storage()
        for key in stored_keys:
            storage.delete(key)
        raise
    return images


# Topics -----------------------------------------------------------------------------------
def _sync_topics(note: Note) -> None:
    """Link the note to the topics in its body (creating new topics) and recount them."""
    names = parse_topics(note.body)
    before = set(db.session.scalars(select(NoteTopic.topic_id)
                                    .where(NoteTopic.note_id == note.id)))
    topics = _topics_named(names)
    after = {t.id for t in topics}
    if before - after:
        db.session.execute(delete(NoteTopic).where(NoteTopic.note_id == note.id,
                                                   NoteTopic.topic_id.in_(before - after)))
    for topic_id in after - before:
        db.session.add(NoteTopic(note_id=note.id, topic_id=topic_id))
    db.session.flush()
    _recount_topics(before ^ after)
    db.session.expire(note, ["topics"])


def _topics_named(names: list[str]) -> list[Topic]:
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Topic).where(Topic.name.in_(names)))}
    for name in names:
        if name not in existing:
            topic = Topic(name=name, note_count=0)
            try:
                with db.session.begin_nested():
                    db.session.add(topic)
            except IntegrityError:  # another note created the topic at the same moment
                topic = db.session.scalar(select(Topic).where(Topic.name == name))
            existing[name] = topic
    return [existing[name] for name in names]


def _recount_topics(topic_ids) -> None:
    ids = list(topic_ids)
    if not ids:
        return
    counted = select(func.count()).where(NoteTopic.topic_id == Topic.id).scalar_subquery()
    db.session.execute(update(Topic).where(Topic.id.in_(ids)).values(note_count=counted),
                       execution_options={"synchronize_session": False})


def _delete_media_after_commit(keys: list[str]) -> None:
    if keys:
        after_commit("qiao.delete_media", keys)
