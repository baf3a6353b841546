"""POST /stores/{id}/shipments/bulk: a CSV of parcels, all or nothing."""

from __future__ import annotations

import io

from app.services.logistics import order_reference
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]

HEADER = "order,sku,quantity,carrier,tracking_number\n"


def url(paid, query=""):
    return f"/api/v1/stores/{paid.order.store_id}/shipments/bulk{query}"


def rows(paid, number, quantity=3):
    line = paid.order.lines[0]
    return HEADER + f"{order_reference(paid.order)},{line.sku},{quantity},yunexpress,{number}\n"


def test_a_csv_body_ships_and_answers_201(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    number = yunexpress_number()
    response = client.post(url(paid), data=rows(paid, number), content_type="text/csv",
                           headers=api_token(paid.shop.staff))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["rows"] == 1 and body["skipped"] == []
    assert [s["tracking_number"] for s in body["shipments"]] == [number]
    assert body["shipments"][0]["order_id"] == paid.order.id


def test_a_multipart_file_with_problems_answers_422_per_row(client, api_token,
                                                           make_held_order):
    paid = make_held_order(quantities=(3,))
    text = rows(paid, yunexpress_number(), quantity=4) + \
        f"{paid.order.id},{paid.order.lines[0].sku},1,china_post,RR473124828CN\n"
    response = client.post(url(paid), data={"file": (io.BytesIO(text.encode()), "a.csv")},
                           headers=api_token(paid.shop.staff))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "bulk_shipping_has_errors"
    assert set(error["fields"]) == {"rows.2.quantity", "rows.3.tracking_number"}
    assert paid.order.status == "paid"


def test_re_uploading_and_valid_only(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    other = make_held_order(quantities=(1,), shop=paid.shop)
    headers = api_token(paid.shop.staff)
    first = rows(paid, yunexpress_number())
    assert client.post(url(paid), data=first, content_type="text/csv",
                       headers=headers).status_code == 201
    again = client.post(url(paid), data=first, content_type="text/csv", headers=headers)
    assert again.status_code == 422
    assert again.get_json()["error"]["fields"]["rows.2.tracking_number"][0].startswith(
        "Already shipped")
    mixed = first + (f"{other.order.id},{other.order.lines[0].sku},1,yunexpress,"
                     f"{yunexpress_number()}\n")
    partial = client.post(url(paid, "?valid_only=true"), data=mixed, content_type="text/csv",
                          headers=headers)
    assert partial.status_code == 201
    body = partial.get_json()
    assert [s["order_id"] for s in body["shipments"]] == [other.order.id]
    assert [(p["row"], p["code"]) for p in body["skipped"]] == [(2, "already_shipped")]


def test_oversized_wrong_encoding_and_media_type(client, api_token, make_held_order):
    paid = make_held_order(quantities=(3,))
    headers = api_token(paid.shop.staff)
    big = client.post(url(paid), data=HEADER + "x,y,1,ups,z\n" * 100_000,
                      content_type="text/csv", headers=headers)
    assert big.status_code == 422
    assert big.get_json()["error"]["code"] == "file_too_large"
    utf16 = client.post(url(paid), data="order,sku\n".encode("utf-16"),
                        content_type="text/csv", headers=headers)
    assert utf16.get_json()["error"]["code"] == "undecodable_file"
    json_body = client.post(url(paid), json={"rows": []}, headers=headers)
    assert json_body.status_code == 400
    assert json_body.get_json()["error"]["code"] == "unsupported_media_type"


def test_another_stores_staff_get_404(client, api_token, make_held_order, make_user):
    paid = make_held_order(quantities=(3,))
    stranger = make_held_order(quantities=(1,))
    response = client.post(url(paid), data=rows(paid, yunexpress_number()),
                           content_type="text/csv", headers=api_token(stranger.shop.staff))
    assert response.status_code == 404
