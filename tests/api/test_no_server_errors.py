"""What fuzzing found: ids past the columns, rename clashes, odd webhooks, 405 without Allow."""

from __future__ import annotations

import base64
import json

import pytest

from app.extensions import db
from app.models import WebhookEvent

pytest_plugins = ["tests.localstripe_server"]

HUGE = 99999999999999999999
PAST_INT32 = 2**31


@pytest.mark.parametrize("path", [f"/api/v1/orders/{HUGE}", f"/api/v1/products/{HUGE}",
                                  f"/api/v1/orders/{PAST_INT32}", f"/api/v1/notes/{HUGE}",
                                  "/api/v1/products/0"])
def test_an_id_past_the_column_is_404_on_the_api(client, make_user, api_token, path):
    response = client.get(path, headers=api_token(make_user()))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_an_id_past_the_column_is_404_on_html_pages(client):
    assert client.get(f"/products/{HUGE}").status_code == 404


def test_the_openapi_document_bounds_path_ids(client):
    document = client.get("/api/v1/openapi.json").get_json()
    [param] = document["paths"]["/api/v1/orders/{order_id}"]["get"]["parameters"]
    assert param["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@pytest.mark.parametrize("value", [HUGE, PAST_INT32, -PAST_INT32])
def test_a_body_id_past_the_column_is_422_naming_it(client, make_user, api_token, value):
    response = client.post("/api/v1/cart/items", headers=api_token(make_user()),
                           json={"variant_id": value, "quantity": 1})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_id" and list(error["fields"]) == ["variant_id"]


def test_a_nested_id_past_the_column_is_422_naming_it(client, make_user, api_token):
    response = client.post("/api/v1/reports", headers=api_token(make_user()),
                           json={"target_type": "note", "target_id": HUGE, "reason": "spam",
                                 "extra": {"items": [{"product_id": -1}]}})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {
        "target_id": [f"Use an id from 1 to {2**31 - 1}."],
        "extra.items.0.product_id": [f"Use an id from 1 to {2**31 - 1}."]}


def test_a_cursor_past_the_column_is_400(client, make_user, api_token):
    cursor = base64.urlsafe_b64encode(json.dumps([HUGE]).encode()).decode().rstrip("=")
    response = client.get(f"/api/v1/orders?cursor={cursor}", headers=api_token(make_user()))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_cursor"


def test_renaming_a_board_to_a_taken_name_is_409(client, make_user, api_token):
    headers = api_token(make_user())
    client.post("/api/v1/boards", headers=headers, json={"name": "Tea"})
    other = client.post("/api/v1/boards", headers=headers, json={"name": "Cups"}).get_json()
    response = client.patch(f"/api/v1/boards/{other['id']}", headers=headers,
                            json={"name": "Tea"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "board_name_taken"
    # The failed rename left nothing half-done: the board keeps its name.
    again = client.patch(f"/api/v1/boards/{other['id']}", headers=headers,
                         json={"is_private": False})
    assert again.status_code == 200 and again.get_json()["name"] == "Cups"


def test_405_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/orders")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET"}
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    page = client.delete("/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.mark.parametrize("event", [
    {"id": "evt_1", "type": "payment_intent.succeeded", "data": []},
    {"id": "evt_2", "type": "payment_intent.succeeded", "data": {"object": "pi_1"}},
    {"id": "evt_3", "type": "payment_intent.succeeded", "data": {"object": {"id": 5}}},
    {"id": "evt_4", "type": 7, "data": {"object": {}}},
    {"id": "evt_5", "type": "x", "created": 10**20, "data": {"object": {}}},
    {"id": "e" * 300, "type": "x", "data": {"object": {}}},
])
def test_a_signed_but_malformed_stripe_event_is_400(client, stripe_sandbox, event):
    response = stripe_sandbox.deliver(client, event)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_event"
    assert db.session.query(WebhookEvent).count() == 0


def test_a_signed_event_for_an_unknown_intent_is_acknowledged(client, stripe_sandbox):
    # A 503 here made Stripe redeliver for days an event that can never succeed.
    event = {"id": "evt_unknown", "type": "payment_intent.succeeded", "created": 1700000000,
             "data": {"object": {"id": "pi_nobody_knows", "object": "payment_intent"}}}
    response = stripe_sandbox.deliver(client, event)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["outcome"] == "unknown payment intent"
    stored = db.session.query(WebhookEvent).one()
    assert stored.object_id == "pi_nobody_knows" and stored.processed_at is not None


def test_every_idempotent_endpoint_documents_its_409(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/notes", "/api/v1/notes/{note_id}/comments",
                 "/api/v1/stores/{store_id}/orders/{order_id}/refunds"):
        post = paths[path]["post"]
        assert "409" in post["responses"], path
        assert any(p["name"] == "Idempotency-Key" for p in post["parameters"]), path


def test_the_document_says_which_bodies_may_be_left_out(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/notifications/read"]["post"]["requestBody"]["required"] is False
    assert paths["/api/v1/boards"]["post"]["requestBody"]["required"] is True


def test_a_missing_body_is_refused_with_a_code(client, make_user, api_token):
    response = client.post("/api/v1/boards", headers=api_token(make_user()))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in {"unsupported_media_type", "malformed_json"}


@pytest.mark.parametrize("path", ["/api/v1/boards/2147483648", "/api/v1/cart/items/9999999999",
                                  "/api/v1/boards/٣", "/api/v1/boards/01"])
def test_an_out_of_range_id_is_404_whatever_the_method(client, make_user, api_token, path):
    # Werkzeug answered 405 when another method's rule had the same shape.
    response = client.delete(path, headers=api_token(make_user()))
    assert response.status_code == 404


def test_a_query_id_past_the_column_is_422(client, make_org, make_user, api_token):
    # Found by the fuzz test on PostgreSQL: the id reached the query and overflowed INTEGER.
    from tests.catalog_factories import make_shop

    shop = make_shop(make_org, make_user)
    response = client.get(f"/api/v1/stores/{shop.store.id}/inventory?warehouse_id={HUGE}",
                          headers=api_token(shop.owner))
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_id"
