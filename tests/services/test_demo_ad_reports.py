"""The demo's report data: delivery adding up to each campaign's spend, roll-ups, attributed
orders through the real checkout, a booked guaranteed slot; seeded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.demo.ad_reports import seed_ad_reports
from app.extensions import db
from app.models import (
    AdClick,
    AdImpression,
    Campaign,
    CampaignDay,
    CampaignReportDay,
    PlacementBooking,
    utcnow,
)
from app.providers.payments import reset_payment_provider
from app.services.ads import reports

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def no_sandbox(app):
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL="http://127.0.0.1:9")
    reset_payment_provider()
    yield
    app.config.update(STRIPE_SANDBOX_URL="http://127.0.0.1:8420")
    reset_payment_provider()


def _demo_campaigns() -> dict[str, Campaign]:
    return {c.name: c for c in db.session.scalars(select(Campaign))}


def test_demo_report_data_adds_up_and_seeds_once(runner, no_sandbox):
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert "Guaranteed placement" in seeded.output, seeded.output
    every = _demo_campaigns()
    campaigns = {name: every[name] for name in (
        "Glow Serum — Japan launch", "Creator review boost (US)", "Spring sale 2026",
        "Baume lavande — Europe")}
    now = utcnow()
    for campaign in campaigns.values():
        zone = reports.brand_zone(campaign)
        first = campaign.starts_at.astimezone(zone).date()
        report = reports.campaign_report(campaign, first, reports.local_today(zone, now),
                                         now=now)
        # Every yen the campaign spent is in its report, day by day.
        assert report.totals.spend.minor == campaign.spent_minor, campaign.name
        assert report.totals.impressions > report.totals.clicks > 0
    spring = campaigns["Spring sale 2026"]
    assert db.session.scalar(select(func.count()).select_from(CampaignReportDay).where(
        CampaignReportDay.campaign_id == spring.id)) == 15  # its 14-day flight, both ends
    glow = campaigns["Glow Serum — Japan launch"]
    zone = reports.brand_zone(glow)
    glow_report = reports.campaign_report(glow, now.date() - timedelta(days=7),
                                          reports.local_today(zone, now), now=now)
    assert glow_report.totals.orders == 2 and glow_report.totals.gmv.minor > 0
    assert glow_report.totals.roas > 0
    assert db.session.scalar(select(func.count()).select_from(CampaignDay).where(
        CampaignDay.campaign_id == glow.id)) >= 6
    [booking] = db.session.scalars(select(PlacementBooking)).all()
    assert (booking.campaign_id, booking.state, booking.country) == (glow.id, "paid", "JP")

    counts = [db.session.scalar(select(func.count()).select_from(m))
              for m in (AdImpression, AdClick, CampaignReportDay, PlacementBooking)]
    seed_ad_reports()
    assert [db.session.scalar(select(func.count()).select_from(m))
            for m in (AdImpression, AdClick, CampaignReportDay, PlacementBooking)] == counts
