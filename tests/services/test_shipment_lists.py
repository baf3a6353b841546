"""A store's shipment list, exceptions board and CSV export, for its staff only."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.services.errors import NotFound, ValidationFailed
from app.services.logistics import (
    ShipmentFilters,
    exception_board,
    export_shipments_csv,
    list_store_shipments,
    order_reference,
)
from app.services.logistics.tracking import ingest_tracking_events
from app.web.links import site_links
from tests.logistics_factories import tracking_event
from tests.notes_factories import QueryCounter

pytestmark = pytest.mark.usefixtures("app")
pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _set(shipment, *, status="in_transit", sub_status="", heard=None, shipped=None,
         delivered=None):
    """Put a shipment in a state directly (what ingesting its events would leave)."""
    shipment.status, shipment.sub_status = status, sub_status
    shipment.last_event_at = heard
    shipment.status_at = heard
    shipment.shipped_at = shipped or NOW - timedelta(days=20)
    shipment.delivered_at = delivered
    db.session.flush()
    return shipment


@pytest.fixture
def store_with_shipments(make_shipped_order, make_shipment):
    """One shop, three orders, a shipment each (the third on DHL with a last-mile leg)."""
    first = make_shipped_order()
    shop = first.shop
    orders = [first.order, make_shipped_order(shop=shop).order,
              make_shipped_order(shop=shop).order]
    shipments = [make_shipment(orders[0]), make_shipment(orders[1]),
                 make_shipment(orders[2], carrier="dhl_express", tracking_number="1234567890",
                               legs=[("last_mile", "japan_post", "RR473124829JP")])]
    for days_ago, shipment in zip((9, 5, 1), shipments, strict=True):
        shipment.shipped_at = NOW - timedelta(days=days_ago)
    commit()
    return shop, orders, shipments


def test_the_list_is_newest_first_and_pages_by_keyset(store_with_shipments):
    shop, _orders, shipments = store_with_shipments
    first = list_store_shipments(shop.staff, shop.store.id, limit=2)
    assert [s.id for s in first.items] == [shipments[2].id, shipments[1].id]
    assert first.next_after == [shipments[1].id]
    second = list_store_shipments(shop.staff, shop.store.id, after=first.next_after, limit=2)
    assert [s.id for s in second.items] == [shipments[0].id]
    assert second.next_after is None


def test_filters_by_status_carrier_and_ship_date(store_with_shipments):
    shop, _orders, shipments = store_with_shipments
    _set(shipments[0], status="customs", sub_status="held", heard=NOW,
         shipped=NOW - timedelta(days=9))
    commit()

    def ids(**filters):
        return [s.id for s in list_store_shipments(shop.staff, shop.store.id, **filters).items]

    assert ids(status="customs") == [shipments[0].id]
    assert ids(carrier="dhl_express") == [shipments[2].id]
    assert ids(carrier="yunexpress") == [shipments[1].id, shipments[0].id]
    assert ids(shipped_from=NOW - timedelta(days=6)) == [shipments[2].id, shipments[1].id]
    assert ids(shipped_from=NOW - timedelta(days=6),
               shipped_to=NOW - timedelta(days=2)) == [shipments[1].id]
    assert ids(status="delivered") == []


def test_text_finds_tracking_numbers_legs_and_order_references(store_with_shipments):
    shop, orders, shipments = store_with_shipments

    def ids(text):
        return {s.id for s in list_store_shipments(shop.staff, shop.store.id, text=text).items}

    assert ids(shipments[1].tracking_number.lower()) == {shipments[1].id}
    assert ids("12345 678") == {shipments[2].id}  # as printed on a label, with a space
    assert ids("rr473124829") == {shipments[2].id}  # the last-mile leg's number
    assert ids(order_reference(orders[0])) == {shipments[0].id}
    assert ids(str(orders[1].id)) == {shipments[1].id}
    # A checkout reference is shared by the orders of one checkout; each is its own here.
    assert ids(orders[2].checkout_reference) == {shipments[2].id}
    assert ids("NO-SUCH-THING") == set()


def test_unknown_filters_are_refused_with_stable_codes(store_with_shipments):
    shop, _orders, _shipments = store_with_shipments
    with pytest.raises(ValidationFailed) as status:
        list_store_shipments(shop.staff, shop.store.id, status="lost")
    assert status.value.code == "invalid_status"
    with pytest.raises(ValidationFailed) as carrier:
        list_store_shipments(shop.staff, shop.store.id, carrier="pigeon")
    assert carrier.value.code == "unknown_carrier"


def test_another_stores_staff_see_nothing(store_with_shipments, make_checkout_shop):
    shop, _orders, _shipments = store_with_shipments
    other = make_checkout_shop(with_product=False)
    for call in (lambda: list_store_shipments(other.staff, shop.store.id),
                 lambda: exception_board(other.staff, shop.store.id, now=NOW),
                 lambda: export_shipments_csv(other.staff, shop.store.id)):
        with pytest.raises(NotFound):
            call()
    assert list_store_shipments(other.staff, other.store.id).items == []


def test_the_board_groups_undelivered_shipments(make_shipped_order, make_shipment):
    first = make_shipped_order()
    order, shop = first.order, first.shop
    made = {name: make_shipment(order) for name in (
        "quiet", "quiet_never_scanned", "fresh", "held", "duties", "released", "failed",
        "exception", "returned", "expired", "delivered", "pickup_quiet")}
    _set(made["quiet"], heard=NOW - timedelta(days=6))
    _set(made["quiet_never_scanned"], status="pending", heard=None,
         shipped=NOW - timedelta(days=5, minutes=1))
    _set(made["fresh"], heard=NOW - timedelta(days=4, hours=23))
    _set(made["held"], status="customs", sub_status="held", heard=NOW - timedelta(days=1))
    _set(made["duties"], status="customs", sub_status="duties_due", heard=NOW)
    _set(made["released"], status="customs", sub_status="released", heard=NOW)
    _set(made["failed"], status="attempt_failed", heard=NOW - timedelta(hours=3))
    _set(made["exception"], status="exception", heard=NOW - timedelta(days=30))
    _set(made["returned"], status="returned", heard=NOW - timedelta(days=40))
    _set(made["expired"], status="expired", heard=NOW - timedelta(days=60))
    _set(made["delivered"], status="delivered", heard=NOW - timedelta(days=40),
         delivered=NOW - timedelta(days=40))
    _set(made["pickup_quiet"], status="available_for_pickup", heard=NOW - timedelta(days=8))
    commit()

    board = exception_board(shop.staff, shop.store.id, now=NOW, quiet_days=5)
    groups = {g.key: [s.id for s in g.shipments] for g in board.groups}
    expected = {
        # The longest-waiting first.
        "quiet": [made["pickup_quiet"].id, made["quiet"].id, made["quiet_never_scanned"].id],
        "customs_held": [made["held"].id, made["duties"].id],
        "attempt_failed": [made["failed"].id],
        "exception": [made["exception"].id],  # also long quiet, but shown once
        "returned": [made["returned"].id],
        "expired": [made["expired"].id],
    }
    assert groups == expected
    assert [g.key for g in board.groups] == list(expected)
    assert {g.key: g.count for g in board.groups} == {k: len(v) for k, v in expected.items()}
    assert board.total == 9

    # A day later the fresh one has gone quiet too; a longer setting lets two go.
    later = exception_board(shop.staff, shop.store.id, now=NOW + timedelta(days=1),
                            quiet_days=5)
    assert made["fresh"].id in [s.id for s in later.groups[0].shipments]
    patient = exception_board(shop.staff, shop.store.id, now=NOW, quiet_days=7)
    assert [s.id for s in patient.groups[0].shipments] == [made["pickup_quiet"].id]


def test_the_board_cuts_long_groups_but_counts_them_all(make_shipped_order, make_shipment):
    first = make_shipped_order()
    shipments = [make_shipment(first.order) for _ in range(4)]
    for n, shipment in enumerate(shipments):
        _set(shipment, status="exception", heard=NOW - timedelta(days=n))
    commit()
    board = exception_board(first.shop.staff, first.shop.store.id, now=NOW, rows_per_group=2)
    exceptions = next(g for g in board.groups if g.key == "exception")
    assert exceptions.count == 4
    assert [s.id for s in exceptions.shipments] == [shipments[3].id, shipments[2].id]


def test_the_quiet_days_come_from_the_config(app, make_shipped_order, make_shipment):
    first = make_shipped_order()
    shipment = _set(make_shipment(first.order), heard=NOW - timedelta(days=3))
    commit()
    assert app.config["TRACKING_QUIET_DAYS"] == 5
    board = exception_board(first.shop.staff, first.shop.store.id, now=NOW)
    assert board.quiet_days == 5 and board.total == 0
    app.config["TRACKING_QUIET_DAYS"] = 2
    try:
        board = exception_board(first.shop.staff, first.shop.store.id, now=NOW)
    finally:
        app.config["TRACKING_QUIET_DAYS"] = 5
    assert [s.id for s in board.groups[0].shipments] == [shipment.id]


def test_ingested_customs_hold_reaches_the_board(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    ingest_tracking_events([
        tracking_event(shipment, "in_transit", NOW - timedelta(days=3)),
        tracking_event(shipment, "customs", NOW - timedelta(days=1), sub_status="held")],
        source="webhook", links=site_links, now=NOW)
    commit()
    board = exception_board(shipped_order.shop.staff, shipped_order.shop.store.id, now=NOW)
    held = next(g for g in board.groups if g.key == "customs_held")
    assert [s.id for s in held.shipments] == [shipment.id]


def _read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_export_has_every_column_and_honours_the_filters(store_with_shipments):
    shop, orders, shipments = store_with_shipments
    _set(shipments[2], status="delivered", heard=NOW - timedelta(hours=2),
         shipped=NOW - timedelta(days=1), delivered=NOW - timedelta(hours=2))
    shop.warehouse.name = "深圳仓"
    commit()
    data = export_shipments_csv(shop.staff, shop.store.id)
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header == ("order_reference,order_id,shipment_id,carrier,tracking_number,status,"
                      "sub_status,shipped_at,last_event_at,delivered_at,warehouse,"
                      "destination_country,lines")
    rows = _read_csv(data)
    assert [r["shipment_id"] for r in rows] == [str(s.id) for s in reversed(shipments)]
    newest = rows[0]
    line = orders[2].lines[0]
    assert newest == {
        "order_reference": f"{orders[2].checkout_reference}-{orders[2].id}",
        "order_id": str(orders[2].id), "shipment_id": str(shipments[2].id),
        "carrier": "dhl_express", "tracking_number": "1234567890", "status": "delivered",
        "sub_status": "", "shipped_at": "2026-11-19T12:00:00+00:00",
        "last_event_at": "2026-11-20T10:00:00+00:00",
        "delivered_at": "2026-11-20T10:00:00+00:00", "warehouse": "深圳仓",
        "destination_country": "JP", "lines": f"{line.sku}×{line.quantity}"}
    filtered = _read_csv(export_shipments_csv(shop.staff, shop.store.id,
                                              ShipmentFilters(carrier="yunexpress")))
    assert [r["shipment_id"] for r in filtered] == [str(shipments[1].id), str(shipments[0].id)]


def test_the_export_pages_through_more_than_one_batch(monkeypatch, shipped_order,
                                                      make_shipment):
    from app.services.logistics import shipment_lists

    monkeypatch.setattr(shipment_lists, "EXPORT_BATCH", 2)
    shipments = [make_shipment(shipped_order.order) for _ in range(5)]
    rows = _read_csv(export_shipments_csv(shipped_order.shop.staff,
                                          shipped_order.shop.store.id))
    assert [r["shipment_id"] for r in rows] == [str(s.id) for s in reversed(shipments)]


def _grow(make_shipped_order, make_shipment, *, orders: int, shipments: int):
    """A store with `shipments` shipments spread over `orders` orders, each with a leg."""
    first = make_shipped_order()
    made = [first.order] + [make_shipped_order(shop=first.shop).order
                            for _ in range(orders - 1)]
    for n in range(shipments):
        shipment = make_shipment(made[n % orders], legs=[
            ("last_mile", "japan_post", f"RR{n:07d}{first.shop.store.id:02d}JP")])
        _set(shipment, status=("exception", "returned", "in_transit")[n % 3],
             heard=NOW - timedelta(days=10))
    commit()
    return first.shop


def _statements(call) -> int:
    db.session.expire_all()
    with QueryCounter() as queries:
        result = call()
        for shipment in (getattr(result, "items", None) or
                         [s for g in getattr(result, "groups", []) for s in g.shipments]):
            # What the pages read of each row.
            _ = (shipment.order.shipping_address, shipment.warehouse.name,
                 [leg.tracking_number for leg in shipment.legs])
    return queries.count


def test_reads_cost_the_same_queries_for_3_or_30_shipments(make_shipped_order, make_shipment):
    small = _grow(make_shipped_order, make_shipment, orders=3, shipments=3)
    large = _grow(make_shipped_order, make_shipment, orders=6, shipments=30)
    for read in (lambda shop: list_store_shipments(shop.staff, shop.store.id, limit=25),
                 lambda shop: exception_board(shop.staff, shop.store.id, now=NOW)):
        assert _statements(lambda r=read: r(small)) == _statements(lambda r=read: r(large))
    for shop in (small, large):
        db.session.expire_all()
        with QueryCounter() as queries:
            export_shipments_csv(shop.staff, shop.store.id)
        if shop is small:
            small_export = queries.count
    assert queries.count == small_export
