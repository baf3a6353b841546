"""Errors raised by services reach the 中文 UI in Chinese: stock in the cart, shipping, checkout."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Quote
from app.services.inventory import reserve_stock
from tests.conftest import csrf_from

pytest_plugins = ["tests.checkout_factories"]

DOMESTIC_ONLY = [{"name": "Domestic", "countries": ["US"], "free_over": None, "days": (2, 5),
                  "rates": [(None, "5")]}]


def page_text(response) -> str:
    """The page's visible text (tags dropped, whitespace collapsed)."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def add_to_cart(client, shop, quantity):
    html = client.get(f"/products/{shop.products[0].id}").get_data(as_text=True)
    variant_id = re.search(r'name="variant_id" value="(\d+)"', html).group(1)
    return client.post("/cart/items", data={
        "csrf_token": csrf_from(html), "variant_id": variant_id, "quantity": quantity,
        "next": f"/products/{shop.products[0].id}", "add": "1"})


def checkout(client, data: dict):
    page = client.get("/checkout")
    return client.post("/checkout", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                          **data})


@pytest.fixture
def chinese_shopper(make_user):
    return make_user(ship_to_country="US", currency="USD", locale="zh")


def test_a_stock_error_on_the_cart_is_in_chinese(client, make_checkout_shop, fx_snapshot,
                                                 market_rules, login, chinese_shopper):
    shop = make_checkout_shop("USD", "US", price="25", stock=5)
    login(chinese_shopper)
    response = add_to_cart(client, shop, 6)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert '<html lang="zh-Hans">' in page.get_data(as_text=True)
    text = page_text(page)
    sku = shop.variants[0].sku
    assert f"Dragon Well tea（{sku}）仅剩 5 件。" in text  # the title as stored, for now
    assert "Only 5 of" not in text and ") available." not in text


def test_a_stock_error_at_checkout_is_in_chinese(client, make_checkout_shop, fx_snapshot,
                                                 market_rules, login, chinese_shopper,
                                                 make_user, checkout_address):
    shop = make_checkout_shop("USD", "US", price="25", stock=5)
    login(chinese_shopper)
    add_to_cart(client, shop, 3)
    # Someone else's checkout holds 4 of the 5 units before this shopper asks for a quote.
    reserve_stock(make_user(), shop.variants[0].id, 4, owner_type="test", owner_id="x")
    db.session.commit()
    response = checkout(client, {**checkout_address("US"), "currency": "USD"})
    assert response.status_code == 409
    text = page_text(response)
    assert "部分商品库存不足；请减少数量后再试。" in text
    assert "no longer available" not in text and "lower the quantity" not in text
    assert db.session.query(Quote).count() == 0


def test_a_shipping_error_at_checkout_is_in_chinese(client, make_checkout_shop, fx_snapshot,
                                                    market_rules, login, chinese_shopper,
                                                    checkout_address):
    shop = make_checkout_shop("USD", "US", price="25", stock=5, zones=DOMESTIC_ONLY)
    login(chinese_shopper)
    add_to_cart(client, shop, 1)
    response = checkout(client, {**checkout_address("JP"), "currency": "JPY"})
    assert response.status_code == 422
    text = page_text(response)
    store = shop.store.name
    assert f"{store} 没有寄往 JP 的运费设置。" in text
    assert f"{store} 不发货到 JP。" in text  # the message on the country field
    assert "shipping rate" not in text and "does not ship" not in text
    assert db.session.query(Quote).count() == 0


def test_the_same_errors_stay_english_in_the_english_ui(client, make_checkout_shop,
                                                        fx_snapshot, market_rules, login,
                                                        make_user, checkout_address):
    shop = make_checkout_shop("USD", "US", price="25", stock=5, zones=DOMESTIC_ONLY)
    login(make_user(ship_to_country="US", currency="USD", locale="en"))
    page = client.get(add_to_cart(client, shop, 6).headers["Location"])
    assert f"Only 5 of Dragon Well tea ({shop.variants[0].sku}) available." in page_text(page)
    add_to_cart(client, shop, 1)
    response = checkout(client, {**checkout_address("JP"), "currency": "JPY"})
    assert f"{shop.store.name} has no shipping rate to JP." in page_text(response)
