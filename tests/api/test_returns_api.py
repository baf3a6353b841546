"""The returns endpoints: ask, list, parcel, approve, refuse, receive; codes and 404s."""

from __future__ import annotations

from app.extensions import db
from app.models import ReturnRequest
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.shipment_factories", "tests.returns_factories"]


def ask(client, api_token, delivered, quantity=1):
    line = delivered.order.lines[0]
    return client.post(f"/api/v1/orders/{delivered.order.id}/returns",
                       json={"lines": [{"order_line_id": line.id, "quantity": quantity}],
                             "reason": "damaged", "comment": "Cracked lid"},
                       headers=api_token(delivered.shopper))


def store_url(delivered, return_id, step):
    return f"/api/v1/stores/{delivered.shop.store.id}/returns/{return_id}/{step}"


def test_the_whole_return_through_the_api(client, api_token, stripe_sandbox,
                                          make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    made = ask(client, api_token, delivered)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "requested" and body["comment"] == "Cracked lid"
    assert body["lines"][0]["quantity"] == 1 and body["parcel"] is None
    listed = client.get(f"/api/v1/orders/{delivered.order.id}/returns",
                        headers=api_token(delivered.shopper)).get_json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    staff = api_token(delivered.shop.staff)
    approved = client.post(store_url(delivered, body["id"], "approve"), headers=staff)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    number = yunexpress_number()
    parcel = client.post(f"/api/v1/returns/{body['id']}/parcel",
                         json={"carrier": "yunexpress", "tracking_number": number},
                         headers=api_token(delivered.shopper))
    assert parcel.status_code == 201, parcel.get_json()
    assert parcel.get_json()["status"] == "in_transit"
    assert parcel.get_json()["parcel"]["tracking_number"] == number
    # Receiving refunds, so it needs a store admin; staff get 403/404 and nothing moves.
    assert client.post(store_url(delivered, body["id"], "receive"),
                       headers=staff).status_code in (403, 404)
    owner = api_token(delivered.shop.owner)
    received = client.post(store_url(delivered, body["id"], "receive"), headers=owner)
    assert received.status_code == 200, received.get_json()
    result = received.get_json()
    assert result["status"] == "refunded" and result["refund"]["state"] == "succeeded"
    assert result["refund"]["amount"]["currency"] == "EUR"
    assert result["lines"][0]["restocked_quantity"] == 1
    again = client.post(store_url(delivered, body["id"], "receive"), headers=owner)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_return_transition"
    seen = client.get(f"/api/v1/returns/{body['id']}", headers=staff).get_json()
    assert seen["status"] == "refunded"
    stores = client.get(f"/api/v1/stores/{delivered.shop.store.id}/returns?status=refunded",
                        headers=staff).get_json()
    assert [r["id"] for r in stores["items"]] == [body["id"]]


def test_specific_errors_and_nothing_written(client, api_token, make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    too_many = ask(client, api_token, delivered, quantity=3)
    assert too_many.status_code == 422
    error = too_many.get_json()["error"]
    assert error["code"] == "return_quantity_exceeded"
    assert list(error["fields"]) == ["lines.0.quantity"]
    delivered.shop.store.return_window_days = 1
    db.session.commit()
    late = ask(client, api_token, delivered)
    assert late.status_code == 422
    assert late.get_json()["error"]["code"] == "return_window_closed"
    delivered.shop.store.return_window_days = 30
    db.session.commit()
    bad_reason = client.post(f"/api/v1/orders/{delivered.order.id}/returns",
                             json={"lines": [{"order_line_id": delivered.order.lines[0].id,
                                              "quantity": 1}], "reason": "meh"},
                             headers=api_token(delivered.shopper))
    assert bad_reason.status_code == 422
    assert bad_reason.get_json()["error"]["code"] == "invalid_return_reason"
    assert db.session.query(ReturnRequest).count() == 0
    undelivered = make_delivered_order(days_ago=None)
    early = ask(client, api_token, undelivered)
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "not_returnable"


def test_refusal_needs_a_reason_and_a_bad_parcel_number_is_refused(client, api_token,
                                                                   make_delivered_order):
    delivered = make_delivered_order()
    made = ask(client, api_token, delivered).get_json()
    staff = api_token(delivered.shop.staff)
    blank = client.post(store_url(delivered, made["id"], "refuse"), json={"reason": ""},
                        headers=staff)
    assert blank.status_code == 422 and "reason" in blank.get_json()["error"]["fields"]
    early_parcel = client.post(f"/api/v1/returns/{made['id']}/parcel",
                               json={"carrier": "yunexpress",
                                     "tracking_number": yunexpress_number()},
                               headers=api_token(delivered.shopper))
    assert early_parcel.status_code == 409
    client.post(store_url(delivered, made["id"], "approve"), headers=staff)
    bad = client.post(f"/api/v1/returns/{made['id']}/parcel",
                      json={"carrier": "ups", "tracking_number": "1Z999AA10123456785"},
                      headers=api_token(delivered.shopper))
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "invalid_tracking_number"


def test_other_peoples_returns_and_orders_answer_404(client, api_token, make_delivered_order,
                                                     make_user, make_checkout_shop):
    delivered = make_delivered_order()
    made = ask(client, api_token, delivered).get_json()
    stranger, other = api_token(make_user()), make_checkout_shop()
    other_staff = api_token(other.owner)
    for headers in (stranger, other_staff):
        assert client.get(f"/api/v1/returns/{made['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/orders/{delivered.order.id}/returns",
                          headers=headers).status_code == 404
    assert client.post(store_url(delivered, made["id"], "approve"),
                       headers=other_staff).status_code == 404
    assert client.post(f"/api/v1/stores/{other.store.id}/returns/{made['id']}/approve",
                       headers=other_staff).status_code == 404
    line = delivered.order.lines[0]
    taken = client.post(f"/api/v1/orders/{delivered.order.id}/returns",
                        json={"lines": [{"order_line_id": line.id, "quantity": 1}],
                              "reason": "damaged"}, headers=stranger)
    assert taken.status_code == 404


def test_the_shopper_withdraws_a_return_and_staff_cannot(client, api_token,
                                                         make_delivered_order):
    delivered = make_delivered_order(quantities=(1,))
    made = ask(client, api_token, delivered).get_json()
    staff_try = client.post(f"/api/v1/returns/{made['id']}/cancel",
                            headers=api_token(delivered.shop.staff))
    assert staff_try.status_code == 404
    cancelled = client.post(f"/api/v1/returns/{made['id']}/cancel",
                            headers=api_token(delivered.shopper))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = client.post(f"/api/v1/returns/{made['id']}/cancel",
                        headers=api_token(delivered.shopper))
    assert again.status_code == 409
    # The unit is free to be asked for again.
    assert ask(client, api_token, delivered).status_code == 201
