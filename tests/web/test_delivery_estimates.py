"""The parcel's delivery estimate: the carrier's when given, else the quoted transit time."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.services.logistics import delivery_estimates
from app.services.logistics.tracking_reads import share_token

pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

SHIPPED = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def parcel(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    shipment.shipped_at = SHIPPED
    commit()
    return shipped_order, shipment


def _estimate(html: str) -> str:
    match = re.search(r'<p data-testid="delivery-estimate".*?</p>', html, re.S)
    assert match, "no delivery estimate on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(0))).strip()


def test_the_sellers_transit_time_counts_from_the_day_it_shipped(parcel):
    _placed, shipment = parcel
    # US to JP falls in the "rest of world" zone, quoted as 7–14 days.
    estimate = delivery_estimates([shipment])[shipment.id]
    assert estimate.source == "seller"
    assert (estimate.earliest, estimate.latest) == (datetime(2026, 12, 12, 10, tzinfo=UTC),
                                                    datetime(2026, 12, 19, 10, tzinfo=UTC))


def test_the_carriers_estimate_wins_and_delivered_parcels_have_none(parcel):
    _placed, shipment = parcel
    shipment.estimated_delivery_at = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)
    estimate = delivery_estimates([shipment])[shipment.id]
    assert (estimate.source, estimate.earliest) == ("carrier", shipment.estimated_delivery_at)
    shipment.delivered_at = datetime(2026, 12, 8, tzinfo=UTC)
    assert delivery_estimates([shipment]) == {}


def test_the_order_page_shows_the_sellers_estimate(client, login, parcel):
    placed, _shipment = parcel
    login(placed.shopper)
    html = client.get(f"/orders/{placed.order.id}").get_data(as_text=True)
    assert 'data-source="seller"' in html
    assert _estimate(html) == ("Estimated delivery: Dec 12 – 19 · the seller’s estimate from "
                               "its usual transit time")


def test_the_share_page_shows_the_carriers_estimate_in_the_viewers_zone(client, parcel):
    _placed, shipment = parcel
    shipment.estimated_delivery_at = datetime(2026, 12, 9, 20, 0, tzinfo=UTC)
    commit()
    client.set_cookie("qiao_tz", "Asia/Tokyo")  # already the 10th there
    html = client.get(f"/track/{share_token(shipment)}").get_data(as_text=True)
    assert _estimate(html) == "Estimated delivery: Dec 10 · the carrier’s estimate"


def test_the_estimate_in_chinese(client, login, parcel):
    placed, _shipment = parcel
    placed.shopper.locale = "zh"
    db.session.commit()
    login(placed.shopper)
    html = client.get(f"/orders/{placed.order.id}").get_data(as_text=True)
    assert _estimate(html) == "预计送达：12月12日至19日 · 卖家根据通常运输时间的预估"
