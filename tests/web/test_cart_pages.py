"""Cart and checkout pages: add from the product page, guest carts, the address form, the quote."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import CartItem, Quote, utcnow
from app.services.checkout import cart as carts
from tests.conftest import csrf_from

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shop(make_checkout_shop, fx_snapshot, market_rules):
    return make_checkout_shop("USD", "US", price="25", stock=5)


@pytest.fixture
def shopper(make_user):
    return make_user(ship_to_country="US", currency="USD")


def product_page(client, shop) -> str:
    response = client.get(f"/products/{shop.products[0].id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def add_from_product_page(client, shop, quantity=1, **extra):
    html = product_page(client, shop)
    variant_id = re.search(r'name="variant_id" value="(\d+)"', html).group(1)
    return client.post("/cart/items", data={
        "csrf_token": csrf_from(html), "variant_id": variant_id, "quantity": quantity,
        "next": f"/products/{shop.products[0].id}", "add": "1", **extra})


def test_the_product_page_offers_add_to_cart_and_buy_now(client, shop):
    html = product_page(client, shop)
    assert 'data-testid="add-to-cart"' in html and 'data-testid="buy-now"' in html
    assert f'name="variant_id" value="{shop.variants[0].id}"' in html


def test_a_guest_adds_to_the_cart_and_sees_it(client, shop):
    response = add_from_product_page(client, shop, 2)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/products/{shop.products[0].id}")
    html = client.get("/cart").get_data(as_text=True)
    assert html.count('data-testid="cart-line"') == 1
    assert "Dragon Well tea" in html and 'data-testid="checkout"' in html
    assert re.search(r'data-testid="subtotal">\$50\.00<', html)


def test_the_note_that_led_to_the_product_is_kept(client, shop, make_user):
    from app.services.social import notes
    from tests.notes_factories import uploads

    note = notes.create_note(make_user(), title="Tea", body="Good", images=uploads(1),
                             publish=True)
    db.session.commit()
    html = client.get(f"/products/{shop.products[0].id}?note={note.id}").get_data(as_text=True)
    assert f'name="note_id" value="{note.id}"' in html
    add_from_product_page(client, shop, 1, note_id=str(note.id))
    assert db.session.query(CartItem).one().note_id == note.id


def test_too_many_units_are_refused_with_the_number_left(client, shop):
    response = add_from_product_page(client, shop, 6)
    assert response.status_code == 303
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Only 5 of Dragon Well tea" in html
    assert 'data-testid="empty-cart"' in client.get("/cart").get_data(as_text=True)


def test_buy_now_sends_guests_to_log_in_and_the_cart_merges(client, shop, shopper, post_form):
    html = product_page(client, shop)
    response = client.post("/cart/items", data={
        "csrf_token": csrf_from(html), "variant_id": str(shop.variants[0].id), "quantity": "2",
        "buy_now": "1"})
    assert response.headers["Location"].endswith("/checkout")
    login_page = client.get("/checkout")
    assert login_page.status_code == 302 and "/auth/login" in login_page.headers["Location"]
    # The shopper already had one of these in their account's cart.
    carts.add_item(carts.open_cart(user=shopper), shop.variants[0].id, 1)
    db.session.commit()
    post_form("/auth/login", {"email": shopper.email, "password": "correct-horse-battery"})
    db.session.expire_all()
    items = carts.find_cart(user=shopper).items
    assert [(i.variant_id, i.quantity) for i in items] == [(shop.variants[0].id, 3)]
    page = client.get("/checkout")
    assert page.status_code == 200 and 'data-testid="address-form"' in page.get_data(
        as_text=True)


def test_update_and_remove_lines(client, shop, login, shopper):
    login(shopper)
    add_from_product_page(client, shop, 1)
    item = carts.find_cart(user=shopper).items[0]
    html = client.get("/cart").get_data(as_text=True)
    token = csrf_from(html)
    client.post(f"/cart/items/{item.id}", data={"csrf_token": token, "quantity": "3"})
    db.session.expire_all()
    assert carts.find_cart(user=shopper).items[0].quantity == 3
    refused = client.post(f"/cart/items/{item.id}", data={"csrf_token": token, "quantity": "9"},
                          follow_redirects=True)
    assert "Only 5" in refused.get_data(as_text=True)
    client.post(f"/cart/items/{item.id}", data={"csrf_token": token, "quantity": "0"})
    db.session.expire_all()
    assert carts.find_cart(user=shopper).items == []


def test_another_shoppers_line_answers_404(client, shop, login, shopper, make_user):
    theirs = carts.add_item(carts.open_cart(user=make_user()), shop.variants[0].id, 1)
    db.session.commit()
    login(shopper)
    token = csrf_from(client.get("/cart").get_data(as_text=True))
    assert client.post(f"/cart/items/{theirs.id}/remove",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/cart/items/{theirs.id}",
                       data={"csrf_token": token, "quantity": "2"}).status_code == 404


def test_restricted_lines_are_flagged_and_block_checkout(client, make_checkout_shop, login,
                                                         shopper, fx_snapshot):
    shop = make_checkout_shop("USD", "US", restricted_countries=["US"])
    carts.add_item(carts.open_cart(user=shopper), shop.variants[0].id, 1)
    db.session.commit()
    login(shopper)
    html = client.get("/cart").get_data(as_text=True)
    assert 'data-testid="restricted"' in html and "Cannot be shipped to United States" in html
    assert 'data-testid="checkout"' not in html and 'data-testid="fix-cart"' in html


def checkout(client, data: dict):
    page = client.get("/checkout")
    return client.post("/checkout", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                          **data})


def test_checkout_quotes_and_shows_the_breakdown(client, shop, login, shopper,
                                                 checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 2)
    form = client.get("/checkout").get_data(as_text=True)
    assert re.search(r'<option value="USD" selected', form)  # the display currency
    response = checkout(client, {**checkout_address("JP"), "currency": "JPY"})
    assert response.status_code == 303
    quote = db.session.query(Quote).one()
    assert response.headers["Location"].endswith(f"/checkout/quotes/{quote.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert quote.reference in html
    assert html.count('data-testid="quote-group"') == 1
    assert "arrives in 7–14 days" in html
    assert 'data-testid="no-duties"' in html  # under Japan's 10,000 JPY exemption
    assert re.search(r"Exempt: the goods \(JP¥[\d,]+\) are within the JP¥10,000 allowance",
                     html)
    assert 'data-testid="total-due-on-delivery"' not in html
    assert f'data-testid="total">JP¥{quote.total_minor:,}<' in html
    assert "Exchange rate: 1 USD = " in html and "ECB" in html
    assert "data-countdown" in html


def test_ddp_quotes_show_duties_and_taxes_paid_now(client, shop, login, shopper,
                                                   checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 1)
    response = checkout(client, {**checkout_address("GB"), "currency": "GBP"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="taxes"' in html and 'data-testid="due-on-delivery"' not in html
    assert "nothing more to pay on delivery" in html


def test_a_domestic_quote_shows_the_state_sales_tax_and_no_duty(client, shop, login, shopper,
                                                                 checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 1)
    response = checkout(client, {**checkout_address("US"), "currency": "USD"})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sales tax" in html and 'data-testid="duties"' not in html
    assert "the state sales tax is collected now" in html
    assert "New York sales tax (state)" in html  # the rule it came from


def test_missing_fields_are_shown_on_each_input(client, shop, login, shopper,
                                                checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 1)
    response = checkout(client, {**checkout_address("CN", postal_code="", phone=""),
                                 "currency": "CNY"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Postal code is required for addresses in CN." in html
    assert "A phone number is required for deliveries in CN." in html
    assert db.session.query(Quote).count() == 0


def test_a_tampered_currency_is_refused_on_the_form(client, shop, login, shopper,
                                                    checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 1)
    response = checkout(client, {**checkout_address("US"), "currency": "XAU",
                                 "total": "0.01"})
    assert response.status_code == 422
    assert "Choose one of USD, EUR" in response.get_data(as_text=True)


@pytest.mark.parametrize(("locale", "rate_time", "currency_field"), [
    ("en", "the newest exchange rate (Nov 3, 2026, 12:00\u202fAM GMT+09:00) is too old",
     "JPY is unavailable right now"),
    ("zh", "最新汇率（2026年11月3日 00:00 GMT+09:00）已过时", "JPY 暂时无法使用")])
def test_a_stale_rate_says_so_on_the_form_in_the_viewers_time(
        client, shop, login, make_user, fx_snapshot, checkout_address, locale, rate_time,
        currency_field):
    login(make_user(ship_to_country="US", currency="USD", locale=locale,
                    time_zone="Asia/Tokyo"))
    add_from_product_page(client, shop, 1)
    # 15:00 UTC on Nov 2 is already Nov 3 in Tokyo, where the shopper reads it.
    fx_snapshot.as_of = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    db.session.commit()
    response = checkout(client, {**checkout_address("JP"), "currency": "JPY"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert rate_time in html and currency_field in html
    assert "UTC" not in html


def test_an_expired_quote_page_offers_a_new_quote(client, shop, login, shopper, make_quote):
    login(shopper)
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    quote.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    assert 'data-testid="expired"' in html and 'data-testid="pay"' not in html
    db.session.expire_all()
    # Reading the page writes nothing: the expiry job (or an attempt to pay) closes it.
    assert db.session.get(Quote, quote.id).state == "open"


def test_someone_elses_quote_page_is_404(client, shop, login, shopper, make_user, make_quote):
    theirs = make_quote(make_user(), [(shop.variants[0], 1)], currency="USD", country="US")
    login(shopper)
    assert client.get(f"/checkout/quotes/{theirs.id}").status_code == 404


def test_the_pay_button_appears_when_the_payment_page_exists(client, app, shop, login, shopper,
                                                             make_quote):
    login(shopper)
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="US")
    html = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    assert ('data-testid="pay"' in html) == ("checkout.pay" in app.view_functions)


def test_duties_due_on_delivery_are_an_estimate_outside_the_total(client, make_checkout_shop,
                                                                 login, shopper, fx_snapshot,
                                                                 market_rules, make_quote):
    shop = make_checkout_shop("USD", "US", price="200")  # over Japan's exemption
    login(shopper)
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="JPY", country="JP")
    html = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    group = quote.groups[0]
    due = group.duties_minor + group.taxes_minor
    assert f'data-testid="due-on-delivery">JP¥{due:,}<' in html
    # Duty and import tax on their own lines; the summary adds up what the carrier collects.
    assert group.duties_minor > 0 and group.taxes_minor > 0
    assert f'Duty, due on delivery</th><td class="amount" data-testid="duties">' \
           f'JP¥{group.duties_minor:,}<' in html
    assert f'Import tax, due on delivery</th><td class="amount" data-testid="taxes">' \
           f'JP¥{group.taxes_minor:,}<' in html
    assert f'data-testid="total-due-on-delivery">JP¥{due:,}<' in html
    assert "the carrier collects them on delivery" in html
    assert f'data-testid="total">JP¥{group.items_minor + group.shipping_minor:,}<' in html
    # Above Japan's allowance: the label says no exemption applied (not "exemption").
    assert 'data-relief="over_allowance"' in html
    assert re.search(r"No exemption: the goods \(JP¥[\d,]+\) are worth more than the "
                     r"JP¥10,000 allowance", html)


def test_the_address_form_follows_the_countrys_order_and_names(client, shop, login, shopper,
                                                                checkout_address):
    login(shopper)
    add_from_product_page(client, shop, 1)
    response = checkout(client, {**checkout_address("JP", postal_code="", region=""),
                                 "currency": "JPY"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    box = html[html.index('data-testid="address-fields"'):]
    # Japan: postal code first, then the prefecture, then the street; "Prefecture" as label.
    assert box.index('data-field="postal_code"') < box.index('data-field="region"') < \
        box.index('data-field="line1"') < box.index('data-field="name"')
    assert ">Prefecture</label>" in box
    assert "Prefecture is required for addresses in JP." in html
    assert 'data-layouts="' in html and "js/address_form.js" in html
    us = checkout(client, {**checkout_address("US", region="Nowhere"), "currency": "USD"})
    us_html = us.get_data(as_text=True)
    assert ">ZIP code</label>" in us_html and ">State</label>" in us_html
    assert '<option value="NY">New York</option>' in us_html  # region suggestions
    assert "“Nowhere” is not in the list for US (State)." in us_html


def cart_badge(html: str) -> str | None:
    """The header's cart count, or None when the badge is not shown."""
    found = re.search(r'data-testid="cart-count" aria-hidden="true">(\d+)</span>'
                      r'<span class="sr-only">([^<]+)</span>', html)
    return f"{found.group(1)} {found.group(2)}" if found else None


