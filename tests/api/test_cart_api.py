"""Cart API: add, change and remove items; availability and restriction flags; privacy."""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", price="19.99", stock=5)


@pytest.fixture
def shopper(make_user):
    return make_user()


@pytest.fixture
def headers(shopper, api_token):
    return api_token(shopper)


def error_of(response) -> dict:
    return response.get_json()["error"]


def test_the_cart_starts_empty_and_needs_a_token(client, headers):
    assert client.get("/api/v1/cart").status_code == 401
    body = client.get("/api/v1/cart?currency=USD&country=US", headers=headers).get_json()
    assert body == {"items": [], "currency": "USD", "country": "US", "subtotals": [],
                    "item_count": 0, "can_check_out": False}


def test_add_change_and_remove_an_item(client, headers, shop, fx_snapshot):
    variant = shop.variants[0]
    response = client.post("/api/v1/cart/items?currency=JPY&country=JP", headers=headers,
                           json={"variant_id": variant.id, "quantity": 2})
    assert response.status_code == 201
    item = response.get_json()["items"][0]
    assert {k: item[k] for k in ("variant_id", "store_id", "sku", "quantity",
                                 "available_quantity", "restricted", "available")} == {
        "variant_id": variant.id, "store_id": shop.store.id, "sku": variant.sku,
        "quantity": 2, "available_quantity": 5, "restricted": False, "available": True}
    # 19.99 USD in JPY at the sample's rate with the 1.5 % fee: 3037 JPY, no decimals.
    assert item["unit_price"] == {"amount": "3037", "currency": "JPY"}
    assert item["line_total"] == {"amount": "6074", "currency": "JPY"}

    url = f"/api/v1/cart/items/{item['id']}"
    patched = client.patch(url + "?currency=USD&country=US", headers=headers,
                           json={"quantity": 4})
    assert patched.status_code == 200
    assert patched.get_json()["items"][0]["line_total"] == {"amount": "79.96",
                                                            "currency": "USD"}
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get("/api/v1/cart", headers=headers).get_json()["items"] == []


def test_quantities_beyond_stock_answer_409(client, headers, shop):
    response = client.post("/api/v1/cart/items", headers=headers,
                           json={"variant_id": shop.variants[0].id, "quantity": 6})
    assert response.status_code == 409
    assert error_of(response)["code"] == "insufficient_stock"
    assert error_of(response)["fields"] == {"quantity": ["Only 5 available."]}


@pytest.mark.parametrize(("body", "field"), [
    ({"quantity": 1}, "variant_id"),
    ({"variant_id": "7", "quantity": 1}, "variant_id"),
    ({"variant_id": 1, "quantity": 0}, "quantity"),
    ({"variant_id": 1, "quantity": 1.5}, "quantity"),
])
def test_bad_bodies_name_the_field(client, headers, shop, body, field):
    body = {**body, "variant_id": shop.variants[0].id} if body.get("variant_id") == 1 \
        else body
    response = client.post("/api/v1/cart/items", headers=headers, json=body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_price_sent_by_the_client_is_refused(client, headers, shop):
    response = client.post("/api/v1/cart/items", headers=headers, json={
        "variant_id": shop.variants[0].id, "quantity": 1,
        "price": {"amount": "0.01", "currency": "USD"}})
    assert response.status_code == 422
    assert error_of(response)["code"] == "client_amount_refused"
    assert "price" in error_of(response)["fields"]


def test_restricted_items_are_flagged_for_the_ship_to_country(client, headers,
                                                              make_checkout_shop, fx_snapshot):
    shop = make_checkout_shop("USD", "US", restricted_countries=["CN"])
    client.post("/api/v1/cart/items", headers=headers,
                json={"variant_id": shop.variants[0].id})
    to_cn = client.get("/api/v1/cart?currency=CNY&country=CN", headers=headers).get_json()
    assert (to_cn["items"][0]["restricted"], to_cn["items"][0]["available"],
            to_cn["items"][0]["available_quantity"], to_cn["can_check_out"]) == (
        True, False, 0, False)
    to_us = client.get("/api/v1/cart?currency=USD&country=US", headers=headers).get_json()
    assert (to_us["items"][0]["restricted"], to_us["can_check_out"]) == (False, True)


def test_the_users_preferences_are_the_default_viewer(client, shopper, headers, shop,
                                                      fx_snapshot):
    shopper.currency, shopper.ship_to_country = "GBP", "GB"
    client.post("/api/v1/cart/items", headers=headers,
                json={"variant_id": shop.variants[0].id})
    body = client.get("/api/v1/cart", headers=headers).get_json()
    assert (body["currency"], body["country"]) == ("GBP", "GB")
    assert body["items"][0]["unit_price"]["currency"] == "GBP"


def test_another_users_item_answers_404(client, headers, shop, make_user, api_token):
    theirs = client.post("/api/v1/cart/items", headers=api_token(make_user()),
                         json={"variant_id": shop.variants[0].id}).get_json()["items"][0]
    url = f"/api/v1/cart/items/{theirs['id']}"
    assert client.patch(url, headers=headers, json={"quantity": 2}).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404


def test_adding_is_idempotent_with_a_key(client, headers, shop):
    body = {"variant_id": shop.variants[0].id, "quantity": 2}
    key = {**headers, "Idempotency-Key": "add-1"}
    first = client.post("/api/v1/cart/items", headers=key, json=body)
    again = client.post("/api/v1/cart/items", headers=key, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get("/api/v1/cart", headers=headers).get_json()["items"][0]["quantity"] == 2
    other = client.post("/api/v1/cart/items", headers=key, json={**body, "quantity": 3})
    assert other.status_code == 409 and error_of(other)["code"] == "idempotency_key_reused"
