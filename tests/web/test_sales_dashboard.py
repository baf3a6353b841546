"""The merchant's sales page: figures, chart data, periods, language and access."""

from __future__ import annotations

import json
import re

import pytest

from app.extensions import db

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]


@pytest.fixture
def sold(make_checkout_shop, make_sandbox_order):
    shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
    return shop, make_sandbox_order(shop, 2, currency="JPY", country="JP")


def test_staff_see_the_periods_sales_chart_data_and_tables(client, login, sold):
    shop, order = sold
    login(shop.staff)
    html = client.get(f"/merchant/stores/{shop.store.id}/sales?days=7").get_data(as_text=True)
    assert 'data-testid="sales-orders">1<' in html
    assert 'aria-current="page">Last 7 days<' in html
    data = json.loads(re.search(
        r'<script type="application/json" id="sales-chart-data">(.*?)</script>', html).group(1))
    assert len(data["labels"]) == 7 and data["orders"][-1] == 1
    assert "vendor/chartjs/chart.umd.js" in html and "js/sales_chart.js" in html
    assert "Japan" in html and "JPY" in html and order.lines[0].title in html


def test_in_chinese_with_no_sales_yet(client, login, make_checkout_shop):
    shop = make_checkout_shop(currency="CNY", country="CN", with_product=False)
    shop.owner.locale = "zh"
    db.session.commit()
    login(shop.owner)
    html = client.get(f"/merchant/stores/{shop.store.id}/sales").get_data(as_text=True)
    assert 'data-testid="no-sales"' in html and "近 30 天" in html
    assert "chart.umd.js" not in html


def test_an_unknown_period_falls_back_to_30_days(client, login, sold):
    shop, _order = sold
    login(shop.owner)
    html = client.get(f"/merchant/stores/{shop.store.id}/sales?days=9999").get_data(
        as_text=True)
    assert 'aria-current="page">Last 30 days<' in html


def test_outsiders_get_404(client, login, sold, make_user):
    shop, _order = sold
    login(make_user())
    assert client.get(f"/merchant/stores/{shop.store.id}/sales").status_code == 404
