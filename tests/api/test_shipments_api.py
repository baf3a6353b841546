"""POST shipments and legs, and the order's shipments in GET /orders/{id}."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.logistics import Shipment
from app.services import inventory
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]


def url(paid):
    return f"/api/v1/stores/{paid.order.store_id}/orders/{paid.order.id}/shipments"


def body(paid, quantity=None, **changes):
    line = paid.order.lines[0]
    return {"warehouse_id": paid.shop.warehouse.id, "carrier": "yunexpress",
            "tracking_number": yunexpress_number(),
            "lines": [{"order_line_id": line.id,
                       "quantity": line.quantity if quantity is None else quantity}],
            **changes}


def test_staff_ship_and_get_201_with_the_shipment(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    sent = body(paid, 2, weight_grams=500)
    response = client.post(url(paid), json=sent, headers=api_token(paid.shop.staff))
    assert response.status_code == 201, response.get_json()
    shipment = response.get_json()
    assert shipment["status"] == "pending" and shipment["carrier"] == "yunexpress"
    assert shipment["tracking_number"] == sent["tracking_number"]
    assert sent["tracking_number"] in shipment["tracking_url"]
    assert shipment["lines"] == [{"order_line_id": paid.order.lines[0].id, "quantity": 2}]
    order = client.get(f"/api/v1/orders/{paid.order.id}",
                       headers=api_token(paid.shopper)).get_json()
    assert order["status"] == "partially_shipped"
    assert order["shipments"] == [{"id": shipment["id"], "status": "pending"}]
    store_order = client.get(f"/api/v1/stores/{paid.order.store_id}/orders/{paid.order.id}",
                             headers=api_token(paid.shop.staff)).get_json()
    assert store_order["shipments"] == [{"id": shipment["id"], "status": "pending"}]


def test_422_codes(client, api_token, make_held_order, second_warehouse):
    paid = make_held_order(quantities=(3,))
    headers = api_token(paid.shop.staff)
    bad_number = client.post(url(paid), json=body(paid, tracking_number="YT12"),
                             headers=headers)
    assert bad_number.status_code == 422
    error = bad_number.get_json()["error"]
    assert error["code"] == "invalid_tracking_number" and "tracking_number" in error["fields"]
    too_many = client.post(url(paid), json=body(paid, 4), headers=headers)
    assert too_many.status_code == 422
    error = too_many.get_json()["error"]
    assert error["code"] == "ship_quantity_exceeded"
    assert list(error["fields"]) == ["lines.0.quantity"]
    empty = second_warehouse(paid.shop)
    no_stock = client.post(url(paid), json=body(paid, warehouse_id=empty.id), headers=headers)
    assert no_stock.status_code == 422
    error = no_stock.get_json()["error"]
    assert error["code"] == "insufficient_stock" and "Second" in error["message"]
    assert db.session.scalar(select(func.count(Shipment.id))) == 0
    assert inventory.check_ledger() == []


def test_another_stores_order_and_shoppers_get_404(client, api_token, make_held_order,
                                                   make_checkout_shop):
    paid = make_held_order()
    stranger = make_checkout_shop()
    other_store = f"/api/v1/stores/{stranger.store.id}/orders/{paid.order.id}/shipments"
    assert client.post(other_store, json=body(paid),
                       headers=api_token(stranger.owner)).status_code == 404
    assert client.post(url(paid), json=body(paid),
                       headers=api_token(paid.shopper)).status_code == 404


def test_idempotency_key_replays_the_first_shipment(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    headers = {**api_token(paid.shop.staff), "Idempotency-Key": "ship-1"}
    sent = body(paid, 1)
    first = client.post(url(paid), json=sent, headers=headers)
    again = client.post(url(paid), json=sent, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert db.session.scalar(select(func.count(Shipment.id))) == 1


def test_number_in_use_is_409(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    headers = api_token(paid.shop.staff)
    sent = body(paid, 1)
    assert client.post(url(paid), json=sent, headers=headers).status_code == 201
    clash = client.post(url(paid), json=sent, headers=headers)
    assert clash.status_code == 409
    assert clash.get_json()["error"]["code"] == "tracking_number_taken"


def test_add_leg(client, api_token, make_held_order):
    paid = make_held_order()
    headers = api_token(paid.shop.staff)
    shipment = client.post(url(paid), json=body(paid), headers=headers).get_json()
    number = yunexpress_number()
    leg = client.post(f"/api/v1/shipments/{shipment['id']}/legs",
                      json={"kind": "last_mile", "carrier": "yunexpress",
                            "tracking_number": number}, headers=headers)
    assert leg.status_code == 201, leg.get_json()
    assert leg.get_json()["position"] == 0 and leg.get_json()["tracking_number"] == number
    journey = client.get(f"/api/v1/shipments/{shipment['id']}", headers=headers).get_json()
    assert [lg["kind"] for lg in journey["legs"]] == ["last_mile"]
    bad = client.post(f"/api/v1/shipments/{shipment['id']}/legs",
                      json={"kind": "teleport", "carrier": "yunexpress",
                            "tracking_number": yunexpress_number()}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_leg_kind"
    assert client.post(f"/api/v1/shipments/{shipment['id']}/legs",
                       json={"kind": "customs", "carrier": "yunexpress",
                             "tracking_number": yunexpress_number()},
                       headers=api_token(paid.shopper)).status_code == 404
