"""The parcel timeline on the shopper's order page and the shared tracking page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.core.transaction import commit
from app.services.logistics.tracking import ingest_tracking_events
from app.services.logistics.tracking_reads import share_token
from app.web.links import site_links
from tests.logistics_factories import tracking_event

pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=CST)


@pytest.fixture
def tracked(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order, legs=[
        ("last_mile", "japan_post", "RR473124829JP")])
    ingest_tracking_events([
        tracking_event(shipment, "in_transit", T0, location="Shenzhen",
                       description="Departed sorting centre"),
        tracking_event(shipment, "customs", T0 + timedelta(days=2), sub_status="held",
                       location="Tokyo", number="RR473124829JP", carrier="japan_post",
                       description="Held for inspection")], source="webhook", links=site_links)
    commit()
    return shipped_order, shipment


def test_order_page_shows_the_timeline_in_viewer_and_scan_local_time(client, login, tracked):
    placed, shipment = tracked
    login(placed.shopper)
    html = client.get(f"/orders/{placed.order.id}").get_data(as_text=True)
    assert f'id="shipment-{shipment.id}"' in html
    assert 'data-testid="shipment-status">Customs<' in html
    assert 'data-testid="customs-state">Held at customs<' in html
    assert "Nov 2, 2026, 1:30\u202fAM GMT+00:00" in html  # the viewer's zone (UTC here)
    assert "Nov 2, 2026, 9:30\u202fAM GMT+08:00 where it was scanned" in html
    assert html.index("Held for inspection") < html.index("Departed sorting centre")
    assert "https://www.yuntrack.com/parcelTracking?id=" + shipment.tracking_number in html
    assert 'data-testid="share-link"' in html


def test_order_page_in_chinese(client, login, tracked, make_user):
    from tests.web.test_preferences import _compiled_zh

    placed, _shipment = tracked
    placed.shopper.locale = "zh"
    commit()
    login(placed.shopper)
    html = client.get(f"/orders/{placed.order.id}").get_data(as_text=True)
    expected = _compiled_zh().get("Held at customs", "Held at customs")
    assert f'data-testid="customs-state">{expected}<' in html
    if expected != "Held at customs":
        assert "云途物流" in html


def test_shared_link_shows_the_timeline_without_prices_or_address(client, tracked):
    placed, shipment = tracked
    response = client.get(f"/track/{share_token(shipment)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Held for inspection" in html and shipment.tracking_number in html
    address = placed.order.shipping_address
    for private in (address["line1"], address["name"], address["postal_code"],
                    placed.order.checkout_reference, "$"):
        assert private not in html
    assert 'data-testid="share-link"' not in html


def test_a_tampered_share_link_is_refused(client, tracked):
    _placed, shipment = tracked
    token = share_token(shipment)
    response = client.get(f"/track/{token[:-2]}xx")
    assert response.status_code in (400, 404)
    assert "Held for inspection" not in response.get_data(as_text=True)


def test_another_shopper_cannot_see_the_order_page(client, login, tracked, make_user):
    placed, _shipment = tracked
    login(make_user())
    assert client.get(f"/orders/{placed.order.id}").status_code == 404
