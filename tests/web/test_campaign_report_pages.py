"""The brand portal's report pages: overview, one campaign with charts and table, CSV."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from app.extensions import db
from app.models import utcnow
from tests.ad_report_factories import add_click, add_impressions

pytest_plugins = ["tests.ad_placement_factories"]


def test_report_page_table_charts_and_csv(client, login, ad_brand):
    brand = ad_brand()
    day = utcnow().date() - timedelta(days=2)
    add_impressions(brand.campaign, datetime.combine(day, time(9), tzinfo=UTC), 40,
                    anon="a")
    add_click(brand.campaign, datetime.combine(day, time(9), tzinfo=UTC), anon="a",
              charged_minor=75)
    db.session.commit()
    login(brand.owner)
    overview = client.get(f"/orgs/{brand.org.id}/reports")
    assert overview.status_code == 200
    assert "Spring glow" in overview.get_data(as_text=True)
    page = client.get(f"/orgs/{brand.org.id}/campaigns/{brand.campaign.id}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.js" in html and 'id="report-data"' in html
    assert 'data-testid="total-impressions">40<' in html
    assert 'data-testid="total-spend">$0.75<' in html
    csv = client.get(f"/orgs/{brand.org.id}/campaigns/{brand.campaign.id}/report.csv"
                     f"?from={day.isoformat()}&to={day.isoformat()}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert csv.get_data(as_text=True).splitlines()[1].startswith(f"{day.isoformat()},40,1,1,")


def test_bad_dates_show_what_to_fix(client, login, ad_brand):
    brand = ad_brand()
    login(brand.owner)
    page = client.get(f"/orgs/{brand.org.id}/campaigns/{brand.campaign.id}/report"
                      "?from=2026-05-10&to=2026-05-01")
    assert page.status_code == 422
    assert "The end date cannot be before the start date." in page.get_data(as_text=True)


def test_another_brands_report_is_404(client, login, ad_brand):
    brand, other = ad_brand(), ad_brand()
    login(other.owner)
    assert client.get(f"/orgs/{brand.org.id}/campaigns/{brand.campaign.id}/report"
                      ).status_code == 404
    assert client.get(f"/orgs/{other.org.id}/campaigns/{brand.campaign.id}/report"
                      ).status_code == 404
    assert client.get(f"/orgs/{other.org.id}/campaigns/{brand.campaign.id}/report.csv"
                      ).status_code == 404