def test_the_header_counts_the_units_in_the_cart(client, shop, login, shopper):
    assert cart_badge(product_page(client, shop)) is None
    add_from_product_page(client, shop, 2)  # a guest's cart
    assert cart_badge(product_page(client, shop)) == "2 (2 items)"
    login(shopper)  # the guest cart merges into the account's
    add_from_product_page(client, shop, 1)
    assert cart_badge(client.get("/cart").get_data(as_text=True)) == "3 (3 items)"
    item = carts.find_cart(user=shopper).items[0]
    token = csrf_from(client.get("/cart").get_data(as_text=True))
    client.post(f"/cart/items/{item.id}", data={"csrf_token": token, "quantity": "1"})
    assert cart_badge(client.get("/").get_data(as_text=True)) == "1 (1 item)"
    client.post("/preferences", data={"csrf_token": token, "locale": "zh"})
    assert cart_badge(client.get("/cart").get_data(as_text=True)) == "1 （1 件商品）"
    client.post(f"/cart/items/{item.id}/remove", data={"csrf_token": token})
    assert cart_badge(client.get("/cart").get_data(as_text=True)) is None


@pytest.mark.parametrize(("relief", "says"), [
    ({"code": "no_allowance", "goods_minor": 1000, "goods_currency": "USD"},
     "this destination has no duty-free allowance"),
    ({"code": "exempt", "threshold_minor": 80000, "currency": "USD", "goods_minor": 1000,
      "goods_currency": "USD"}, "are within the $800.00 allowance"),
])
def test_the_allowance_label_reads_a_relief_with_or_without_a_threshold(app, relief, says):
    from types import SimpleNamespace

    from flask import render_template

    parcel = SimpleNamespace(assessment={"relief": relief}, duties_minor=0, taxes_minor=0)
    with app.test_request_context("/"):
        html = render_template("checkout/_relief.html", parcel=parcel)
    assert f'data-relief="{relief["code"]}"' in html and says in html


def test_a_quote_older_than_the_allowance_record_still_says_what_is_due(
        client, make_checkout_shop, login, shopper, fx_snapshot, market_rules, make_quote):
    shop = make_checkout_shop("USD", "US", price="200")
    login(shopper)
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="JPY", country="JP")
    group = quote.groups[0]
    group.assessment = {key: value for key, value in group.assessment.items()
                        if key != "relief"}
    db.session.flush()
    html = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    assert 'data-relief="not_recorded">Duty and import tax apply to this parcel.<' in html
