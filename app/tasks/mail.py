"""E-mail delivery from the outbox."""

from __future__ import annotations

from flask import current_app

from app.core.transaction import commit
from app.extensions import celery
from app.services import mail


@celery.task(name="qiao.deliver_email")
def deliver_email(email_id: int) -> bool:
    """Deliver one outbox e-mail."""
    delivered = mail.deliver_outbox_email(email_id, current_app.config["MAIL_DEFAULT_SENDER"])
    commit()
    return delivered


@celery.task(name="qiao.retry_pending_emails")
def retry_pending_emails() -> int:
    """Periodic: retry outbox e-mails whose first delivery failed."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    delivered = 0
    for email_id in mail.pending_email_ids():
        delivered += mail.deliver_outbox_email(email_id, sender)
        commit()
    return delivered
