"""Quote API: the landed-cost breakdown, the rate object, errors per field, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Quote, utcnow
from app.services.checkout import quotes
from app.services.inventory import available, reserve_stock

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shopper(make_user):
    return make_user()


@pytest.fixture
def headers(shopper, api_token):
    return api_token(shopper)


@pytest.fixture
def shops(make_checkout_shop, fx_snapshot, market_rules):
    return (make_checkout_shop("USD", "US", price="25", stock=10),
            make_checkout_shop("CNY", "CN", price="88", stock=10))


def add(client, headers, variant, quantity=1):
    response = client.post("/api/v1/cart/items", headers=headers,
                           json={"variant_id": variant.id, "quantity": quantity})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def quote(client, headers, currency="JPY", address=None, **extra):
    return client.post("/api/v1/checkout/quotes", headers=headers, json={
        "currency": currency, "shipping_address": address, **extra})


def error_of(response) -> dict:
    return response.get_json()["error"]


def test_a_quote_shows_the_landed_cost_per_store(client, headers, shops, checkout_address):
    us, cn = shops
    add(client, headers, us.variants[0], 2)
    add(client, headers, cn.variants[0], 1)
    response = quote(client, headers, "JPY", checkout_address("JP"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["currency"] == "JPY" and body["state"] == "open"
    assert body["reference"].startswith("QX-")
    assert [g["store_id"] for g in body["groups"]] == [us.store.id, cn.store.id]
    first = body["groups"][0]
    assert first["items"][0]["unit_price"] == {"amount": "3799", "currency": "JPY"}
    assert first["items"][0]["unit_price_store"] == {"amount": "25.00", "currency": "USD"}
    assert first["shipping"] == {"amount": "2279", "currency": "JPY"}  # 15 USD, 400 g
    assert first["delivery_estimate"] == {"min_days": 7, "max_days": 14}
    assert first["collected_at_checkout"] is False  # Japan: due on delivery
    assert {"duties", "taxes", "total", "market_rule"} <= set(first)
    total = sum(int(g["total"]["amount"]) for g in body["groups"])
    assert body["total"] == {"amount": str(total), "currency": "JPY"}
    rates = {r["from"]: r for r in body["fx_rate"]["rates"]}
    assert set(rates) == {"USD", "CNY"} and rates["USD"]["to"] == "JPY"
    assert rates["USD"]["source"] == "ecb" and rates["USD"]["as_of"] == body["fx_rate"]["as_of"]
    assert rates["USD"]["rate"] != rates["USD"]["mid_rate"]  # the fee is included
    expires = body["expires_at"]
    assert expires.endswith("+00:00")

    again = client.get(f"/api/v1/checkout/quotes/{body['id']}", headers=headers)
    assert again.status_code == 200 and again.get_json()["total"] == body["total"]


def test_ddp_destinations_charge_duties_and_taxes_now(client, headers, shops,
                                                      checkout_address):
    add(client, headers, shops[0].variants[0], 1)
    body = quote(client, headers, "GBP", checkout_address("GB")).get_json()
    group = body["groups"][0]
    assert group["collected_at_checkout"] is True
    assert body["taxes"] == group["taxes"] and body["due_on_delivery"]["amount"] == "0.00"
    parts = ("items_total", "shipping", "duties", "taxes")
    assert sum(int(group[p]["amount"].replace(".", "")) for p in parts) == \
        int(body["total"]["amount"].replace(".", ""))


def test_address_errors_are_named_field_by_field(client, headers, shops, checkout_address):
    add(client, headers, shops[0].variants[0], 1)
    response = quote(client, headers, "USD", checkout_address("US", postal_code="", region="",
                                                               name=""))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_address"
    assert set(error["fields"]) == {"shipping_address.postal_code",
                                    "shipping_address.region", "shipping_address.name"}
    missing = quote(client, headers, "USD", None)
    assert error_of(missing)["fields"] == {"shipping_address": ["Send the address as an object."]}


def test_unsupported_currency_and_tampered_totals(client, headers, shops, checkout_address):
    add(client, headers, shops[0].variants[0], 1)
    response = quote(client, headers, "BTC", checkout_address("US"))
    assert response.status_code == 422 and error_of(response)["code"] == "unsupported_currency"
    tampered = quote(client, headers, "USD", checkout_address("US"),
                     total={"amount": "0.01", "currency": "USD"})
    assert tampered.status_code == 422
    assert error_of(tampered)["code"] == "client_amount_refused"
    assert db.session.scalar(select(func.count()).select_from(Quote)) == 0


def test_a_stale_rate_is_a_clear_409(client, headers, shops, fx_snapshot, checkout_address):
    add(client, headers, shops[0].variants[0], 1)
    fx_snapshot.as_of = utcnow() - timedelta(days=7)
    db.session.commit()
    response = quote(client, headers, "JPY", checkout_address("JP"))
    assert response.status_code == 409
    assert error_of(response)["code"] == "stale_rate"
    assert "JPY" in error_of(response)["fields"]["currency"][0]
    assert quote(client, headers, "USD", checkout_address("US")).status_code == 201


def test_stock_and_restriction_errors(client, headers, shops, make_user, make_checkout_shop,
                                      checkout_address):
    cart = add(client, headers, shops[0].variants[0], 3)
    reserve_stock(make_user(), shops[0].variants[0].id, 9, owner_type="test", owner_id="t")
    db.session.commit()
    short = quote(client, headers, "USD", checkout_address("US"))
    assert short.status_code == 409 and error_of(short)["code"] == "insufficient_stock"
    assert list(error_of(short)["fields"]) == [f"items.{cart['items'][0]['id']}.quantity"]

    restricted = make_checkout_shop("USD", "US", restricted_countries=["JP"])
    add(client, headers, restricted.variants[0], 1)
    response = quote(client, headers, "JPY", checkout_address("JP"))
    assert response.status_code == 422
    assert error_of(response)["code"] == "restricted_destination"


def test_an_empty_cart_is_a_specific_error(client, headers, fx_snapshot, checkout_address):
    response = quote(client, headers, "USD", checkout_address("US"))
    assert response.status_code == 422 and error_of(response)["code"] == "empty_cart"


def test_posting_twice_with_a_key_makes_one_quote(client, headers, shops, checkout_address):
    add(client, headers, shops[0].variants[0], 2)
    keyed = {**headers, "Idempotency-Key": "quote-1"}
    body = {"currency": "USD", "shipping_address": checkout_address("US")}
    first = client.post("/api/v1/checkout/quotes", headers=keyed, json=body)
    second = client.post("/api/v1/checkout/quotes", headers=keyed, json=body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(Quote)) == 1
    assert available(shops[0].variants[0].id) == 8


def test_someone_elses_quote_answers_404(client, headers, shops, make_user, make_quote):
    theirs = make_quote(make_user(), [(shops[0].variants[0], 1)], currency="USD",
                        country="US")
    assert client.get(f"/api/v1/checkout/quotes/{theirs.id}", headers=headers).status_code \
        == 404


def test_an_expired_quote_reads_expired_and_the_expiry_job_frees_its_stock(
        client, headers, shopper, shops, make_quote):
    mine = make_quote(shopper, [(shops[0].variants[0], 4)], currency="USD", country="US")
    mine.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    body = client.get(f"/api/v1/checkout/quotes/{mine.id}", headers=headers).get_json()
    assert body["state"] == "expired"
    assert available(shops[0].variants[0].id) == 6  # a GET writes nothing
    assert quotes.expire_quotes() == 1
    assert available(shops[0].variants[0].id) == 10


def test_a_group_says_which_allowance_applied(client, headers, make_checkout_shop, fx_snapshot,
                                              market_rules, checkout_address):
    shop = make_checkout_shop("USD", "US", price="200", stock=5)  # over Japan's exemption
    add(client, headers, shop.variants[0], 1)
    body = quote(client, headers, "JPY", checkout_address("JP")).get_json()
    allowance = body["groups"][0]["allowance"]
    assert allowance["code"] == "over_allowance"
    assert allowance["threshold"] == {"amount": "10000", "currency": "JPY"}
    assert allowance["goods"]["currency"] == "JPY" and int(allowance["goods"]["amount"]) > 10000
    assert allowance["description"].startswith("No exemption: the goods (JP¥")
    assert "JP¥10,000 allowance, so duty and import tax apply." in allowance["description"]


def test_a_quote_older_than_the_allowance_record_says_what_is_due(
        client, headers, shops, checkout_address):
    us, _ = shops
    add(client, headers, us.variants[0], 1)
    made = quote(client, headers, "JPY", checkout_address("JP")).get_json()
    group = db.session.get(Quote, made["id"]).groups[0]
    group.assessment = {key: value for key, value in group.assessment.items()
                        if key != "relief"}
    db.session.flush()
    body = client.get(f"/api/v1/checkout/quotes/{made['id']}", headers=headers).get_json()
    allowance = body["groups"][0]["allowance"]
    due = group.duties_minor + group.taxes_minor
    assert allowance == {"code": "not_recorded", "threshold": None, "goods": None,
                         "preference": None,
                         "description": "No duty or import tax is due on this parcel."
                         if due == 0 else "Duty and import tax apply to this parcel."}
