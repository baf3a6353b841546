"""Campaign reports: daily numbers, the 7-day attribution window, roll-up, time zone, CSV."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import CampaignNote, CampaignReportDay, utcnow
from app.money import Money
from app.services.ads import reports
from app.services.errors import DomainError, NotFound
from tests.ad_delivery_factories import promoted_note
from tests.ad_report_factories import add_click, add_impressions, paid_order
from tests.catalog_factories import make_shop

pytest_plugins = ["tests.ad_placement_factories"]
UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def setup(ad_brand, make_org, make_user):
    """A brand's campaign promoting one note, a store's product, two shoppers."""
    brand = ad_brand()
    note = promoted_note(brand.owner, "Glow serum")
    other_note = promoted_note(brand.owner, "Unpromoted note")
    brand.campaign.campaign_notes = [CampaignNote(note_id=note.id, position=0)]
    brand.campaign.starts_at = utcnow() - timedelta(days=40)
    shop = make_shop(make_org, make_user)
    product = shop.add_product(skus=("SERUM-1",), price="25.00", title="Glow serum")
    db.session.commit()
    return brand, note, other_note, product, make_user(), make_user()


def day_at(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(utcnow().date() - timedelta(days=days_ago), time(hour), tzinfo=UTC)


def test_a_day_counts_billable_events_reach_spend_and_ratios(setup):
    brand, _note, _other, _product, alice, bob = setup
    campaign = brand.campaign
    at = day_at(5)
    add_impressions(campaign, at, 3, user=alice)
    add_impressions(campaign, at, 1, user=bob)
    add_impressions(campaign, at, 2, anon="anon-1")
    add_impressions(campaign, at, 4, anon="bot", billable=False)
    add_click(campaign, at, user=alice, charged_minor=50)
    add_click(campaign, at, user=bob, charged_minor=50)
    add_click(campaign, at, anon="bot", billable=False)
    add_impressions(campaign, at - timedelta(days=1), 7, user=alice)  # another day
    day = reports.compute_day(campaign, at.date(), UTC_ZONE)
    assert (day.impressions, day.reach, day.clicks) == (6, 3, 2)
    assert day.spend == Money(100, "USD")
    assert day.ctr == Decimal("0.3333")
    assert day.ecpc == Money(50, "USD")
    assert day.ecpm == Money(16667, "USD")  # 1.00 / 6 impressions x 1000
    assert (day.orders, day.gmv, day.roas) == (0, Money(0, "USD"), Decimal("0.00"))


def test_attribution_window_edges(setup):
    brand, note, other_note, product, alice, bob = setup
    campaign = brand.campaign
    clicked = day_at(20)
    add_click(campaign, clicked, user=alice, charged_minor=50)
    paid_order(product, alice, clicked + timedelta(days=7) - timedelta(minutes=1),
               note_id=note.id)
    paid_order(product, alice, clicked + timedelta(days=7), note_id=note.id, unit_minor=1000)
    paid_order(product, alice, clicked + timedelta(days=7, minutes=1), note_id=note.id)
    paid_order(product, alice, clicked + timedelta(days=8), note_id=note.id)
    paid_order(product, bob, clicked + timedelta(days=1), note_id=note.id)  # not the clicker
    paid_order(product, alice, clicked + timedelta(days=1), note_id=other_note.id)
    paid_order(product, alice, clicked + timedelta(days=1), note_id=None)
    paid_order(product, alice, clicked - timedelta(hours=1), note_id=note.id)  # before
    paid_order(product, alice, clicked + timedelta(days=2), note_id=note.id,
               status="cancelled")
    start, end = clicked - timedelta(days=1), clicked + timedelta(days=10)
    orders, gmv = reports.attributed_orders(campaign, start, end)
    assert orders == 2
    assert gmv == Money(2500 + 1000, "USD")
    # Counted on the day the order was paid.
    day_seven = reports.compute_day(campaign, (clicked + timedelta(days=7)).date(), UTC_ZONE)
    day_eight = reports.compute_day(campaign, (clicked + timedelta(days=8)).date(), UTC_ZONE)
    assert (day_seven.orders, day_eight.orders) == (2, 0)


def test_gmv_is_net_of_refunds_and_in_the_campaign_currency(setup):
    brand, note, _other, product, alice, _bob = setup
    clicked = day_at(3)
    add_click(brand.campaign, clicked, user=alice)
    paid_order(product, alice, clicked + timedelta(hours=2), note_id=note.id, quantity=3,
               refunded_quantity=1)
    # Paid in yen; the store's price (USD, the campaign's currency) is what counts.
    paid_order(product, alice, clicked + timedelta(hours=3), note_id=note.id, unit_minor=3900,
               currency="JPY", store_currency="USD")
    orders, gmv = reports.attributed_orders(brand.campaign, clicked, clicked + timedelta(days=1))
    assert orders == 2
    assert gmv == Money(2500 * 2 + 3900, "USD")


def test_roll_up_stores_finished_days_once_and_reports_read_them(setup):
    brand, note, _other, product, alice, _bob = setup
    campaign = brand.campaign
    now = utcnow()
    add_impressions(campaign, day_at(2), 5, user=alice, charged_minor=0)
    add_click(campaign, day_at(2), user=alice, charged_minor=80)
    paid_order(product, alice, day_at(2) + timedelta(hours=1), note_id=note.id)
    add_impressions(campaign, now - timedelta(minutes=1), 2, user=alice)
    stored = reports.roll_up_campaign(campaign, now=now)
    assert stored == reports.ROLLUP_DAYS
    assert reports.roll_up_campaign(campaign, now=now) == stored  # idempotent upserts
    rows = db.session.query(CampaignReportDay).filter_by(campaign_id=campaign.id).all()
    assert len(rows) == stored
    assert all(r.day < now.date() for r in rows)  # today is never stored
    two_days_ago = next(r for r in rows if r.day == day_at(2).date())
    assert (two_days_ago.impressions, two_days_ago.clicks, two_days_ago.orders,
            two_days_ago.spend_minor, two_days_ago.gmv_minor) == (5, 1, 1, 80, 2500)
    # The report reads stored days (a late event is not counted until the next roll-up)
    # and computes today live.
    add_impressions(campaign, day_at(2), 10, user=alice)
    report = reports.campaign_report(campaign, day_at(3).date(), now.date(), now=now)
    by_day = {d.day: d for d in report.days}
    assert by_day[day_at(2).date()].impressions == 5
    assert by_day[now.date()].impressions == 2
    assert report.totals.impressions == 7
    assert report.totals.roas == Decimal("31.25")  # 25.00 / 0.80


def test_days_follow_the_brands_time_zone(ad_brand):
    brand = ad_brand(time_zone="Asia/Tokyo")
    campaign = brand.campaign
    late_evening_utc = day_at(4, hour=16)  # 01:00 the next day in Tokyo
    add_impressions(campaign, late_evening_utc, 3, anon="x")
    tokyo = reports.brand_zone(campaign)
    assert tokyo.key == "Asia/Tokyo"
    next_day = late_evening_utc.date() + timedelta(days=1)
    assert reports.compute_day(campaign, next_day, tokyo).impressions == 3
    assert reports.compute_day(campaign, late_evening_utc.date(), tokyo).impressions == 0


@pytest.mark.parametrize(("raw_from", "raw_to", "field"), [
    ("2026-02-30", None, "from"), ("yesterday", None, "from"), ("2026-1-5", None, "from"),
    (None, "2026/01/05", "to"), ("2026-03-10", "2026-03-01", "to"),
    ("2024-01-01", "2026-01-01", "to"),
])
def test_bad_report_dates_name_the_field(raw_from, raw_to, field):
    with pytest.raises(DomainError) as refused:
        reports.parse_report_range(raw_from, raw_to, today=datetime(2026, 6, 1).date())
    assert refused.value.code == "invalid_report_dates"
    assert field in refused.value.fields


def test_default_range_is_the_last_28_days():
    today = datetime(2026, 6, 1).date()
    assert reports.parse_report_range(None, None, today=today) == (
        today - timedelta(days=27), today)


def test_csv_has_a_row_per_day_with_plain_amounts(setup):
    brand, note, _other, product, alice, _bob = setup
    add_impressions(brand.campaign, day_at(1), 4, user=alice)
    add_click(brand.campaign, day_at(1), user=alice, charged_minor=125)
    paid_order(product, alice, day_at(1) + timedelta(hours=1), note_id=note.id)
    report = reports.campaign_report(brand.campaign, day_at(2).date(), day_at(1).date(),
                                     now=utcnow())
    lines = reports.report_csv(report).splitlines()
    assert lines[0] == ",".join(reports.CSV_HEADER)
    assert lines[1] == f"{day_at(2).date().isoformat()},0,0,0,,0.00,,,0,0.00,,USD"
    assert lines[2] == (f"{day_at(1).date().isoformat()},4,1,1,0.2500,1.25,312.50,1.25,1,"
                        "25.00,20.00,USD")


def test_another_brand_cannot_read_the_report(setup, ad_brand):
    brand = setup[0]
    other = ad_brand()
    with pytest.raises(NotFound):
        reports.brand_campaign_report(other.owner, other.org.id, brand.campaign.id, None,
                                      None, now=utcnow())
    with pytest.raises(NotFound):
        reports.brand_campaign_report(other.owner, brand.org.id, brand.campaign.id, None,
                                      None, now=utcnow())


def test_the_periodic_jobs_run_from_the_command_line(runner, setup):
    brand, _note, _other, _product, alice, _bob = setup
    add_impressions(brand.campaign, day_at(2), 3, user=alice)
    db.session.commit()
    rolled = runner.invoke(args=["placements", "roll-up"])
    assert rolled.exit_code == 0, rolled.output
    assert f"Stored {reports.ROLLUP_DAYS} campaign day(s)." in rolled.output
    assert db.session.query(CampaignReportDay).filter_by(
        campaign_id=brand.campaign.id, day=day_at(2).date()).one().impressions == 3
    for command, said in (("expire", "Expired 0 hold(s)."), ("pace", "Paced 0 booked")):
        result = runner.invoke(args=["placements", command])
        assert result.exit_code == 0 and said in result.output, result.output
