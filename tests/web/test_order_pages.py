"""Shopper pages: pay (Stripe.js card element), the return page, and my orders."""

from __future__ import annotations

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Payment
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.localstripe_server import CARD_DECLINED
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop(currency="USD", country="US", price="25", stock=50)


@pytest.fixture
def shopper(make_user, login):
    user = make_user()
    login(user)
    return user


def test_pay_page_loads_stripe_js_and_the_same_intent(client, stripe_sandbox, shop, shopper,
                                                      make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 2)], currency="USD", country="US")
    page = client.get(f"/checkout/quotes/{quote.id}/pay")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'src="{stripe_sandbox.url}/js.stripe.com/v3/"' in html
    assert stripe_sandbox.url in page.headers["Content-Security-Policy"]
    assert "4242 4242 4242 4242" in html and 'data-sandbox="1"' in html
    client.get(f"/checkout/quotes/{quote.id}/pay")
    assert len(stripe_sandbox.proxy.keys_for("/v1/payment_intents")) == 1


def test_browser_flow_pays_and_shows_the_orders(client, stripe_sandbox, shop, shopper,
                                                make_quote, sent_mail):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    page = client.get(f"/checkout/quotes/{quote.id}/pay").get_data(as_text=True)
    csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    confirmed = client.post(f"/checkout/quotes/{quote.id}/pay/sandbox-confirm",
                            json={"token": stripe_sandbox.card_token()},
                            headers={"X-CSRFToken": csrf})
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "succeeded"
    done = client.get(f"/checkout/quotes/{quote.id}/complete").get_data(as_text=True)
    assert 'data-state="succeeded"' in done and quote.reference in done
    assert any(quote.reference in mail.body for mail in sent_mail)
    # Paid: opening the pay page again goes to the orders instead of charging again.
    again = client.get(f"/checkout/quotes/{quote.id}/pay")
    assert again.status_code == 302 and again.headers["Location"].endswith("/complete")


def test_declined_card_says_so_and_offers_a_new_start(client, stripe_sandbox, shop, shopper,
                                                      make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    page = client.get(f"/checkout/quotes/{quote.id}/pay").get_data(as_text=True)
    csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    answer = client.post(f"/checkout/quotes/{quote.id}/pay/sandbox-confirm",
                         json={"token": stripe_sandbox.card_token(CARD_DECLINED)},
                         headers={"X-CSRFToken": csrf}).get_json()
    assert answer["status"] == "requires_payment_method" and "declined" in answer["error"]
    done = client.get(f"/checkout/quotes/{quote.id}/complete").get_data(as_text=True)
    assert 'data-state="failed"' in done and "declined" in done


def test_return_page_records_a_payment_the_webhook_has_not(client, stripe_sandbox, shop,
                                                           shopper, make_quote):
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    client.get(f"/checkout/quotes/{quote.id}/pay")
    payment = db.session.query(Payment).filter_by(quote_id=quote.id).one()
    stripe_sandbox.charge_directly(payment.intent_id)  # Stripe.js confirmed it
    done = client.get(f"/checkout/quotes/{quote.id}/complete").get_data(as_text=True)
    assert 'data-testid="placed-order"' in done


def test_expired_quote_page_explains(client, stripe_sandbox, shop, shopper, make_quote):
    from datetime import timedelta

    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    quote.expires_at -= timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/checkout/quotes/{quote.id}/pay")
    assert page.status_code == 409
    assert 'data-code="quote_expired"' in page.get_data(as_text=True)


def test_order_list_and_detail_are_mine_only(app, client, stripe_sandbox, shop, shopper,
                                             make_quote, make_user, login):
    quote = make_quote(shopper, [(shop.variants[0], 2)], currency="USD", country="US")
    payment = payments.prepare_payment(shopper, quote.id, links=site_links)
    db.session.commit()
    payments.open_payment_intent(payment, links=site_links)
    payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                     links=site_links)
    db.session.commit()
    listing = client.get("/orders").get_data(as_text=True)
    assert listing.count('data-testid="order-row"') == 1
    order_id = payments.orders_for_quote(quote.id)[0].id
    detail = client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert 'data-testid="order-line"' in detail and quote.reference in detail
    other = app.test_client()
    login(make_user(), target=other)
    assert other.get(f"/orders/{order_id}").status_code == 404


def test_order_list_query_count_does_not_grow(client, stripe_sandbox, make_checkout_shop,
                                              shopper, make_quote):
    def buy(n):
        for _ in range(n):
            shop = make_checkout_shop(currency="USD", country="US", price="25", stock=5)
            quote = make_quote(shopper, [(shop.variants[0], 1), (shop.variants[1], 1)],
                               currency="USD", country="US")
            payment = payments.prepare_payment(shopper, quote.id, links=site_links)
            db.session.commit()
            payments.open_payment_intent(payment, links=site_links)
            payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                             links=site_links)
            commit()  # and send the confirmation e-mails, as the route would

    buy(1)
    with QueryCounter() as few:
        assert client.get("/orders").status_code == 200
    buy(3)
    with QueryCounter() as many:
        page = client.get("/orders").get_data(as_text=True)
    assert page.count('data-testid="order-row"') == 4
    assert many.count == few.count, "\n".join(many.statements)
