"""The merchant's shipment pages: the list with filters, the exceptions board, the CSV export."""

from __future__ import annotations

import codecs
import csv
import io
import re
import uuid
from datetime import timedelta

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app import ROOT
from app.core.transaction import commit
from app.extensions import db
from app.merchant import shipments_routes
from app.models import Membership, utcnow
from app.models.logistics import TrackingEvent
from app.services.logistics.tracking import ingest_tracking_events
from app.web.links import site_links
from tests.logistics_factories import tracking_event
from tests.notes_factories import QueryCounter
from tests.web.test_merchant_access import merchant_rules
from tests.web.test_preferences import _compiled_zh
from tests.web.test_read_only_pages import WriteRecorder

pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

ROUTES = ("merchant.shipments", "merchant.shipment_exceptions", "merchant.export_shipments")


def _urls(store_id: int) -> list[str]:
    return [f"/merchant/stores/{store_id}/shipments",
            f"/merchant/stores/{store_id}/shipments/exceptions",
            f"/merchant/stores/{store_id}/shipments/export.csv"]


def _state(shipment, status: str, *, sub_status: str = "", days_ago: float = 0.0):
    shipment.status, shipment.sub_status = status, sub_status
    shipment.last_event_at = shipment.status_at = utcnow() - timedelta(days=days_ago)
    db.session.flush()


@pytest.fixture
def store(make_shipped_order, make_shipment):
    """Three orders, each with a shipment: one held at customs, one quiet, one fine."""
    first = make_shipped_order()
    orders = [first.order] + [make_shipped_order(shop=first.shop).order for _ in range(2)]
    held = make_shipment(orders[0], legs=[("last_mile", "japan_post", "RR473124829JP")])
    quiet = make_shipment(orders[1])
    fine = make_shipment(orders[2], carrier="dhl_express", tracking_number="1234567890")
    ingest_tracking_events([
        tracking_event(held, "customs", utcnow() - timedelta(days=1), sub_status="held",
                       number="RR473124829JP", carrier="japan_post")],
        source="webhook", links=site_links)
    _state(quiet, "in_transit", days_ago=9)
    _state(fine, "out_for_delivery", days_ago=0.1)
    commit()
    return first.shop, orders, {"held": held, "quiet": quiet, "fine": fine}


def _rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-shipment-id="(\d+)"', html)]


def test_the_list_shows_each_shipment_with_its_order_tracking_and_status(client, login,
                                                                         store):
    shop, orders, made = store
    login(shop.staff)
    html = client.get(f"/merchant/stores/{shop.store.id}/shipments").get_data(as_text=True)
    assert 'aria-current="page">Shipments<' in html  # its tab, between Orders and Products
    assert html.index(">Orders<") < html.index(">Shipments<") < html.index(">Products<")
    assert _rows(html) == [made["fine"].id, made["quiet"].id, made["held"].id]
    held = html[html.index(f'data-shipment-id="{made["held"].id}"'):]
    held = held[:held.index("</tr>")]
    assert f'/merchant/stores/{shop.store.id}/orders/{orders[0].id}"' in held
    assert f"{orders[0].checkout_reference}-{orders[0].id}" in held
    assert ("https://www.yuntrack.com/parcelTracking?id=" + made["held"].tracking_number) in held
    assert "RR473124829JP" in held  # the last-mile leg's number too
    assert 'data-testid="shipment-status">Customs<' in held
    assert 'data-testid="customs-state">Held at customs<' in held
    assert re.search(r'data-testid="last-event">[^<]+ GMT\+00:00<', held)
    assert 'data-testid="destination">Japan<' in held
    assert 'class="table-scroll"' in html  # phones scroll the table sideways


