"""`flask payments reconcile`: outcomes Stripe knows that Qiao never recorded."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Order, Payment
from app.services.payments import quote_payments as payments
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


def test_crash_after_payment_is_recorded_by_reconcile(stripe_sandbox, make_checkout_shop,
                                                      make_user, make_quote, runner, outbox):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 1)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    session = payments.open_payment_intent(payment, links=site_links)
    # The crash: Stripe charged, but neither our intent id nor any outcome was saved.
    payment.intent_id = None
    db.session.commit()
    stripe_sandbox.charge_directly(session.intent_id)

    result = runner.invoke(args=["payments", "reconcile", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    assert "succeeded: 1 order(s)" in result.output
    payment = db.session.get(Payment, payment.id)
    assert payment.state == "succeeded" and payment.intent_id == session.intent_id
    assert db.session.scalars(select(Order).where(Order.quote_id == quote.id)).all()
    assert len(outbox("order_confirmation")) == 1

    again = runner.invoke(args=["payments", "reconcile", "--min-age", "0"])
    assert "Reconciled 0" in again.output


def test_recent_unpaid_payments_are_left_alone(stripe_sandbox, make_checkout_shop, make_user,
                                               make_quote, runner):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 1)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    result = runner.invoke(args=["payments", "reconcile"])
    assert "Reconciled 0" in result.output
    assert db.session.get(Payment, payment.id).state == "created"


def test_the_periodic_job_reconciles_payments_older_than_five_minutes(
        stripe_sandbox, make_checkout_shop, make_user, make_quote):
    from datetime import timedelta

    from app.models import utcnow
    from app.tasks.payments import reconcile_payments

    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 1)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    session = payments.open_payment_intent(payment, links=site_links)
    db.session.commit()
    stripe_sandbox.charge_directly(session.intent_id)  # the webhook never arrives
    assert reconcile_payments() == 0  # too recent: the webhook may still come
    payment.created_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    assert reconcile_payments() == 1
    assert db.session.get(Payment, payment.id).state == "succeeded"
