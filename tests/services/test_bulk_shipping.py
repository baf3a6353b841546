"""Bulk "mark shipped" from a CSV: every row checked first, then all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models.logistics import Shipment
from app.services.errors import ValidationFailed
from app.services.logistics import bulk_shipping, order_reference
from app.web.links import site_links
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]

HEADER = "order,sku,quantity,carrier,tracking_number\n"


@pytest.fixture
def two_orders(make_held_order):
    """Two paid orders of one shop: 3 + 2 units, and 1 unit, stock held for both."""
    first = make_held_order(quantities=(3, 2))
    second = make_held_order(quantities=(1,), shop=first.shop)
    return first, second


def ship(shop, text: str | bytes, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    result = bulk_shipping.ship_from_csv(shop.staff, shop.store.id, data, links=site_links,
                                         **kwargs)
    db.session.commit()
    return result


def rejected(shop, text: str | bytes, **kwargs) -> bulk_shipping.BulkShippingRejected:
    with pytest.raises(ValidationFailed) as caught:
        ship(shop, text, **kwargs)
    db.session.rollback()
    return caught.value


def shipment_count() -> int:
    return db.session.scalar(select(func.count(Shipment.id)))


def good_file(first, second, n1: str, n2: str) -> str:
    a, b = first.order.lines
    return (HEADER
            + f"{order_reference(first.order)},{a.sku},3,yunexpress,{n1}\n"
            + f"{order_reference(first.order)},{b.sku},2,yunexpress,{n1}\n"
            + f"{second.order.id},{second.order.lines[0].sku},1,china_post,RR473124829CN\n")


def test_rows_of_one_parcel_become_one_shipment_with_several_lines(two_orders):
    first, second = two_orders
    result = ship(first.shop, good_file(first, second, yunexpress_number(), ""))
    assert len(result.shipments) == 2 and result.skipped == [] and result.rows == 3
    parcel, other = result.shipments
    assert parcel.order_id == first.order.id and len(parcel.lines) == 2
    assert other.carrier == "china_post" and other.order_id == second.order.id
    assert parcel.warehouse_id == first.shop.warehouse.id  # where the stock was held
    assert first.order.status == "shipped" and second.order.status == "shipped"


def test_a_file_mixing_good_and_bad_rows_changes_nothing_and_names_every_problem(
        two_orders, second_warehouse):
    first, second = two_orders
    empty = second_warehouse(first.shop, name="Empty shed")
    a, b = first.order.lines
    ref = order_reference(first.order)
    number = yunexpress_number()
    text = (HEADER.rstrip("\n") + ",warehouse\n"
            + f"{ref},{a.sku},3,yunexpress,{number},\n"                       # row 2: fine
            + f"NOPE-999999,{a.sku},1,yunexpress,{yunexpress_number()},\n"     # 3
            + f"{ref},NOT-A-SKU,1,yunexpress,{yunexpress_number()},\n"         # 4
            + f"{ref},{b.sku},5,yunexpress,{yunexpress_number()},\n"           # 5
            + f"{second.order.id},{second.order.lines[0].sku},1,china_post,RR473124828CN,\n"
            + f"{second.order.id},{second.order.lines[0].sku},1,pigeon_post,X1,\n"  # 7
            + f"{second.order.id},{second.order.lines[0].sku},1,yunexpress,"
              f"{yunexpress_number()},Empty shed\n"                             # 8
            + f"{second.order.id},{second.order.lines[0].sku},1,yunexpress,{number},\n")  # 9
    before = shipment_count()
    error = rejected(first.shop, text)
    assert error.code == "bulk_shipping_has_errors"
    found = {(p.row, p.column, p.code) for p in error.problems}
    assert found == {(3, "order", "unknown_order"), (4, "sku", "unknown_sku"),
                     (5, "quantity", "ship_quantity_exceeded"),
                     (6, "tracking_number", "invalid_tracking_number"),
                     (7, "carrier", "unknown_carrier"),
                     (8, "warehouse", "insufficient_stock"),
                     (9, "tracking_number", "tracking_number_taken")}
    messages = {p.row: p.message for p in error.problems}
    assert "check digit is wrong" in messages[6]
    assert f"Only 2 of {b.sku} left to ship." == messages[5]
    assert "Empty shed" in messages[8]
    assert "row 2" in messages[9]
    assert shipment_count() == before and first.order.status == "paid"
    assert empty.id  # the shed exists but holds nothing


def test_valid_only_ships_the_sound_parcels_and_lists_the_rest(two_orders):
    first, second = two_orders
    a, b = first.order.lines
    ref = order_reference(first.order)
    number = yunexpress_number()
    text = (HEADER + f"{ref},{a.sku},3,yunexpress,{number}\n"
            + f"{ref},{b.sku},9,yunexpress,{number}\n"  # sinks the whole first parcel
            + f"{second.order.id},{second.order.lines[0].sku},1,yunexpress,"
              f"{yunexpress_number()}\n")
    result = ship(first.shop, text, valid_only=True)
    assert [s.order_id for s in result.shipments] == [second.order.id]
    assert [(p.row, p.column) for p in result.skipped] == [(3, "quantity")]
    assert first.order.status == "paid"


def test_uploading_the_same_file_again_ships_nothing_twice(two_orders):
    first, second = two_orders
    text = good_file(first, second, yunexpress_number(), "")
    ship(first.shop, text)
    count = shipment_count()
    error = rejected(first.shop, text)
    assert [(p.row, p.code) for p in error.problems] == [
        (2, "already_shipped"), (3, "already_shipped"), (4, "already_shipped")]
    assert "Already shipped" in error.problems[0].message
    assert shipment_count() == count


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-8-sig", ","), ("utf-8", ";"), ("gb18030", "\t")])
def test_encodings_and_delimiters(make_checkout_shop, make_held_order, encoding, delimiter):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    paid = make_held_order(quantities=(1,), shop=shop)
    warehouse = shop.warehouse
    warehouse.name = "杭州仓"
    db.session.commit()
    rows = [["order", "sku", "quantity", "carrier", "tracking_number", "warehouse"],
            [str(paid.order.id), paid.order.lines[0].sku, "1", "YunExpress",
             yunexpress_number(), "杭州仓"]]
    text = "\r\n".join(delimiter.join(r) for r in rows)
    result = ship(shop, text.encode(encoding))
    assert len(result.shipments) == 1 and result.shipments[0].warehouse_id == warehouse.id


def test_files_that_cannot_be_read(two_orders):
    first, _second = two_orders
    shop = first.shop
    too_big = (HEADER + "x,y,1,ups,z\n" * 100_000).encode()
    assert rejected(shop, too_big).code == "file_too_large"
    too_long = (HEADER + "x,y,1,ups,z\n" * (bulk_shipping.MAX_ROWS + 1)).encode()
    assert rejected(shop, too_long).code == "too_many_rows"
    assert rejected(shop, "订单,数量\n".encode("utf-16")).code == "undecodable_file"
    assert rejected(shop, b"\xff\xfe\xfa\x00garbage").code == "undecodable_file"
    assert rejected(shop, "order,sku\n1,A\n").code == "missing_columns"
    assert rejected(shop, HEADER.rstrip("\n") + ",colour\n").code == "unknown_columns"
    assert rejected(shop, HEADER).code == "empty_file"


def test_another_stores_order_is_unknown(two_orders, make_held_order):
    first, _second = two_orders
    stranger = make_held_order(quantities=(1,))
    text = HEADER + (f"{order_reference(stranger.order)},{stranger.order.lines[0].sku},1,"
                     f"yunexpress,{yunexpress_number()}\n")
    error = rejected(first.shop, text)
    assert [(p.row, p.code) for p in error.problems] == [(2, "unknown_order")]
