"""Interactions around notes: likes, boards, comments, follows, reports, notifications.

Every "at most once" rule (one like per user and note, one follow per pair, ...) is a
unique constraint, so concurrent double clicks cannot create duplicates.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.notes import Note
from app.models.user import User

if TYPE_CHECKING:
    from app.models.ads import Campaign
    from app.models.events import Event
    from app.models.logistics import Shipment
    from app.models.orders import Order
    from app.models.returns import ReturnRequest

REPORT_TARGETS = ("note", "comment", "user", "product")
REPORT_REASONS = ("spam", "counterfeit", "offensive", "misleading", "other")
# "shipment" notices come from the platform (no actor): a parcel reached a status the
# shopper should hear about (customs hold, out for delivery, delivered, exception);
# "return" notices tell a store's team of a return request and its shopper of each step.
# "message" notices tell the other side of an order that its conversation has a new message.
# "moderation" notices tell an author of a decision on their content, and a reporter of
# the outcome of their report (moderation_case_id, moderation_event).
# "partner" notices tell a creator that a brand sent a partnership brief (and its steps), and
# a brand's staff (and the creators of its partnered notes) how an ad campaign is going.
# "co_*" notices follow a co-created note (app.models.coauthoring): an invitation, its
# acceptance or refusal, an agreement to publish, the invitation taken back or expired, and
# a co-author leaving the note.
COAUTHOR_NOTICES = ("co_invite", "co_accept", "co_decline", "co_agree", "co_cancel",
                    "co_expire", "co_leave")
# "event" notices tell an event's participants that it started or ended, and that one of
# their entries placed (event_id, event_stage; note_id names the entry that placed).
# A "bestanswer" notice tells the author of an answer that the asker picked it as the best
# (note_id the question, comment_id the answer).
NOTIFICATION_KINDS = ("follow", "like", "comment", "reply", "mention", "shipment", "return",
                      "message", "moderation", "partner", "event", "bestanswer",
                      *COAUTHOR_NOTICES)
EVENT_STAGES = ("started", "ended", "placed")


class NoteLike(db.Model):
    """A user likes a note."""

    __tablename__ = "note_likes"
    __table_args__ = (UniqueConstraint("user_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Board(TimestampMixin, db.Model):
    """A named collection of notes; private boards are seen only by their owner."""

    __tablename__ = "boards"
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        CheckConstraint("note_count >= 0", name="note_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    is_private: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    note_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    owner: Mapped[User] = relationship()


class BoardNote(db.Model):
    """A note collected into a board."""

    __tablename__ = "board_notes"
    __table_args__ = (UniqueConstraint("board_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), nullable=False
    )
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    board: Mapped[Board] = relationship()
    note: Mapped[Note] = relationship()


class Comment(TimestampMixin, db.Model):
    """A comment on a note, or a reply to a top-level comment (one level deep)."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("like_count >= 0", name="like_count"),
        CheckConstraint(
            "moderation_state IN ('visible', 'pending', 'held', 'removed', 'age_gated')",
            name="moderation_state"),
        Index("ix_comments_note_id_parent_id_id", "note_id", "parent_id", "id"),
        # A question has at most one best answer, even when two picks race.
        Index("uq_comments_note_id_best_answer", "note_id", unique=True,
              sqlite_where=text("is_best_answer"), postgresql_where=text("is_best_answer")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), nullable=False
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # Always a top-level comment: replies to a reply attach to its parent.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    like_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Set by moderation (app.services.moderation); see app.models.moderation for the format.
    moderation_state: Mapped[str] = mapped_column(
        String(10), default="visible", server_default="visible", nullable=False)
    moderation_reason: Mapped[str | None] = mapped_column(String(40))
    hidden_markets: Mapped[str] = mapped_column(
        String(200), default="", server_default="", nullable=False)
    # The answer the asker of a question note picked (app.services.social.questions).
    is_best_answer: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False)

    note: Mapped[Note] = relationship()
    author: Mapped[User] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])