def test_the_filters_narrow_the_list_and_survive_paging(client, login, store, monkeypatch):
    shop, orders, made = store
    login(shop.staff)
    base = f"/merchant/stores/{shop.store.id}/shipments"

    def ids(query: str) -> list[int]:
        return _rows(client.get(f"{base}?{query}").get_data(as_text=True))

    assert ids("status=customs") == [made["held"].id]
    assert ids("carrier=dhl_express") == [made["fine"].id]
    assert ids(f"q={made['quiet'].tracking_number}") == [made["quiet"].id]
    assert ids(f"q={orders[0].checkout_reference}-{orders[0].id}") == [made["held"].id]
    today = utcnow().date()
    assert len(ids(f"from={today}&to={today}")) == 3
    assert ids(f"to={today - timedelta(days=1)}") == []
    # Values no one can choose are ignored rather than failing the page.
    assert len(ids("status=lost&carrier=pigeon&from=yesterday")) == 3

    monkeypatch.setattr(shipments_routes, "PAGE_SIZE", 1)
    first = client.get(f"{base}?carrier=yunexpress").get_data(as_text=True)
    assert _rows(first) == [made["quiet"].id]
    link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "carrier=yunexpress" in link and f"after={made['quiet'].id}" in link
    second = client.get(link).get_data(as_text=True)
    assert _rows(second) == [made["held"].id]
    assert 'rel="next"' not in second


def test_the_exceptions_board_groups_and_links_to_orders(client, login, store):
    shop, orders, made = store
    login(shop.staff)
    html = client.get(f"/merchant/stores/{shop.store.id}/shipments/exceptions").get_data(
        as_text=True)

    def group(key: str) -> str:
        start = html.index(f'data-group="{key}"')
        return html[start:html.find("</section>", start)]

    assert _rows(group("customs_held")) == [made["held"].id]
    assert _rows(group("quiet")) == [made["quiet"].id]
    assert "5 days" in group("quiet")
    for key in ("attempt_failed", "exception", "returned", "expired"):
        assert 'data-testid="empty-group"' in group(key)
    assert 'data-testid="count-customs_held">1<' in html
    assert 'data-testid="count-exception">0<' in html
    assert made["fine"].tracking_number not in html
    assert f'/merchant/stores/{shop.store.id}/orders/{orders[1].id}"' in group("quiet")


def test_the_export_downloads_the_filtered_shipments(client, login, store):
    shop, orders, made = store
    login(shop.staff)
    response = client.get(f"/merchant/stores/{shop.store.id}/shipments/export.csv"
                          "?carrier=yunexpress")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{shop.store.slug}-shipments-')
    assert response.data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(r["shipment_id"]) for r in rows] == [made["quiet"].id, made["held"].id]
    assert rows[1]["status"] == "customs" and rows[1]["sub_status"] == "held"
    assert rows[1]["order_reference"] == f"{orders[0].checkout_reference}-{orders[0].id}"
    html = client.get(f"/merchant/stores/{shop.store.id}/shipments?carrier=yunexpress"
                      ).get_data(as_text=True)
    assert "shipments/export.csv?carrier=yunexpress" in html


def test_the_pages_write_nothing(client, login, store):
    shop, _orders, _made = store
    login(shop.staff)
    with WriteRecorder() as recorder:
        for url in _urls(shop.store.id):
            assert client.get(url).status_code == 200, url
    assert recorder.writes == []


def test_the_routes_are_checked_by_the_portal_access_suite(app):
    assert set(ROUTES) <= {r.endpoint for r in merchant_rules(app)}


def test_another_stores_staff_get_404_and_anonymous_visitors_log_in(
        client, login, store, make_checkout_shop):
    shop, _orders, made = store
    for url in _urls(shop.store.id):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    other = make_checkout_shop(with_product=False)
    login(other.staff)
    for url in _urls(shop.store.id):
        response = client.get(url)
        assert response.status_code == 404, url
        assert made["held"].tracking_number.encode() not in response.data
    # Their own pages work, and show none of the other store's parcels.
    for url in _urls(other.store.id):
        response = client.get(url)
        assert response.status_code == 200, url
        assert made["held"].tracking_number.encode() not in response.data


def _statements(client, url: str) -> int:
    # An empty identity map, so neither page profits from rows the other one loaded.
    db.session.expunge_all()
    with QueryCounter() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries.count


def _store_with(make_shipped_order, make_shipment, *, orders: int, shipments: int):
    first = make_shipped_order()
    made_orders = [first.order] + [make_shipped_order(shop=first.shop).order
                                   for _ in range(orders - 1)]
    made = []
    for n in range(shipments):
        shipment = make_shipment(made_orders[n % orders], legs=[
            ("last_mile", "japan_post", f"RR{uuid.uuid4().int % 10**9:09d}JP")])
        _state(shipment, ("customs", "exception", "in_transit")[n % 3], sub_status="held",
               days_ago=10)
        made.append(shipment)
    commit()
    return first.shop, made


