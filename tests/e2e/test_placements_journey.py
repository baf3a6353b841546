"""A brand books a guaranteed placement and reads its campaign report, in a real browser.

At phone and desktop size: the availability calendar for Japan, a 30-minute hold, paying
from the balance, cancelling with a refund; then the report page draws its two charts
(Chart.js served from static/vendor) and its table, and nothing overflows the screen.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import DiscoverViewDay, Membership, Organization, User, utcnow
from app.services.accounts.passwords import hash_password
from tests.ad_placement_factories import fund_brand
from tests.ad_report_factories import add_click, add_impressions
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in


@pytest.fixture
def brand_cast(live_server):
    """A funded brand with a live campaign, three weeks of its delivery, traffic in Japan."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        owner = User(email=f"brand-{tag}@example.com", password_hash=hash_password(PASSWORD),
                     display_name=f"Aiko {tag}", home_country="JP",
                     email_verified_at=utcnow())
        org = Organization(kind="brand", name=f"Lumi {tag}", slug=f"lumi-{tag}")
        db.session.add_all([owner, org, Membership(organization=org, user=owner,
                                                   role="owner")])
        db.session.flush()
        _account, campaign = fund_brand(org, balance_minor=10_000,
                                        campaign_name=f"Glow {tag}")
        # Four weeks of 1,000 views a day before today. Other journeys count views too, on
        # a day that becomes history when a run crosses midnight: those days are raised.
        today = utcnow().date()
        history = {row.day: row for row in db.session.scalars(select(DiscoverViewDay).where(
            DiscoverViewDay.country == "JP", DiscoverViewDay.day >= today - timedelta(days=28),
            DiscoverViewDay.day < today))}
        for days_ago in range(1, 29):
            day = today - timedelta(days=days_ago)
            if day in history:
                history[day].views = max(history[day].views, 1000)
            else:
                db.session.add(DiscoverViewDay(country="JP", day=day, views=1000))
        for days_ago in range(1, 22):
            at = datetime.combine(utcnow().date() - timedelta(days=days_ago), time(10),
                                  tzinfo=UTC)
            add_impressions(campaign, at, 20 + days_ago % 7 * 5, anon=f"v{days_ago}")
            add_click(campaign, at, anon=f"v{days_ago}", charged_minor=50)
        commit()
        cast = {"email": owner.email, "org": org.id, "campaign": campaign.id,
                "name": campaign.name}
        db.session.remove()
    return cast


def no_sideways_scroll(page: Page) -> None:
    """Nothing in the page's content reaches past the screen (wide tables scroll inside
    their own box)."""
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     && !e.closest('.table-scroll'))
        .map(e => e.tagName + '.' + e.className)""")
    assert not wide, wide


def test_book_pay_cancel_and_read_the_report(page: Page, brand_cast):
    log_in(page, brand_cast["email"])
    start = utcnow().date() + timedelta(days=20)
    end = start + timedelta(days=2)
    page.goto(f"/orgs/{brand_cast['org']}/placements?country=JP&from={start.isoformat()}"
              f"&to={end.isoformat()}")
    calendar = page.get_by_test_id("calendar")
    expect(calendar.locator('li[data-status="available"]')).to_have_count(3)
    no_sideways_scroll(page)
    book = page.get_by_test_id("book")
    book.locator("select[name=campaign_id]").select_option(label=brand_cast["name"])
    book.locator("select[name=country]").select_option("JP")
    book.locator("input[name=start]").fill(start.isoformat())
    book.locator("input[name=end]").fill(end.isoformat())
    with page.expect_navigation():
        page.get_by_test_id("hold").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Held, waiting for payment")
    expect(page.get_by_test_id("booking-price")).to_have_text("$36.00")
    with page.expect_navigation():
        page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Paid")
    no_sideways_scroll(page)
    page.screenshot(path=f"test-artifacts/placement-booking-{page.viewport_name}.png",
                    full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Cancelled")

    page.goto(f"/orgs/{brand_cast['org']}/campaigns/{brand_cast['campaign']}/report")
    expect(page.get_by_test_id("total-clicks")).to_have_text("21")
    drawn = page.evaluate("""() => ['chart-delivery', 'chart-money'].map(id => {
        const chart = Chart.getChart(document.getElementById(id));
        return chart ? chart.data.datasets.length : 0; })""")
    assert drawn == [2, 2]
    expect(page.get_by_test_id("report-table").locator("tbody tr")).to_have_count(28)
    no_sideways_scroll(page)
    page.screenshot(path=f"test-artifacts/campaign-report-{page.viewport_name}.png",
                    full_page=True)
