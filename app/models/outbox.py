"""The e-mail outbox: messages are written in the transaction, sent after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class OutboxEmail(TimestampMixin, db.Model):
    """One outgoing e-mail; `sent_at` is set once a backend has accepted it."""

    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True, nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    # An HTML alternative for mail clients that show it; the text body stays the whole message.
    body_html: Mapped[str | None] = mapped_column(Text)
    # What the mail is for ("verify_email", "password_reset", ...): tests and audits read it.
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
