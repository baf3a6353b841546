"""Notes: a creator's post with 1-9 images, a plain-text body, #topics and a language.

Counters (`like_count`, `collect_count`, `comment_count`) are changed only by atomic
`UPDATE ... SET n = n + 1` statements in app.services.social.engagement, so concurrent likes
never lose an increment. `hot_score` orders the Discover feed; it depends only on the
engagement counters and the publication time (never on "now"), so it can be indexed and
paged through with a stable keyset cursor.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.user import User

if TYPE_CHECKING:
    from app.models.catalog import Product
    from app.models.coauthoring import NoteCoauthor

NOTE_STATUSES = ("draft", "published")
# The two sides of the border a question can be addressed to ("Ask China", "Ask abroad").
QUESTION_SIDES = ("china", "abroad")
# Moderation states in which content is shown (held and removed items are not).
SHOWN_STATES = ("visible", "age_gated")
# Notes hidden in at least one market (a moderation decision or a legal request): few.
HIDDEN_SOMEWHERE = text("hidden_markets <> ''")
HIDDEN_NOTE_COLUMNS = ("id", "hidden_markets", "status", "moderation_state", "language",
                       "region", "question_to")
# Han, kana, hangul: scripts written without spaces between words.
CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def cjk_grams(text: str) -> str:
    """Every CJK character and adjacent pair of `text`, each between spaces.

    Trigram indexes cannot find words shorter than three characters, and two-character
    words are the most common in Chinese (口红, 面膜). Indexing " 口红 " (space, word, space)
    turns a two-character word into a findable trigram phrase, on SQLite FTS5 and on
    PostgreSQL pg_trgm alike (see app.services.social.search).
    """
    items: dict[str, None] = {}
    for run in CJK_RUN.findall(text or ""):
        for i, char in enumerate(run):
            items.setdefault(char, None)
            if i + 1 < len(run):
                items.setdefault(run[i:i + 2], None)
    return f" {' '.join(items)} " if items else ""


class Note(TimestampMixin, db.Model):
    """A shoppable note: title, body, images, topics; draft or published."""

    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("like_count >= 0", name="like_count"),
        CheckConstraint("collect_count >= 0", name="collect_count"),
        CheckConstraint("comment_count >= 0", name="comment_count"),
        CheckConstraint(
            "moderation_state IN ('visible', 'pending', 'held', 'removed', 'age_gated')",
            name="moderation_state"),
        CheckConstraint("question_to IN ('china', 'abroad')", name="question_to"),
        # Discover: published notes by hot score; Following and profiles: by publication time.
        Index("ix_notes_status_hot_score_id", "status", "hot_score", "id"),
        # Discover's "from home" stream: one language and region, by hot score.
        Index("ix_notes_status_language_region_hot_score", "status", "language", "region",
              "hot_score", "id"),
        Index("ix_notes_status_published_at_id", "status", "published_at", "id"),
        Index("ix_notes_author_id_status_published_at", "author_id", "status", "published_at"),
        # The few notes hidden in some market, with what a topic page needs to subtract them
        # from its counters (covering: no visit to the table row).
        Index("ix_notes_hidden_id", *HIDDEN_NOTE_COLUMNS, sqlite_where=HIDDEN_SOMEWHERE,
              postgresql_where=HIDDEN_SOMEWHERE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(100), nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="draft", nullable=False)
    # ISO 639-1 code detected from title and body (None: too short to tell).
    language: Mapped[str | None] = mapped_column(String(8))
    # The author's home country when the note was published: the note's "region".
    region: Mapped[str | None] = mapped_column(String(2))
    like_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    collect_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    comment_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    hot_score: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # cjk_grams(title + body), kept up to date on every ORM write (see below).
    search_grams: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Set by moderation (app.services.moderation); see app.models.moderation for the format.
    moderation_state: Mapped[str] = mapped_column(
        String(10), default="visible", server_default="visible", nullable=False)
    moderation_reason: Mapped[str | None] = mapped_column(String(40))
    hidden_markets: Mapped[str] = mapped_column(
        String(200), default="", server_default="", nullable=False)
    # Set when the note is a question to one side of the border (QUESTION_SIDES); its
    # top-level comments are then its answers (app.services.social.questions).
    question_to: Mapped[str | None] = mapped_column(String(6))

    author: Mapped[User] = relationship()
    images: Mapped[list[NoteImage]] = relationship(
        back_populates="note", cascade="all, delete-orphan",
        order_by="(NoteImage.position, NoteImage.id)",
    )
    topics: Mapped[list[Topic]] = relationship(
        secondary="note_topics", order_by="Topic.name", viewonly=True
    )
    product_tags: Mapped[list[NoteProductTag]] = relationship(
        back_populates="note", cascade="all, delete-orphan",
        order_by="(NoteProductTag.image_position, NoteProductTag.id)",
    )
    # Set on a co-created note (app.models.coauthoring); None on a note written alone.
    coauthorship: Mapped[NoteCoauthor | None] = relationship(
        back_populates="note", uselist=False, cascade="all, delete-orphan")

    @property
    def credited_coauthor(self) -> User | None:
        """The co-author credited beside the author (one who accepted and has not left)."""
        link = self.coauthorship
        return link.coauthor if link is not None and link.is_credited else None

    @property
    def cover_image(self) -> NoteImage | None:
        """The image chosen as cover (the first one if none is marked)."""
        return next((i for i in self.images if i.is_cover), self.images[0] if self.images
                    else None)

    @property
    def is_published(self) -> bool:
        """Whether the note is visible to everyone (published, and not held or removed)."""
        return self.status == "published" and self.moderation_state in SHOWN_STATES

    def hidden_in(self, market: str | None) -> bool:
        """Whether moderation or a legal order hides the note in `market`."""
        return bool(market) and f",{market.upper()}," in (self.hidden_markets or "")

    @classmethod
    def shown_clause(cls, market: str | None = None):
        """SQL: published, not held or removed, and not hidden in `market` (if given)."""
        return shown_clause(cls, market, published=True)

    def publish(self) -> None:
        """Make the note public; the first publication fixes `published_at`."""
        self.status = "published"
        if self.published_at is None:
            self.published_at = utcnow()

    def __repr__(self) -> str:
        return f"<Note {self.id} {self.status} {self.title!r}>"


def shown_clause(model, market: str | None = None, *, published: bool = False):
    """SQL for rows of `model` that moderation lets viewers in `market` see."""
    conditions = [model.moderation_state.in_(SHOWN_STATES)]
    if published:
        conditions.insert(0, model.status == "published")
    if market:
        conditions.append(~model.hidden_markets.contains(f",{market.upper()},",
                                                         autoescape=True))
    return and_(*conditions)


@event.listens_for(Note, "before_insert")
@event.listens_for(Note, "before_update")
def _refresh_search_grams(_mapper, _connection, note: Note) -> None:
    note.search_grams = cjk_grams(f"{note.title}\n{note.body}")


class NoteImage(db.Model):
    """One image of a note; `keys` maps rendition names (display, thumb) to media keys."""

    __tablename__ = "note_images"
    __table_args__ = (
        CheckConstraint("position >= 0 AND position < 9", name="position"),
        UniqueConstraint("note_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    is_cover: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    keys: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    # The co-author who added the image to a co-created note; None: the note's author.
    contributor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    note: Mapped[Note] = relationship(back_populates="images")


class Topic(db.Model):
    """A #topic; `name` is stored case-folded so #Lipstick and #lipstick are one topic.

    Topics in two languages (#tea and #茶) are linked by pointing the alias at its
    `canonical` topic: both hashtags then open the canonical topic's page, which shows the
    notes of the whole group. Notes keep the hashtag they were written with, so `note_count`
    stays per hashtag and splitting the link restores both topics exactly as they were.
    """

    __tablename__ = "topics"
    __table_args__ = (CheckConstraint("note_count >= 0", name="note_count"),
                      CheckConstraint("canonical_id <> id", name="not_own_canonical"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    note_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # The whole group's shown notes from each side and questions to each side, kept on the
    # canonical topic (aliases hold zeros) by app.services.social.topic_counts.
    group_china_notes: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                   nullable=False)
    group_abroad_notes: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                                    nullable=False)
    group_questions_to_china: Mapped[int] = mapped_column(Integer, default=0,
                                                          server_default="0", nullable=False)
    group_questions_to_abroad: Mapped[int] = mapped_column(Integer, default=0,
                                                           server_default="0", nullable=False)
    # An alias points at the topic whose page it shares; a canonical topic has None. One
    # level only (app.services.social.topics refuses chains).
    canonical_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True)

    canonical: Mapped[Topic | None] = relationship(remote_side=[id])


class NoteTopic(db.Model):
    """A note carries a topic."""

    __tablename__ = "note_topics"
    # A topic page reads its notes' ids straight from this index (covering, so SQLite does
    # not visit the table row of each of a big topic's thousands of notes).
    __table_args__ = (Index("ix_note_topics_topic_id_note_id", "topic_id", "note_id"),)

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )


class NoteProductTag(TimestampMixin, db.Model):
    """A pin at (x %, y %) on one image of a note, linking to a product.

    `is_affiliate` is true when the product belongs to a store the author is not a
    member of; clicks and purchases through the tag are attributed to the note.
    """

    __tablename__ = "note_product_tags"
    __table_args__ = (
        CheckConstraint("x >= 0 AND x <= 100", name="x"),
        CheckConstraint("y >= 0 AND y <= 100", name="y"),
        CheckConstraint("image_position >= 0 AND image_position < 9", name="image_position"),
        CheckConstraint("click_count >= 0", name="click_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    image_position: Mapped[int] = mapped_column(Integer, nullable=False)
    x: Mapped[float] = mapped_column(Float, nullable=False)
    y: Mapped[float] = mapped_column(Float, nullable=False)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True, nullable=False
    )
    is_affiliate: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    click_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    note: Mapped[Note] = relationship(back_populates="product_tags")
    product: Mapped[Product] = relationship()
