"""Events and challenges run by the community team: a bilingual prompt around one #topic,
a start and an end, participants who join, and the notes they enter.

Each entry keeps its note's score (likes plus collects) and the side it competes on (China
or abroad), decided once when the note is entered by the rule Discover uses for "from
abroad" (app.services.social.feed). When the
event ends the final scores and ranks are written onto the entries, so the winners shown
afterwards never move with later likes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, in_language, utcnow
from app.models.notes import Note, Topic
from app.models.organization import Organization
from app.models.user import User

EVENT_SIDES = ("china", "abroad")
# Where an entry can rank: both sides together, or its own side.
LEADERBOARDS = ("combined", *EVENT_SIDES)


class Event(TimestampMixin, db.Model):
    """A challenge: bilingual title and prompt, a topic, a time window, rules and prizes."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="window"),
        CheckConstraint("view_count >= 0", name="view_count"),
        Index("ix_events_starts_at", "starts_at"),
        Index("ix_events_ends_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(120), nullable=False)
    title_zh: Mapped[str] = mapped_column(String(120), nullable=False)
    prompt_en: Mapped[str] = mapped_column(Text, nullable=False)
    prompt_zh: Mapped[str] = mapped_column(Text, nullable=False)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="RESTRICT"), index=True, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    rules: Mapped[str] = mapped_column(Text, nullable=False)
    prizes: Mapped[str] = mapped_column(Text, default="", nullable=False)
    sponsor_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Set by the periodic job once participants were told; a second run finds them set.
    start_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Event pages viewed, reported by the page itself (GET requests write nothing); the
    # sponsoring brand sees it in its portal.
    view_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                            nullable=False)

    topic: Mapped[Topic] = relationship()
    sponsor: Mapped[Organization | None] = relationship()

    def title(self, locale: str | None) -> str:
        """The title in the viewer's language."""
        return in_language(locale, self.title_en, en=self.title_en, zh=self.title_zh)

    def prompt(self, locale: str | None) -> str:
        """The prompt in the viewer's language."""
        return in_language(locale, self.prompt_en, en=self.prompt_en, zh=self.prompt_zh)

    def stage(self, now: datetime | None = None) -> str:
        """"upcoming", "running" or "ended" at `now`."""
        now = now or utcnow()
        if now < self.starts_at:
            return "upcoming"
        return "running" if now < self.ends_at else "ended"

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title_en!r}>"


class EventParticipant(db.Model):
    """A user joined an event (and hears when it starts, ends and when they place)."""

    __tablename__ = "event_participants"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    user: Mapped[User] = relationship()


class EventEntry(db.Model):
    """A participant's note entered into an event, on its side of the border."""

    __tablename__ = "event_entries"
    __table_args__ = (
        UniqueConstraint("event_id", "note_id"),
        CheckConstraint("side IN ('china', 'abroad')", name="side"),
        CheckConstraint("score >= 0", name="score"),
        CheckConstraint("final_score IS NULL OR final_score >= 0", name="final_score"),
        # Live leaderboards read their top entries straight from these.
        Index("ix_event_entries_event_id_score_id", "event_id", "score", "id"),
        Index("ix_event_entries_event_id_side_score_id", "event_id", "side", "score", "id"),
        # Final standings read straight from the index once the event closed.
        Index("ix_event_entries_event_id_final_rank", "event_id", "final_rank"),
        Index("ix_event_entries_event_id_side_final_side_rank", "event_id", "side",
              "final_side_rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), nullable=False)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True, nullable=False)
    author_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False)
    side: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The note's likes plus collects, copied whenever its counters move while the event is
    # open (app.services.social.notes.refresh_hot_score), so a leaderboard is an index read.
    score: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    # Frozen when the event closes (None until then, and for entries hidden by moderation).
    final_score: Mapped[int | None] = mapped_column(Integer)
    final_rank: Mapped[int | None] = mapped_column(Integer)
    final_side_rank: Mapped[int | None] = mapped_column(Integer)

    note: Mapped[Note] = relationship()
    author: Mapped[User] = relationship()
