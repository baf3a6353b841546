"""The merchant's order page: ship items, see the shipments, add a leg."""

from __future__ import annotations

from app.services import inventory
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]


def page_url(paid):
    return f"/merchant/stores/{paid.order.store_id}/orders/{paid.order.id}"


def ship_data(paid, quantity, **changes):
    line = paid.order.lines[0]
    return {"warehouse_id": str(paid.shop.warehouse.id), "carrier": "yunexpress",
            "tracking_number": yunexpress_number(), f"ship-{line.id}": str(quantity),
            "weight_grams": "450", **changes}


def test_the_form_offers_warehouses_carriers_and_remaining_units(client, login,
                                                                 make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    html = client.get(page_url(paid)).get_data(as_text=True)
    assert 'data-testid="ship-form"' in html
    assert f'<option selected value="{paid.shop.warehouse.id}">Main</option>' in html
    assert "YunExpress" in html and "YT" in html  # the carrier and its number format
    assert f'name="ship-{paid.order.lines[0].id}" min="0" max="3" value="3"' in html


def test_shipping_redirects_with_a_flash_and_lists_the_shipment(client, login, post_form,
                                                                make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    data = ship_data(paid, 2)
    response = post_form(page_url(paid) + "/shipments", data, page=page_url(paid))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert data["tracking_number"] in html and "Shipped with" in html
    assert 'data-testid="shipment-row"' in html
    assert f"tracking_number={data['tracking_number']}" in html  # customs documents
    assert paid.order.status == "partially_shipped"
    assert inventory.check_ledger() == []


def test_errors_appear_next_to_their_fields(client, login, post_form, make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    response = post_form(page_url(paid) + "/shipments",
                         ship_data(paid, 5, tracking_number="YT12"), page=page_url(paid))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The number's error sits in its field, the quantity's in the line's row.
    number_field = html.split('name="tracking_number"')[1].split('</div>')[0]
    assert "not a YunExpress tracking number" in number_field
    assert 'data-testid="ship-line-error"' in html and "Only 3" in html
    assert inventory.order_holds(paid.order.id) != {}


def test_add_leg_from_the_page(client, login, post_form, make_held_order):
    paid = make_held_order(quantities=(1,))
    login(paid.shop.staff)
    post_form(page_url(paid) + "/shipments", ship_data(paid, 1), page=page_url(paid))
    shipment = paid.order.shipments[0]
    number = yunexpress_number()
    response = post_form(page_url(paid) + f"/shipments/{shipment.id}/legs",
                         {"kind": "last_mile", "carrier": "yunexpress",
                          "tracking_number": number}, page=page_url(paid), follow=True)
    html = response.get_data(as_text=True)
    assert "Leg added." in html and number in html and "Last mile" in html
    bad = post_form(page_url(paid) + f"/shipments/{shipment.id}/legs",
                    {"kind": "last_mile", "carrier": "yunexpress", "tracking_number": "x"},
                    page=page_url(paid))
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)


def test_another_store_cannot_ship(client, login, post_form, make_held_order,
                                   make_checkout_shop):
    paid = make_held_order()
    stranger = make_checkout_shop()
    login(stranger.owner)
    assert client.get(page_url(paid)).status_code == 404


def test_a_chinese_merchant_reads_the_errors_in_chinese(client, login, post_form,
                                                         make_held_order):
    paid = make_held_order(quantities=(3,))
    paid.shop.staff.locale = "zh"
    login(paid.shop.staff)
    response = post_form(page_url(paid) + "/shipments",
                         ship_data(paid, 5, tracking_number="YT12"), page=page_url(paid))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "不是 云途物流 的运单号" in html and "YT 加 16 位数字" in html
    assert "只剩 3 件待发货" in html
    assert "not a YunExpress tracking number" not in html and "left to ship" not in html
