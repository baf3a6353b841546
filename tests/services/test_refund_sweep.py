"""Refunds Stripe took as pending whose webhook never came: the sweep asks and records.

localstripe settles every refund at once, so a refund Stripe answered "pending" (as it does
for slower payment methods) is made here by putting the row back to pending after the
call; what Stripe says later is set on localstripe's own refund.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.jobs import PERIODIC_JOBS
from app.extensions import db
from app.models import Payment, utcnow
from app.services.orders.lifecycle import orders_for_quote
from app.services.payments import quote_payments as payments
from app.services.payments import reconcile, refunds
from app.tasks.payments import sync_pending_refunds
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def order(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 3)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    payments.open_payment_intent(payment, links=site_links)
    payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(),
                                     links=site_links)
    db.session.commit()
    placed = orders_for_quote(quote.id)[0]
    placed.shop = shop
    return placed


def pending_refund(order):
    """A refund of one unit that Stripe accepted as pending (see the module docstring)."""
    made = refunds.request_refund(order.shop.owner, order.store_id, order.id,
                                  refunds.RefundRequest(lines=[(order.lines[0].id, 1)]))
    db.session.commit()
    refunds.submit_refund(made, order.shop.owner)
    made.state = "pending"
    db.session.commit()
    assert made.provider_refund_id.startswith("re_")
    return made


def refund_event(kind: str, refund_id: str, status: str) -> dict:
    return {"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind,
            "created": int(time.time()),
            "data": {"object": {"id": refund_id, "object": "refund", "status": status}}}


def asked(stripe_sandbox, refund) -> int:
    """How many times the app asked Stripe about this refund."""
    return sum(1 for r in stripe_sandbox.proxy.requests
               if r["method"] == "GET" and r["path"] == f"/v1/refunds/{refund.provider_refund_id}")


def claimed(order) -> tuple[int, int, int]:
    """What the order, its payment and its line count as refunded."""
    db.session.expire_all()
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == order.quote_id))
    return order.refunded_minor, payment.refunded_minor, order.lines[0].refunded_quantity


def test_the_job_is_on_the_one_schedule():
    assert ("sync-pending-refunds", "qiao.sync_pending_refunds", 300) in PERIODIC_JOBS


def test_a_refund_settled_at_stripe_is_recorded_once_it_has_waited_long_enough(
        app, client, stripe_sandbox, order, monkeypatch):
    made = pending_refund(order)
    # Younger than the wait: the webhook may still come, so Stripe is not asked yet.
    assert reconcile.sync_pending_refunds(older_than=timedelta(minutes=30)) == []
    assert asked(stripe_sandbox, made) == 0

    monkeypatch.setitem(app.config, "REFUND_SYNC_AFTER_MINUTES", 0)
    assert sync_pending_refunds() == 1  # the periodic task, which commits
    db.session.refresh(made)
    assert made.state == "succeeded" and asked(stripe_sandbox, made) == 1
    assert reconcile.sync_pending_refunds(older_than=timedelta(0)) == []  # nothing waits

    # The lost webhook turns up after all: it changes nothing.
    late = stripe_sandbox.deliver(client, refund_event("refund.updated",
                                                       made.provider_refund_id, "succeeded"))
    assert late.status_code == 200 and late.get_json()["outcome"] == "no change"


def test_a_refund_that_failed_at_stripe_gives_the_claim_back_once(client, stripe_sandbox,
                                                                  order):
    made = pending_refund(order)
    unit = made.amount_minor
    assert claimed(order) == (unit, unit, 1)
    stripe_sandbox._call("POST", f"/v1/refunds/{made.provider_refund_id}",
                         {"status": "failed"})

    lines = reconcile.sync_pending_refunds(older_than=timedelta(minutes=30),
                                           now=utcnow() + timedelta(minutes=31))
    db.session.commit()

    assert lines == [f"refund {made.id} ({made.provider_refund_id}): refund failed"]
    db.session.refresh(made)
    assert made.state == "failed" and made.failure_message == "refund failed"
    assert claimed(order) == (0, 0, 0)
    late = stripe_sandbox.deliver(client, refund_event("refund.failed",
                                                       made.provider_refund_id, "failed"))
    assert late.status_code == 200 and late.get_json()["outcome"] == "no change"
    assert claimed(order) == (0, 0, 0)  # not given back a second time


def test_a_refund_still_pending_at_stripe_stays_pending(stripe_sandbox, order):
    made = pending_refund(order)
    stripe_sandbox._call("POST", f"/v1/refunds/{made.provider_refund_id}",
                         {"status": "pending"})
    lines = reconcile.sync_pending_refunds(older_than=timedelta(0))
    assert lines == [f"refund {made.id} ({made.provider_refund_id}): no change"]
    db.session.refresh(made)
    assert made.state == "pending"
