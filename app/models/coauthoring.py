"""Co-created notes: the note's author invites one other creator to write it with them.

One row per note. The co-author answers the invitation, adds their own images and text
(usually in their own language), and the note is published only once both have agreed to
the version in front of them: a change by one withdraws the other's agreement. A co-author
who leaves a published note stops being credited; the note stays with its author.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime
from app.models.user import User

if TYPE_CHECKING:
    from app.models.notes import Note

# invited -> accepted | declined | expired | withdrawn (the author took the invitation back);
# accepted -> left (the co-author removed themselves) | withdrawn (before publication).
COAUTHOR_STATES = ("invited", "accepted", "declined", "expired", "withdrawn", "left")
# States in which the co-author may see the draft and the invitation is still open.
OPEN_COAUTHOR_STATES = ("invited", "accepted")


class NoteCoauthor(TimestampMixin, db.Model):
    """The creator invited to co-author a note, their part of it, and both agreements."""

    __tablename__ = "note_coauthors"
    __table_args__ = (
        CheckConstraint(f"status IN {COAUTHOR_STATES}", name="status"),
        Index("ix_note_coauthors_coauthor_id_status", "coauthor_id", "status"),
        # The expiry job reads open invitations by deadline.
        Index("ix_note_coauthors_status_expires_at", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), unique=True, nullable=False)
    coauthor_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="invited", nullable=False)
    # The co-author's own title and text, in their language (the author's are the note's).
    title: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    body: Mapped[str] = mapped_column(Text, default="", nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # An invitation not accepted by then expires; the draft stays private to its author.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    author_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    coauthor_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    note: Mapped[Note] = relationship(back_populates="coauthorship")
    coauthor: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        """Whether the co-author is invited or writing (and so may see the draft)."""
        return self.status in OPEN_COAUTHOR_STATES

    @property
    def is_credited(self) -> bool:
        """Whether the note names the co-author beside its author."""
        return self.status == "accepted"
