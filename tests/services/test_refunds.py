"""Refunds and cancellation through Stripe, never above what was captured."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Payment
from app.money import Money, round_minor
from app.services import inventory
from app.services.errors import DomainError
from app.services.orders.lifecycle import orders_for_quote, settlement
from app.services.payments import quote_payments as payments
from app.services.payments import refunds
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
    payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(), links=site_links)
    db.session.commit()
    placed = orders_for_quote(quote.id)[0]
    placed.shop = shop
    return placed


def refund(order, actor=None, **fields):
    made = refunds.request_refund(actor or order.shop.owner, order.store_id, order.id,
                                  refunds.RefundRequest(**fields))
    db.session.commit()
    refunds.submit_refund(made, actor or order.shop.owner)
    db.session.commit()
    return made


def on_hand(order):
    line = order.lines[0]
    return sum(lv.on_hand for lv in inventory.variant_levels([line.variant_id])[line.variant_id])


def available(order):
    return inventory.available(order.lines[0].variant_id)


def test_partial_line_refund_through_stripe(stripe_sandbox, order):
    line = order.lines[0]
    made = refund(order, lines=[(line.id, 1)])
    assert made.state == "succeeded" and made.provider_refund_id.startswith("re_")
    # The unit and its third of New York's 4 % sales tax on the goods (0.20 of the 3.20 is
    # on shipping and goes back with it).
    assert line.tax_minor == 300 and order.assessment["shipping_tax_minor"] == 20
    assert made.amount_minor == line.unit_price_minor + 100
    assert order.status == "partially_refunded" and line.refunded_quantity == 1
    assert order.events[-1].to_status == "partially_refunded"
    assert stripe_sandbox.proxy.keys_for("/v1/refunds") == [made.idempotency_key]


def test_restock_of_unshipped_units_releases_the_orders_hold(stripe_sandbox, order):
    # Paid units are held for the order, not yet taken off on_hand: a restock frees them.
    before, shelf = available(order), on_hand(order)
    refund(order, lines=[(order.lines[0].id, 2)], restock=True)
    assert available(order) == before + 2 and on_hand(order) == shelf
    assert inventory.order_holds(order.id) == {order.lines[0].variant_id: {
        order.shop.warehouse.id: 1}}
    assert inventory.check_ledger() == []


def test_refund_without_restock_writes_the_held_units_off(stripe_sandbox, order):
    before, shelf = available(order), on_hand(order)
    refund(order, lines=[(order.lines[0].id, 1)])
    assert available(order) == before and on_hand(order) == shelf - 1
    assert inventory.check_ledger() == []


def test_full_refund_with_shipping_marks_refunded(stripe_sandbox, order):
    line = order.lines[0]
    refund(order, lines=[(line.id, 3)], shipping=True)
    assert order.refunded_minor == order.total_minor
    assert order.status == "refunded"
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == order.quote_id))
    assert payment.refunded_minor == order.total_minor


def test_refund_above_captured_is_refused(stripe_sandbox, order):
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(order.shop.owner, order.store_id, order.id, refunds.RefundRequest(
            amount=Money(order.total_minor + 1, order.currency)))
    assert caught.value.code == "refund_exceeds_captured"
    db.session.rollback()
    refund(order, amount=Money(order.total_minor - 100, order.currency))
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(order.shop.owner, order.store_id, order.id,
                               refunds.RefundRequest(amount=Money(101, order.currency)))
    assert caught.value.code == "refund_exceeds_captured"


def test_more_units_than_bought_is_refused(stripe_sandbox, order):
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(order.shop.owner, order.store_id, order.id,
                               refunds.RefundRequest(lines=[(order.lines[0].id, 4)]))
    assert caught.value.code == "refund_quantity_exceeded"


def test_shipping_only_once(stripe_sandbox, order):
    refund(order, shipping=True)
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(order.shop.owner, order.store_id, order.id,
                               refunds.RefundRequest(shipping=True))
    assert caught.value.code == "shipping_already_refunded"


def test_staff_cannot_refund_and_strangers_get_404(stripe_sandbox, order, make_user):
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(order.shop.staff, order.store_id, order.id,
                               refunds.RefundRequest(shipping=True))
    assert caught.value.status == 403
    with pytest.raises(DomainError) as caught:
        refunds.request_refund(make_user(), order.store_id, order.id,
                               refunds.RefundRequest(shipping=True))
    assert caught.value.status == 404


def test_cancel_refunds_everything_and_restocks(stripe_sandbox, order):
    before = available(order)
    made = refunds.request_cancellation(order.shop.owner, order.store_id, order.id,
                                        reason="out of stock")
    db.session.commit()
    refunds.submit_refund(made, order.shop.owner)
    db.session.commit()
    assert made.state == "succeeded" and made.amount_minor == order.total_minor
    assert order.status == "cancelled" and order.events[-1].to_status == "cancelled"
    assert available(order) == before + 3
    assert inventory.order_holds(order.id) == {} and inventory.check_ledger() == []
    with pytest.raises(DomainError) as caught:
        refunds.request_cancellation(order.shop.owner, order.store_id, order.id)
    assert caught.value.code == "order_not_refundable"


def test_refunds_lower_the_net_and_give_back_their_share_of_the_commission(stripe_sandbox,
                                                                            order):
    before = settlement(order)
    assert before.net.minor == order.merchant_net_store_minor
    line = order.lines[0]
    refund(order, lines=[(line.id, 1)])
    after = settlement(order)
    goods_and_shipping = order.items_minor + order.shipping_minor
    expected_back = round_minor(Decimal(order.commission_store_minor) * line.unit_price_minor
                                / goods_and_shipping)
    # USD store, USD order: rate 1. The sales tax refunded with the unit earns no commission.
    refunded = line.unit_price_minor + line.tax_minor // 3
    assert after.refunded.minor == refunded
    assert after.commission_returned.minor == expected_back > 0
    assert after.net.minor == before.net.minor - refunded + expected_back


def test_a_full_refund_leaves_no_net_and_no_commission(stripe_sandbox, order):
    refund(order, lines=[(order.lines[0].id, 3)], shipping=order.shipping_minor > 0)
    settled = settlement(order)
    assert order.status == "refunded"
    assert settled.commission_returned == settled.commission and settled.net.minor == 0


def test_a_goodwill_amount_returns_commission_but_a_failed_refund_returns_none(
        stripe_sandbox, order):
    made = refunds.request_refund(order.shop.owner, order.store_id, order.id,
                                  refunds.RefundRequest(amount=Money(500, "USD")))
    assert made.commissionable_minor == 500
    refunds.fail_refund(made, "card closed")
    db.session.commit()
    db.session.refresh(order)
    assert order.commissionable_refunded_minor == 0
    assert settlement(order).net.minor == order.merchant_net_store_minor
