"""Celery tasks. Each is an edge: it does its work through services and commits."""

from __future__ import annotations

from flask import current_app

from app.extensions import celery
from app.services import mail
from app.services.errors import DomainError
from app.transaction import commit, rollback


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


@celery.task(name="qiao.release_expired_reservations")
def release_expired_reservations(batch: int = 500) -> int:
    """Periodic: release stock held by reservations past their expiry, in committed batches."""
    from app.services.inventory import expire_reservations

    released = 0
    while True:
        count = expire_reservations(limit=batch)
        commit()
        released += count
        if count < batch:
            return released


@celery.task(name="qiao.expire_checkout_quotes")
def expire_checkout_quotes(batch: int = 500) -> int:
    """Periodic: expire open checkout quotes past their time and release their stock."""
    from app.services.quotes import expire_quotes

    expired = 0
    while True:
        count = expire_quotes(limit=batch)
        commit()
        expired += count
        if count < batch:
            return expired


@celery.task(name="qiao.reconcile_payments")
def reconcile_payments() -> int:
    """Periodic: record payment and refund outcomes the provider knows and Qiao missed."""
    from app.services.reconcile import reconcile_payments as reconcile

    lines = reconcile()
    commit()
    return len(lines)


@celery.task(name="qiao.validate_catalog_import")
def validate_catalog_import_job(import_id: int, actor_id: int) -> None:
    """Check an uploaded catalog CSV row by row and store its report."""
    from app.services import catalog_csv_import

    try:
        catalog_csv_import.validate_catalog_import(import_id, actor_id)
    except DomainError as exc:
        rollback()
        catalog_csv_import.fail_catalog_import(import_id, exc.message)
    except Exception:
        # The upload must not stay "validating" forever: record the failure, keep the trace.
        rollback()
        current_app.logger.exception("catalog import %s: validation failed", import_id)
        catalog_csv_import.fail_catalog_import(
            import_id, "The file could not be checked because of an unexpected error.")
    commit()


@celery.task(name="qiao.run_catalog_import")
def run_catalog_import_job(import_id: int, actor_id: int) -> None:
    """Import a checked catalog CSV in one transaction, publishing its progress."""
    from app.services import catalog_csv_import

    progress = catalog_csv_import.ImportProgress(import_id)
    try:
        catalog_csv_import.run_catalog_import(import_id, actor_id, on_progress=progress)
    except DomainError as exc:
        rollback()
        catalog_csv_import.fail_catalog_import(import_id, f"{exc.message} Nothing was changed.")
    except Exception:
        rollback()
        current_app.logger.exception("catalog import %s: import failed", import_id)
        catalog_csv_import.fail_catalog_import(
            import_id, "The import stopped because of an unexpected error; nothing was "
                       "changed.")
    commit()
    progress.close()
