"""POST /api/v1/checkout/quotes/{id}/payment and the orders API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Quote
from app.services.payments import quote_payments as payments
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def setup(stripe_sandbox, make_checkout_shop, make_user, make_quote, api_token):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    user = make_user()
    quote = make_quote(user, [(shop.variants[0], 2)], currency="JPY", country="JP")
    return shop, user, quote, api_token(user)


def test_payment_is_created_once(client, setup, stripe_sandbox):
    _shop, _user, quote, headers = setup
    url = f"/api/v1/checkout/quotes/{quote.id}/payment"
    first = client.post(url, headers=headers)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["amount"] == {"amount": str(quote.total_minor), "currency": "JPY"}
    assert body["client_secret"].startswith(body["payment_intent_id"])
    second = client.post(url, headers=headers)
    assert second.status_code == 201
    assert second.get_json()["payment_intent_id"] == body["payment_intent_id"]
    keyed = client.post(url, headers={**headers, "Idempotency-Key": "pay-1"})
    replay = client.post(url, headers={**headers, "Idempotency-Key": "pay-1"})
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert keyed.get_json()["payment_intent_id"] == replay.get_json()["payment_intent_id"] \
        == body["payment_intent_id"]
    assert len(stripe_sandbox.proxy.keys_for("/v1/payment_intents")) == 1


def test_expired_quote_is_409(client, setup):
    _shop, _user, quote, headers = setup
    quote = db.session.get(Quote, quote.id)
    quote.expires_at = quote.expires_at - timedelta(hours=1)
    db.session.commit()
    response = client.post(f"/api/v1/checkout/quotes/{quote.id}/payment", headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "quote_expired"
    again = client.post(f"/api/v1/checkout/quotes/{quote.id}/payment",
                        headers={**headers, "Idempotency-Key": "late"})
    assert again.status_code == 409


def test_someone_elses_quote_is_404(client, setup, make_user, api_token):
    _shop, _user, quote, _headers = setup
    response = client.post(f"/api/v1/checkout/quotes/{quote.id}/payment",
                           headers=api_token(make_user()))
    assert response.status_code == 404


def test_orders_api_after_payment(client, setup, stripe_sandbox, make_user, api_token):
    shop, user, quote, headers = setup
    client.post(f"/api/v1/checkout/quotes/{quote.id}/payment", headers=headers)
    payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(), links=site_links)
    db.session.commit()
    listing = client.get("/api/v1/orders", headers=headers).get_json()
    [order] = listing["items"]
    assert order["status"] == "paid" and order["store_id"] == shop.store.id
    assert order["total"]["currency"] == "JPY"
    assert order["total_in_store_currency"]["currency"] == "USD"
    detail = client.get(f"/api/v1/orders/{order['id']}", headers=headers).get_json()
    assert detail["lines"][0]["quantity"] == 2 and detail["fx_rate"] == order["fx_rate"]
    assert client.get(f"/api/v1/orders/{order['id']}",
                      headers=api_token(make_user())).status_code == 404

    merchant = api_token(shop.owner)
    queue = client.get(f"/api/v1/stores/{shop.store.id}/orders?status=paid",
                       headers=merchant).get_json()
    assert [o["id"] for o in queue["items"]] == [order["id"]]
    assert "merchant_net" in queue["items"][0]
    empty = client.get(f"/api/v1/stores/{shop.store.id}/orders?status=refunded",
                       headers=merchant).get_json()
    assert empty["items"] == []
    assert client.get(f"/api/v1/stores/{shop.store.id}/orders",
                      headers=headers).status_code == 404

    refund_url = f"/api/v1/stores/{shop.store.id}/orders/{order['id']}/refunds"
    too_much = client.post(refund_url, headers=merchant, json={
        "amount": {"amount": str(quote.total_minor + 1), "currency": "JPY"}})
    assert too_much.status_code == 422
    assert too_much.get_json()["error"]["code"] == "refund_exceeds_captured"
    line_id = detail["lines"][0]["id"]
    body = {"lines": [{"order_line_id": line_id, "quantity": 1}], "shipping": False,
            "restock": True}
    made = client.post(refund_url, headers={**merchant, "Idempotency-Key": "r-1"}, json=body)
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["state"] == "succeeded"
    replay = client.post(refund_url, headers={**merchant, "Idempotency-Key": "r-1"}, json=body)
    assert replay.get_json()["id"] == made.get_json()["id"]
    assert len(stripe_sandbox.proxy.keys_for("/v1/refunds")) == 1
    assert client.get(f"/api/v1/orders/{order['id']}",
                      headers=headers).get_json()["status"] == "partially_refunded"


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/checkout/quotes/{quote_id}/payment", "/api/v1/webhooks/stripe",
                 "/api/v1/orders", "/api/v1/orders/{order_id}",
                 "/api/v1/stores/{store_id}/orders",
                 "/api/v1/stores/{store_id}/orders/{order_id}/refunds"):
        assert path in paths, path
