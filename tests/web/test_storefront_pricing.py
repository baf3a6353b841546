"""Prices in the viewer's display currency: FX conversion, fixed prices, stale rates."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date

from app.extensions import db
from app.models import utcnow
from app.money import Money
from app.services.catalog import products as catalog
from app.services.catalog import reads as catalog_reads
from app.services.fx import conversion as fx
from tests.catalog_factories import make_shop
from tests.conftest import csrf_from
from tests.notes_factories import QueryCounter

ECB_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-sample.xml"


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",))


def choose(client, **prefs):
    token = csrf_from(client.get("/shop").get_data(as_text=True))
    assert client.post("/preferences", data={**prefs, "csrf_token": token}).status_code == 303


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shown_price(html: str) -> str:
    return re.search(r'<span class="price" data-price>([^<]+)</span>', html).group(1)


def price_note(html: str) -> str | None:
    match = re.search(r'data-testid="price-note">([^<]+)</p>', html)
    return " ".join(match.group(1).split()) if match else None


def tee(shop, **fields):
    return shop.add_product(skus=("TEE-S", "TEE-M"), price="19.99",
                            stock={"TEE-S": {shop.us: 5}}, **fields)


def test_prices_are_converted_to_the_display_currency(client, shop, admin):
    # 19.99 USD x 150 x 1.015 (conversion fee) = 3043.4775 -> 3043 JPY (no minor unit).
    rate = fx.set_manual_rate(admin, "USD", "JPY", "150")
    product = tee(shop)
    db.session.commit()
    choose(client, currency="JPY")
    html = page(client, f"/products/{product.id}")
    assert shown_price(html) == "JP¥3,043"
    assert price_note(html).startswith("Converted from $19.99 at the exchange rate of " +
                                       format_date(rate.as_of, "medium", locale="en"))
    listing = page(client, "/shop")
    assert "JP¥3,043" in listing and "$19.99" not in listing

    body = client.get(f"/api/v1/products/{product.id}?currency=JPY").get_json()
    assert [v["price"] for v in body["variants"]] == [{"amount": "3043", "currency": "JPY"}] * 2
    assert [v["price_is_converted"] for v in body["variants"]] == [True, True]
    assert [v["price_is_fixed"] for v in body["variants"]] == [False, False]


def test_compare_at_prices_are_converted_with_the_same_rate(client, shop, admin):
    fx.set_manual_rate(admin, "USD", "EUR", "0.5")
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": "Sale tee", "hs_code": "610910", "status": "active",
        "variants": [{"sku": "SALE-1", "price": "10.00", "compare_at_price": "20.00"}]})
    db.session.commit()
    offer = catalog_reads.product_offer(product, currency="EUR")
    # x 0.5 x 1.015: 10.00 -> 5.075 -> 5.08 (half to even at the cent), 20.00 -> 10.15.
    assert offer.variants[0].price == Money(508, "EUR")
    assert offer.variants[0].compare_at == Money(1015, "EUR")
    choose(client, currency="EUR")
    assert re.search(r'data-compare-at>€10.15</s>', page(client, f"/products/{product.id}"))


def test_a_fixed_price_wins_over_conversion(client, shop, admin):
    fx.set_manual_rate(admin, "USD", "JPY", "150")
    product = tee(shop)
    small = next(v for v in product.variants if v.sku == "TEE-S")
    catalog.set_fixed_price(shop.owner, shop.store.id, small.id, "JPY", "2500")
    db.session.commit()
    choose(client, currency="JPY")
    html = page(client, f"/products/{product.id}")
    assert shown_price(html) == "JP¥2,500" and price_note(html) is None
    body = client.get(f"/api/v1/products/{product.id}?currency=JPY").get_json()
    prices = {v["sku"]: (v["price"], v["price_is_fixed"], v["price_is_converted"])
              for v in body["variants"]}
    assert prices == {"TEE-S": ({"amount": "2500", "currency": "JPY"}, True, False),
                      "TEE-M": ({"amount": "3043", "currency": "JPY"}, False, True)}


def test_a_stale_rate_falls_back_to_the_store_currency(client, shop, admin):
    snapshot = fx.set_manual_rate(admin, "USD", "JPY", "150")
    snapshot.as_of = utcnow() - timedelta(days=10)
    product = tee(shop)
    db.session.commit()
    choose(client, currency="JPY")
    html = page(client, f"/products/{product.id}")
    assert shown_price(html) == "$19.99"
    assert price_note(html) == ("Prices in JPY are unavailable right now, so this store’s "
                                "prices are shown in USD.")
    body = client.get(f"/api/v1/products/{product.id}?currency=JPY").get_json()
    assert body["variants"][0]["price"] == {"amount": "19.99", "currency": "USD"}
    assert body["variants"][0]["price_is_converted"] is False


def test_a_missing_rate_falls_back_too(client, shop):
    product = tee(shop)
    choose(client, currency="GBP")
    html = page(client, f"/products/{product.id}")
    assert shown_price(html) == "$19.99" and "Prices in GBP are unavailable" in price_note(html)


def test_ecb_cross_rates_convert_between_two_non_euro_currencies(shop, app):
    snapshot = fx.import_ecb_rates(ECB_SAMPLE.read_bytes())
    product = tee(shop)
    # Priced as of the snapshot's day, so the test does not age with the sample file.
    offer = catalog_reads.product_offer(product, currency="JPY", now=snapshot.as_of)
    locked = fx.lock_rate("USD", "JPY", now=snapshot.as_of)
    assert offer.variants[0].rate == locked and locked.source == "ecb"
    assert offer.variants[0].price == fx.convert(Money(1999, "USD"), locked)
    assert offer.variants[0].price.currency == "JPY"


def test_one_rate_lookup_per_currency_pair_not_per_variant(shop, admin):
    fx.set_manual_rate(admin, "USD", "JPY", "150")
    few = [tee(shop, title="One")]
    many = few + [shop.add_product(skus=tuple(f"X{n}-{i}" for i in range(6)), title=f"P{n}")
                  for n in range(5)]
    counts = []
    for products in (few, many):
        loaded = [catalog_reads.get_public_product(p.id) for p in products]
        with QueryCounter(cold=True) as queries:
            offers = catalog_reads.product_offers(loaded, currency="JPY", country="US")
        assert all(v.price.currency == "JPY" for o in offers for v in o.variants)
        counts.append(queries.count)
    assert counts[0] == counts[1]
