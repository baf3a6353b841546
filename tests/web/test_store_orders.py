"""Merchant order pages: the queue with filters, refunds and cancel from the detail page."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.orders.lifecycle import orders_for_quote, settlement
from app.services.payments import quote_payments as payments
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def paid_order(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 2)], currency="USD", country="US")
    payment = payments.prepare_payment(user, quote.id, links=site_links)
    db.session.commit()
    payments.open_payment_intent(payment, links=site_links)
    payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(), links=site_links)
    db.session.commit()
    return shop, orders_for_quote(quote.id)[0]


def test_queue_filters_by_status_and_reference(client, login, paid_order):
    shop, order = paid_order
    login(shop.staff)
    base = f"/merchant/stores/{shop.store.id}/orders"
    assert f'data-order-id="{order.id}"' in client.get(base).get_data(as_text=True)
    assert f'data-order-id="{order.id}"' in client.get(
        f"{base}?status=paid&q={order.checkout_reference[:6]}").get_data(as_text=True)
    assert 'data-testid="no-orders"' in client.get(f"{base}?status=shipped").get_data(
        as_text=True)
    assert 'data-testid="no-orders"' in client.get(f"{base}?q=QX-NOPE").get_data(as_text=True)
    assert 'data-testid="no-orders"' in client.get(f"{base}?from=2999-01-01").get_data(
        as_text=True)


def test_other_merchants_get_404(client, login, paid_order, make_user):
    shop, order = paid_order
    login(make_user())
    assert client.get(f"/merchant/stores/{shop.store.id}/orders").status_code == 404
    assert client.get(
        f"/merchant/stores/{shop.store.id}/orders/{order.id}").status_code == 404


def test_another_stores_owner_cannot_reach_the_order_through_their_own_store(
        client, login, post_form, paid_order, make_checkout_shop):
    shop, order = paid_order
    rival = make_checkout_shop(currency="USD", country="US", with_product=False)
    login(rival.owner)
    page = f"/merchant/stores/{rival.store.id}/orders/{order.id}"
    assert client.get(page).status_code == 404
    line = order.lines[0]
    refund = post_form(f"{page}/refunds", {f"qty-{line.id}": "1"},
                       page=f"/merchant/stores/{rival.store.id}/orders")
    assert refund.status_code == 404
    assert post_form(f"{page}/cancel", {}, page=f"/merchant/stores/{rival.store.id}/orders"
                     ).status_code == 404
    db.session.refresh(order)
    assert (order.status, order.refunded_minor, order.refunds) == ("paid", 0, [])


def test_partial_refund_from_the_form(client, login, post_form, paid_order):
    shop, order = paid_order
    login(shop.owner)
    page = f"/merchant/stores/{shop.store.id}/orders/{order.id}"
    line = order.lines[0]
    response = post_form(f"{page}/refunds", {f"qty-{line.id}": "1", "restock": "y"},
                         page=page, follow=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-state="succeeded"' in html and "partially_refunded" in html


def test_refund_above_captured_shows_the_error(client, login, post_form, paid_order):
    shop, order = paid_order
    login(shop.owner)
    page = f"/merchant/stores/{shop.store.id}/orders/{order.id}"
    response = post_form(f"{page}/refunds", {"amount": "100000"}, page=page)
    assert response.status_code == 422
    assert "more than can still be refunded" in response.get_data(as_text=True)


def test_cancel_before_shipping(client, login, post_form, paid_order):
    shop, order = paid_order
    login(shop.owner)
    page = f"/merchant/stores/{shop.store.id}/orders/{order.id}"
    response = post_form(f"{page}/cancel", {"reason": "Sold out"}, page=page, follow=True)
    html = response.get_data(as_text=True)
    assert 'data-status="cancelled"' in html
    assert 'data-testid="cancel-form"' not in html


def test_staff_see_no_refund_or_cancel_form_and_cannot_post_one(client, login, post_form,
                                                                 paid_order):
    shop, order = paid_order
    page = f"/merchant/stores/{shop.store.id}/orders/{order.id}"
    login(shop.staff)
    html = client.get(page).get_data(as_text=True)
    assert 'data-testid="refund-form"' not in html
    assert 'data-testid="cancel-form"' not in html
    assert "Refunds and cancellations need the owner or admin role." in html
    # The server still refuses them, whatever the page shows.
    line = order.lines[0]
    assert post_form(f"{page}/refunds", {f"qty-{line.id}": "1"}, page=page).status_code == 403
    assert post_form(f"{page}/cancel", {"reason": "x"}, page=page).status_code == 403
    db.session.expire_all()
    assert (order.status, order.refunds) == ("paid", [])


def test_owners_see_the_refund_and_cancel_forms(client, login, paid_order):
    shop, order = paid_order
    login(shop.owner)
    html = client.get(f"/merchant/stores/{shop.store.id}/orders/{order.id}").get_data(
        as_text=True)
    assert 'data-testid="refund-form"' in html and 'data-testid="cancel-form"' in html
    assert 'data-testid="refund-role-note"' not in html


@pytest.fixture
def yen_order(make_checkout_shop, make_user, make_sandbox_order):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    shopper = make_user()
    return shop, shopper, make_sandbox_order(shop, 2, currency="JPY", country="JP",
                                          shopper=shopper)


def test_chinese_merchant_reads_history_rate_and_yen_unambiguously(client, login, post_form,
                                                                     yen_order):
    shop, _shopper, order = yen_order
    shop.owner.locale = "zh"
    db.session.commit()
    login(shop.owner)
    page = f"/merchant/stores/{shop.store.id}/orders/{order.id}"
    line = order.lines[0]
    html = post_form(f"{page}/refunds", {f"qty-{line.id}": "1"}, page=page,
                     follow=True).get_data(as_text=True)
    refund = order.refunds[0]
    assert f"已退款 JP¥{refund.amount_minor:,}。" in html
    # The rate as people read it, not the locked Decimal's 28 digits.
    assert str(order.fx_rate) not in html
    assert "1 USD = " in html and " JPY" in html
    assert "付款成功" in html and f"退款单 {refund.id}" in html
    assert "payment pi_" not in html and "partially_refunded →" not in html
    # The net follows the refund, with the commission on the refunded goods given back.
    db.session.refresh(order)
    settled = settlement(order)
    assert settled.commission_returned.minor > 0
    assert f'data-testid="merchant-net">{settled.net.format("zh")}<' in html
    assert settled.net.minor < order.merchant_net_store_minor


def test_shopper_history_hides_payment_ids(client, login, yen_order):
    _shop, shopper, order = yen_order
    login(shopper)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    history = html.split("<h2>History</h2>", 1)[1]
    assert "Payment confirmed" in history and "pi_" not in history


def test_the_order_page_splits_duty_and_import_tax_due_on_delivery(
        client, login, stripe_sandbox, make_checkout_shop, make_user, make_quote, fx_snapshot,
        market_rules):
    shop = make_checkout_shop(currency="USD", country="US", price="200", stock=5)
    shopper = make_user()
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="JPY", country="JP")
    payment = payments.prepare_payment(shopper, quote.id, links=site_links)
    db.session.commit()
    payments.open_payment_intent(payment, links=site_links)
    payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                     links=site_links)
    db.session.commit()
    order = orders_for_quote(quote.id)[0]
    assert order.duties_minor > 0 and order.taxes_minor > 0 and not order.collected_at_checkout
    login(shop.owner)
    html = client.get(f"/merchant/stores/{shop.store.id}/orders/{order.id}").get_data(
        as_text=True)
    assert f'Duty, due on delivery</dt><dd data-testid="order-duty">JP¥{order.duties_minor:,}<' \
        in html
    assert ('Import tax, due on delivery</dt><dd data-testid="order-import-tax">'
            f'JP¥{order.taxes_minor:,}<') in html
    due = order.duties_minor + order.taxes_minor
    assert f'data-testid="order-due-on-delivery">JP¥{due:,}<' in html