def _view_both(login, first, second) -> None:
    """Log in one person working for both stores, so both are measured in one session."""
    db.session.add(Membership(organization_id=second.store.organization_id,
                              user_id=first.staff.id, role="staff"))
    commit()
    login(first.staff)


def _add_events(shipment, count: int) -> None:
    start = utcnow() - timedelta(days=20)
    db.session.add_all(TrackingEvent(
        shipment_id=shipment.id, occurred_at=start + timedelta(minutes=n), status="in_transit",
        source="poll", fingerprint=f"{shipment.id}-{n}", description=f"Scan {n}")
        for n in range(count))
    commit()


def test_pages_cost_the_same_queries_for_3_or_30_shipments(client, login, make_shipped_order,
                                                           make_shipment):
    small, _ = _store_with(make_shipped_order, make_shipment, orders=3, shipments=3)
    large, _ = _store_with(make_shipped_order, make_shipment, orders=6, shipments=30)
    _view_both(login, small, large)
    pages = [_urls(shop.store.id) for shop in (small, large)]
    counts = [[_statements(client, url) for url in urls] for urls in pages]
    assert counts[0] == counts[1]


def test_the_list_costs_the_same_queries_for_3_or_300_events(client, login,
                                                             make_shipped_order,
                                                             make_shipment):
    few, [few_shipment] = _store_with(make_shipped_order, make_shipment, orders=1, shipments=1)
    many, [many_shipment] = _store_with(make_shipped_order, make_shipment, orders=1,
                                        shipments=1)
    _add_events(few_shipment, 3)
    _add_events(many_shipment, 300)
    _view_both(login, few, many)
    pages = [_urls(shop.store.id) for shop in (few, many)]
    counts = [[_statements(client, url) for url in urls] for urls in pages]
    assert counts[0] == counts[1]


# Chinese ----------------------------------------------------------------------------------
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2)}
NEW_FILES = [("app/merchant/shipments_routes.py", "python"),
             ("templates/merchant/shipments/**.html", "jinja2"),
             ("templates/checkout/_tracking_labels.html", "jinja2"),
             ("templates/merchant/_layout.html", "jinja2")]


def _messages() -> set[tuple[str, str | None]]:
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=NEW_FILES, keywords=KEYWORDS):
        found.add((message if isinstance(message, str) else message[0], context))
    return found


def test_every_shipment_page_string_has_a_chinese_translation():
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = _messages()
    assert {("Exceptions board", None), ("Returned", "tracking status")} <= messages
    untranslated = sorted(f"{ctx or ''}|{msgid}" for msgid, ctx in messages
                          if (entry := catalog.get(msgid, context=ctx)) is None
                          or not entry.string or entry.fuzzy)
    assert untranslated == []


def test_the_pages_render_in_chinese(client, login, store):
    translations = _compiled_zh()
    if "Exceptions board" not in translations:
        pytest.skip("compile the catalogs first (make translations)")
    shop, _orders, made = store
    shop.staff.locale = "zh"
    commit()
    login(shop.staff)
    listing = client.get(f"/merchant/stores/{shop.store.id}/shipments").get_data(as_text=True)
    board = client.get(f"/merchant/stores/{shop.store.id}/shipments/exceptions").get_data(
        as_text=True)
    assert 'data-testid="shipment-status">清关中<' in listing
    assert 'data-testid="customs-state">海关扣留<' in listing
    assert 'data-testid="destination">日本<' in listing
    assert "云途物流" in listing
    assert "异常看板" in listing and "时间均为 UTC (GMT+00:00)" in listing
    for english in ("Shipments", "Exceptions board", "Download as CSV", "Carrier",
                    "Tracking number or order", "Next page", "Times are in UTC (GMT+00:00)."):
        assert f">{english}<" not in listing
    for english in ("No news", "Held at customs", "Carrier exceptions", "Nothing here."):
        assert f">{english}<" not in board
        assert translations.get(english, english) in board
