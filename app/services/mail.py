"""Outgoing e-mail through the outbox: written with the transaction, delivered after it."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from app.core.transaction import after_commit
from app.extensions import db
from app.models import OutboxEmail, utcnow
from app.providers.mail import OutgoingMail, mail_transport

MAX_ATTEMPTS = 5


class EmailLinks(Protocol):
    """The absolute links e-mails carry; the web edge builds them (services know no URLs)."""

    def verify_email(self, token: str) -> str:
        """The page that verifies an address from a signed token."""

    def reset_password(self, token: str) -> str:
        """The page that sets a new password from a signed token."""

    def confirm_email_change(self, token: str) -> str:
        """The page that applies an e-mail change from a signed token."""

    def accept_invitation(self, secret: str) -> str:
        """The page that accepts an organisation invitation."""

    def order(self, order_id: int) -> str:
        """The shopper's page for one order."""

    def return_request(self, return_id: int) -> str:
        """The shopper's page for one return request."""

    def store_return(self, store_id: int, return_id: int) -> str:
        """The merchant portal's page for one return request."""

    def store_order(self, store_id: int, order_id: int) -> str:
        """The merchant portal's page for one order."""

    def media(self, key: str) -> str:
        """A stored media file (a product photo), absolute so a mail client can fetch it."""


def queue_email(to: str, subject: str, body: str, purpose: str, *,
                html: str | None = None) -> OutboxEmail:
    """Write an e-mail to the outbox; it is delivered once the transaction commits."""
    email = OutboxEmail(to_address=to, subject=subject, body_text=body, body_html=html,
                        purpose=purpose)
    db.session.add(email)
    db.session.flush()
    after_commit("qiao.deliver_email", email.id)
    return email


def deliver_outbox_email(email_id: int, sender: str) -> bool:
    """Hand one pending e-mail to the transport; record success or the error."""
    email = db.session.get(OutboxEmail, email_id)
    if email is None or email.sent_at is not None:
        return False
    email.attempts += 1
    try:
        mail_transport().send(
            OutgoingMail(sender=sender, to=email.to_address, subject=email.subject,
                         body=email.body_text, html=email.body_html)
        )
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
        email.last_error = f"{type(exc).__name__}: {exc}"
        return False
    email.sent_at = utcnow()
    email.last_error = None
    return True


def pending_email_ids(limit: int = 100) -> list[int]:
    """Unsent e-mails that still have attempts left, oldest first."""
    stmt = (
        select(OutboxEmail.id)
        .where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboxEmail.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
