"""The merchant's "mark shipped from a CSV" page: problems per row, then a summary."""

from __future__ import annotations

import io

from app.extensions import db
from app.services.logistics import order_reference
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]

HEADER = "order,sku,quantity,carrier,tracking_number\n"


def page_url(paid):
    return f"/merchant/stores/{paid.order.store_id}/shipments/bulk"


def upload(post_form, paid, text: str | bytes, **extra):
    data = text.encode() if isinstance(text, str) else text
    return post_form(page_url(paid), {"file": (io.BytesIO(data), "shipped.csv"), **extra},
                     page=page_url(paid))


def a_file(paid, number: str, quantity: int = 3) -> str:
    line = paid.order.lines[0]
    return HEADER + f"{order_reference(paid.order)},{line.sku},{quantity},yunexpress,{number}\n"


def test_the_shipments_list_links_to_the_page(client, login, make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    html = client.get(f"/merchant/stores/{paid.order.store_id}/shipments").get_data(
        as_text=True)
    assert f'href="{page_url(paid)}" data-testid="bulk-link"' in html


def test_a_good_file_ships_and_shows_a_summary_with_links(client, login, post_form,
                                                          make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    number = yunexpress_number()
    response = upload(post_form, paid, a_file(paid, number))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1 shipment created." in html
    assert f'/merchant/stores/{paid.order.store_id}/orders/{paid.order.id}"' in html
    assert number in html and paid.order.status == "shipped"


def test_a_file_with_problems_lists_them_and_ships_nothing(client, login, post_form,
                                                           make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    text = a_file(paid, yunexpress_number(), quantity=5) + \
        f"{paid.order.id},NOPE,1,yunexpress,{yunexpress_number()}\n"
    response = upload(post_form, paid, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "2 problems in the file: nothing was shipped." in html
    assert 'data-row="2" data-column="quantity" data-code="ship_quantity_exceeded"' in html
    assert 'data-row="3" data-column="sku" data-code="unknown_sku"' in html
    assert paid.order.status == "paid"


def test_uploading_the_same_file_twice_reports_already_shipped(client, login, post_form,
                                                               make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    text = a_file(paid, yunexpress_number())
    assert upload(post_form, paid, text).status_code == 200
    again = upload(post_form, paid, text)
    assert again.status_code == 422
    assert 'data-code="already_shipped"' in again.get_data(as_text=True)
    assert len(paid.order.shipments) == 1


def test_unreadable_and_oversized_files_say_why(client, login, post_form, make_held_order):
    paid = make_held_order(quantities=(3,))
    login(paid.shop.staff)
    wrong = upload(post_form, paid, "order,sku\n".encode("utf-16"))
    assert wrong.status_code == 422
    assert "This file is not a CSV we can read" in wrong.get_data(as_text=True)
    big = upload(post_form, paid, (HEADER + "x,y,1,ups,z\n" * 100_000).encode())
    assert big.status_code == 422
    assert "The file is larger than 1024 KB: split it into smaller files." in \
        big.get_data(as_text=True)


def test_the_page_in_chinese(client, login, make_held_order):
    paid = make_held_order(quantities=(3,))
    paid.shop.staff.locale = "zh"
    db.session.commit()
    login(paid.shop.staff)
    html = client.get(page_url(paid)).get_data(as_text=True)
    for english in ("Mark shipped from a CSV", "Check and ship", "CSV file"):
        assert f">{english}<" not in html
