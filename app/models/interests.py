"""What a signed-in person is interested in, for ranking their Discover feed.

`InterestWeight` is the interest profile: one row per (user, kind, target) with a weight
that grows with likes, collects, comments, follows, purchases and topics picked on sign-up,
shrinks with "not interested", and fades by a periodic decay. It is updated where those
things happen (and by the purchase job), never recomputed when a feed is read.
`FeedDismissal` is a note someone marked "not interested": it leaves their Discover until
they undo it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# topic, creator and store rows name their target by id (language is ""); language rows
# name an ISO 639-1 code (target_id is 0). Neither is NULL, so the unique key holds on
# PostgreSQL too, where NULLs never collide.
INTEREST_KINDS = ("topic", "creator", "store", "language")


class InterestWeight(db.Model):
    """How much a user cares for one topic, creator, store or language (negative: less)."""

    __tablename__ = "interest_weights"
    __table_args__ = (
        CheckConstraint("kind IN ('topic', 'creator', 'store', 'language')", name="kind"),
        UniqueConstraint("user_id", "kind", "target_id", "language"),
        # Discover reads a user's strongest (and negative) interests of one kind.
        Index("ix_interest_weights_user_kind_weight", "user_id", "kind", "weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    language: Mapped[str] = mapped_column(String(8), default="", nullable=False)
    weight: Mapped[float] = mapped_column(Float, default=0.0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow, nullable=False)


class FeedDismissal(db.Model):
    """A note the user marked "not interested" in Discover (and what that took away)."""

    __tablename__ = "feed_dismissals"
    __table_args__ = (UniqueConstraint("user_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         nullable=False)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"),
                                         index=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class InterestJobMark(db.Model):
    """How far a periodic interest job has read a source (the last order id folded in)."""

    __tablename__ = "interest_job_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
