"""The demo's report data: delivery adding up to each campaign's spend, roll-ups, attributed
orders through the real checkout, a booked guaranteed slot; seeded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.demo.ad_reports import seed_ad_reports
from app.extensions import db
from app.models import (
    AdAccount,
    AdClick,
    AdImpression,
    Campaign,
    CampaignDay,
    CampaignNote,
    CampaignReportDay,
    Organization,
    PlacementBooking,
    User,
    utcnow,
)
from app.providers.payments import reset_payment_provider
from app.services.ads import reports
from app.services.ads.ledger import post_entry
from tests.ad_delivery_factories import promoted_note

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def no_sandbox(app):
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL="http://127.0.0.1:9")
    reset_payment_provider()
    yield
    app.config.update(STRIPE_SANDBOX_URL="http://127.0.0.1:8420")
    reset_payment_provider()


def _campaigns_as_the_ads_demo_makes_them() -> dict[str, Campaign]:
    """Lumi Beauty's account and three of its campaigns (app.demo.ads makes these)."""
    lumi = db.session.scalar(select(Organization).where(Organization.slug == "lumi-beauty"))
    owner = db.session.scalar(select(User).where(User.email == "brand@example.com"))
    account = AdAccount(organization_id=lumi.id, currency="JPY", time_zone="Asia/Tokyo")
    db.session.add(account)
    db.session.flush()
    post_entry(account, "topup", 1_300_000, reference_type="demo", reference_id=1)
    note = promoted_note(owner, "Lumi Glow Serum")
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    made = {}
    for name, start, days, status, bid, spent in (
            ("Glow Serum — Japan launch", now - timedelta(days=6), 21, "active", 40, 38_460),
            ("Creator review boost (US)", now - timedelta(days=3), 14, "paused", 55, 9_350),
            ("Spring sale 2026", now - timedelta(days=35), 14, "completed", 45, 81_225)):
        campaign = Campaign(organization_id=lumi.id, account_id=account.id, name=name,
                            objective="traffic", pricing="cpc", bid_minor=bid,
                            budget_minor=150_000, currency="JPY", starts_at=start,
                            ends_at=start + timedelta(days=days), status=status,
                            spent_minor=spent,
                            countries=["US"] if "US" in name else ["JP"])
        campaign.campaign_notes = [CampaignNote(note_id=note.id, position=0)]
        db.session.add(campaign)
        made[name] = campaign
    db.session.commit()
    return made


def test_demo_report_data_adds_up_and_seeds_once(runner, no_sandbox):
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    campaigns = _campaigns_as_the_ads_demo_makes_them()
    lines = seed_ad_reports()
    db.session.commit()
    assert any("Guaranteed placement" in line for line in lines), lines
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
        CampaignReportDay.campaign_id == spring.id)) == 15
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
