"""Input strictness: one money parser, permissions before parsing, ids in range, no 5xx."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import Refund
from app.money import AmountFormatError, Money
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.catalog_factories import make_shop

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]

HOSTILE_AMOUNTS = ["1e2", "1E+2", "1_000.00", "+5.00", "١٢.٠٠", "12.500", " 12.00", "12.",
                   ".50", "0x10", "NaN", "Infinity", "1e999997", "9" * 16 + ".00", ""]


@pytest.mark.parametrize("text", HOSTILE_AMOUNTS)
def test_the_parser_refuses_anything_but_plain_digits(text):
    with pytest.raises(AmountFormatError):
        Money.parse(text, "USD")


def test_the_parser_reads_each_currency_by_its_exponent():
    assert Money.parse("19.99", "USD", exact=True) == Money(1999, "USD")
    assert Money.parse("1500", "JPY", exact=True) == Money(1500, "JPY")
    assert Money.parse("1.250", "KWD", exact=True) == Money(1250, "KWD")
    assert Money.parse("-0.05", "USD") == Money(-5, "USD")
    # Forms may leave decimals out; the API may not.
    assert Money.parse("20", "USD") == Money(2000, "USD")
    with pytest.raises(AmountFormatError):
        Money.parse("19.9", "USD", exact=True)
    with pytest.raises(AmountFormatError):
        Money.parse("15.00", "JPY")


def test_a_huge_exponent_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(AmountFormatError):
        Money.parse("1e999997", "USD")
    with pytest.raises(ValueError):
        Money.from_decimal(Decimal("1e999997"), "USD")
    with pytest.raises(ValueError):
        Money.from_decimal(Decimal("1e999999999999999999"), "USD")
    assert time.monotonic() - started < 0.5


@pytest.fixture
def shop(make_org, make_user):
    """A USD store."""
    return make_shop(make_org, make_user)


def _product(price, **variant):
    return {"title": "Mug", "variants": [{"sku": "MUG-1", "price": price, **variant}]}


@pytest.mark.parametrize("amount", ["1e2", "19.9", "20", "12.500", "+5.00", "1_000.00",
                                    "١٢.٠٠", "1e999997"])
def test_api_prices_need_exactly_the_currency_digits(client, shop, api_token, amount):
    response = client.post(f"/api/v1/stores/{shop.store.id}/products",
                           headers=api_token(shop.owner),
                           json=_product({"amount": amount, "currency": "USD"}))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_amount"
    assert list(error["fields"]) == ["variants.0.price"]


def test_api_price_as_a_number_or_without_currency_is_refused(client, shop, api_token):
    url = f"/api/v1/stores/{shop.store.id}/products"
    for price in ({"amount": 20, "currency": "USD"}, {"amount": "20.00"}, "20.00"):
        response = client.post(url, headers=api_token(shop.owner), json=_product(price))
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "invalid_amount", price


def test_api_keeps_the_specific_codes(client, shop, api_token):
    url = f"/api/v1/stores/{shop.store.id}/products"
    negative = client.post(url, headers=api_token(shop.owner),
                           json=_product({"amount": "-1.00", "currency": "USD"}))
    assert negative.get_json()["error"]["code"] == "negative_amount"
    fixed = client.post(url, headers=api_token(shop.owner), json=_product(
        {"amount": "20.00", "currency": "USD"},
        fixed_prices=[{"amount": "1500.0", "currency": "JPY"}]))
    assert fixed.status_code == 422
    assert fixed.get_json()["error"]["fields"] == {
        "variants.0.fixed_prices.0": [fixed.get_json()["error"]["fields"][
            "variants.0.fixed_prices.0"][0]]}
    good = client.post(url, headers=api_token(shop.owner), json=_product(
        {"amount": "20.00", "currency": "USD"},
        fixed_prices=[{"amount": "1500", "currency": "JPY"}]))
    assert good.status_code == 201, good.get_json()


def test_forms_still_take_fewer_decimals(shop):
    from app.services.catalog import products as catalog

    product = catalog.create_product(shop.owner, shop.store.id, _product("20"))
    assert product.variants[0].price_minor == 2000
    with pytest.raises(Exception) as caught:
        catalog.create_product(shop.owner, shop.store.id, _product("1e2", sku="MUG-2"))
    assert caught.value.code == "invalid_amount"
    assert list(caught.value.fields) == ["variants.0.price"]


def test_refund_body_is_not_read_before_the_store_check(client, shop, make_user, api_token):
    stranger = api_token(make_user())
    started = time.monotonic()
    response = client.post(f"/api/v1/stores/{shop.store.id}/orders/1/refunds", headers=stranger,
                           json={"amount": {"amount": "1e999997", "currency": "USD"}})
    assert response.status_code == 404
    assert time.monotonic() - started < 1
    # Not even a malformed body gets a look.
    garbage = client.post(f"/api/v1/stores/{shop.store.id}/orders/1/refunds", headers=stranger,
                          data="{", content_type="application/json")
    assert garbage.status_code == 404


@pytest.fixture
def paid_order(client, stripe_sandbox, make_checkout_shop, make_user, make_quote, api_token):
    """A paid USD order and its merchant's token and refund URL."""
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 1)], currency="USD", country="US")
    client.post(f"/api/v1/checkout/quotes/{quote.id}/payment", headers=api_token(user))
    payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(),
                                     links=site_links)
    db.session.commit()
    [order] = client.get("/api/v1/orders", headers=api_token(user)).get_json()["items"]
    return (api_token(shop.owner),
            f"/api/v1/stores/{shop.store.id}/orders/{order['id']}/refunds")


@pytest.mark.parametrize("amount", ["1e2", "1E+2", "1_000.00", "+5.00", "١٠٠.٠٠", "12.500",
                                    "12.5", "1e999997", "9" * 20])
def test_loose_refund_amounts_refund_nothing(client, paid_order, amount):
    merchant, url = paid_order
    response = client.post(url, headers=merchant,
                           json={"amount": {"amount": amount, "currency": "USD"}})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_amount"
    assert response.get_json()["error"]["fields"].keys() == {"amount"}
    assert db.session.query(Refund).count() == 0


def test_refund_lines_are_named_like_every_other_list(client, paid_order):
    merchant, url = paid_order
    response = client.post(url, headers=merchant, json={"lines": [
        {"order_line_id": 1, "quantity": 0}, 5, {"quantity": 1}]})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"].keys() == {
        "lines.0.quantity", "lines.1", "lines.2.order_line_id"}
    assert db.session.query(Refund).count() == 0


def test_a_plain_ids_list_is_held_to_the_id_range(client, make_user, api_token):
    response = client.post("/api/v1/notifications/read", headers=api_token(make_user()),
                           json={"ids": [1, -574292532414, 2**31]})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_id"
    assert set(response.get_json()["error"]["fields"]) == {"ids.1", "ids.2"}