class CommentLike(db.Model):
    """A user likes a comment."""

    __tablename__ = "comment_likes"
    __table_args__ = (UniqueConstraint("user_id", "comment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Follow(db.Model):
    """`follower` sees `followee`'s notes in the Following feed."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("follower_id", "followee_id"),
        CheckConstraint("follower_id <> followee_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    followee_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Report(TimestampMixin, db.Model):
    """A user's report of a note, comment or user, kept for moderation."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "target_type", "target_id"),
        CheckConstraint("target_type IN ('note', 'comment', 'user', 'product')",
                        name="target_type"),
        CheckConstraint("status IN ('open', 'resolved', 'dismissed')", name="status"),
        Index("ix_reports_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    target_type: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(20), nullable=False)
    details: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="open", nullable=False)

    reporter: Mapped[User] = relationship()


class Notification(db.Model):
    """An in-app notice: a follow, like, comment, reply or mention, or a parcel update."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"kind IN {NOTIFICATION_KINDS}", name="kind"),
        CheckConstraint("(kind = 'shipment') = (shipment_id IS NOT NULL)", name="shipment"),
        CheckConstraint("(kind = 'return') = (return_request_id IS NOT NULL)",
                        name="return_request"),
        CheckConstraint("(kind = 'message') = (order_id IS NOT NULL)", name="order"),
        CheckConstraint("(kind = 'moderation') = (moderation_case_id IS NOT NULL)",
                        name="moderation_case"),
        CheckConstraint("(kind = 'event') = (event_id IS NOT NULL)", name="event"),
        # One notice per shipment and status, even when two deliveries race.
        UniqueConstraint("shipment_id", "shipment_status"),
        Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
        Index("ix_notifications_recipient_id_read_at", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    # None for platform notices (shipments), which no person caused.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"))
    # The tracking status the notice is about (TRACKING_STATUSES, or "customs_held").
    shipment_status: Mapped[str | None] = mapped_column(String(24))
    return_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"))
    # The return's step the notice is about (requested, approved, refused, received, refunded).
    return_status: Mapped[str | None] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # The moderation case and what happened (removed, restricted, reinstated, report_upheld...).
    moderation_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="CASCADE"))
    moderation_event: Mapped[str | None] = mapped_column(String(24))
    # "partner" notices about an ad campaign: its id and what happened (CAMPAIGN_EVENTS).
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"))
    campaign_event: Mapped[str | None] = mapped_column(String(16))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # EVENT_STAGES: what happened to the event (or to the recipient's entry in it).
    event_stage: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    shipment: Mapped[Shipment | None] = relationship()
    return_request: Mapped[ReturnRequest | None] = relationship()
    order: Mapped[Order | None] = relationship()
    note: Mapped[Note | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    event: Mapped[Event | None] = relationship()


class TranslationCacheEntry(db.Model):
    """A machine translation, cached per (SHA-256 of the source text, target language)."""

    __tablename__ = "translation_cache_entries"
    __table_args__ = (UniqueConstraint("text_hash", "target_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    target_language: Mapped[str] = mapped_column(String(8), nullable=False)
    source_language: Mapped[str | None] = mapped_column(String(8))
    translated_text: Mapped[str] = mapped_column(Text, nullable=False)
    provider: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


GLOSSARY_KINDS = ("brand", "product", "place", "other")


class GlossaryTerm(TimestampMixin, db.Model):
    """A name machine translation must keep intact (or render exactly as given).

    `term_key` is the term lower-cased, so "Mount Fuji" and "mount fuji" are one entry;
    `renderings` maps a target language to the fixed form ("zh": "富士山"), and a
    language without one keeps the term as written.
    """

    __tablename__ = "glossary_terms"
    __table_args__ = (CheckConstraint("kind IN ('brand', 'product', 'place', 'other')",
                                      name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(120), nullable=False)
    term_key: Mapped[str] = mapped_column(String(120), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    renderings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, nullable=False)
