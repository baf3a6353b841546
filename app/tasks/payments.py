"""Checkout quotes that ran out of time, and payment outcomes that never reached Qiao."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.core.metrics import PAYMENT_OUTCOMES, outcome_label
from app.core.transaction import commit
from app.extensions import celery
from app.services import returns
from app.services.checkout import quotes
from app.services.payments import reconcile
from app.tasks.batches import in_committed_batches
from app.web.links import site_links


@celery.task(name="qiao.expire_checkout_quotes")
def expire_checkout_quotes(batch: int = 500) -> int:
    """Periodic: expire open checkout quotes past their time and release their stock."""
    return in_committed_batches(lambda limit: quotes.expire_quotes(limit=limit), batch)


@celery.task(name="qiao.reconcile_payments")
def reconcile_payments() -> int:
    """Periodic: record payment and refund outcomes the provider knows and Qiao missed."""
    min_age = timedelta(seconds=current_app.config["RECONCILE_MIN_AGE_SECONDS"])
    lines = reconcile.reconcile_payments(links=site_links, older_than=min_age)
    returns.settle_refunded_returns(links=site_links)  # returns whose refund just went through
    commit()
    for line in lines:
        if line.startswith("payment "):
            PAYMENT_OUTCOMES.labels(source="reconcile",
                                    outcome=outcome_label(line.rpartition("): ")[2])).inc()
    return len(lines)


@celery.task(name="qiao.sync_pending_refunds")
def sync_pending_refunds() -> int:
    """Periodic: record refunds the provider settled after answering "pending", whose
    webhook never reached Qiao, as the webhook would have.
    """
    after = timedelta(minutes=current_app.config["REFUND_SYNC_AFTER_MINUTES"])
    lines = reconcile.sync_pending_refunds(older_than=after)
    returns.settle_refunded_returns(links=site_links)  # returns waiting on those refunds
    commit()
    return len(lines)
