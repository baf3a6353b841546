"""How much work the periodic jobs have waiting: what `/metrics` shows as queue lengths."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxEmail, Payment, Quote, utcnow
from app.services.mail import MAX_ATTEMPTS

# A payment waiting for its outcome (app.services.payments' OPEN_STATES, read-only here).
WAITING_PAYMENT_STATES = ("created", "processing")


def backlog_counts() -> dict[str, int]:
    """Rows waiting for a periodic job: unsent e-mails, payments without an outcome,
    open quotes past their expiry (stock still held until the expiry job runs).
    """
    now = utcnow()
    return {
        "outbox_emails": db.session.scalar(
            select(func.count()).select_from(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)) or 0,
        "waiting_payments": db.session.scalar(
            select(func.count()).select_from(Payment)
            .where(Payment.state.in_(WAITING_PAYMENT_STATES))) or 0,
        "expired_open_quotes": db.session.scalar(
            select(func.count()).select_from(Quote)
            .where(Quote.state == "open", Quote.expires_at <= now)) or 0,
    }
