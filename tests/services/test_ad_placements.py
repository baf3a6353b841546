"""Guaranteed placements: availability, hold, pay from the balance, expiry, cancel, refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AdLedgerEntry,
    DiscoverViewDay,
    PlacementBooking,
    PlacementSlotDay,
    utcnow,
)
from app.services.ads import account_balance_minor, bookings, ledger_sum_minor, placements
from app.services.errors import DomainError, NotFound

pytest_plugins = ["tests.ad_placement_factories"]


@pytest.fixture
def now():
    return utcnow()


@pytest.fixture
def run(now):
    """Three days starting the day after tomorrow (UTC)."""
    first = now.date() + timedelta(days=2)
    return first, first + timedelta(days=2)


def book(brand, run, now, country="JP", **kwargs):
    start, end = kwargs.pop("days", run)
    return bookings.book_placement(brand.owner, brand.org.id,
                                     campaign_id=brand.campaign.id, slot_code="discover_first",
                                     country=country, start=start, end=end, now=now, **kwargs)


def statuses(brand, run, now, country="JP"):
    answer = bookings.placement_availability(brand.owner, brand.org.id, "discover_first",
                                               country, run[0], run[1], now=now)
    return [(d.status, d.bookable) for d in answer.days]


def test_steady_traffic_is_available_and_priced_at_the_cpm(ad_brand, discover_traffic, run,
                                                          now):
    brand = ad_brand()
    discover_traffic("JP", 1000)
    answer = bookings.placement_availability(brand.owner, brand.org.id, "discover_first",
                                               "jp", run[0], run[1], now=now)
    assert [d.status for d in answer.days] == ["available"] * 3
    assert all(d.bookable and d.forecast.expected == 1000 for d in answer.days)
    # 1,000 views at USD 12.00 per thousand.
    assert {d.price.minor for d in answer.days} == {1200}
    assert answer.country == "JP"


def test_little_history_is_possible_and_priced_at_the_lower_bound(ad_brand, discover_traffic,
                                                                  run, now):
    brand = ad_brand()
    discover_traffic("FR", 400, days=5)
    answer = bookings.placement_availability(brand.owner, brand.org.id, "discover_first",
                                               "FR", run[0], run[1], now=now)
    assert {d.status for d in answer.days} == {"possible"}
    assert all(d.bookable for d in answer.days)


def test_hold_then_pay_charges_the_balance_once(ad_brand, discover_traffic, run, now):
    brand = ad_brand(balance_minor=10_000)
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    assert booking.state == "held"
    assert booking.hold_expires_at == now + timedelta(minutes=30)
    assert (booking.price_minor, booking.planned_impressions) == (3600, 3000)
    assert account_balance_minor(brand.account.id) == 10_000  # a hold costs nothing yet
    assert statuses(brand, run, now) == [("booked", False)] * 3  # mine, held

    bookings.pay_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    db.session.commit()
    assert booking.state == "paid"
    assert account_balance_minor(brand.account.id) == 10_000 - 3600
    assert ledger_sum_minor(brand.account.id) == 10_000 - 3600
    charge = db.session.scalar(select(AdLedgerEntry).where(
        AdLedgerEntry.kind == "placement_charge", AdLedgerEntry.reference_id == booking.id))
    assert charge.amount_minor == -3600
    days = db.session.scalars(select(PlacementSlotDay).where(
        PlacementSlotDay.booking_id == booking.id)).all()
    assert [(d.state, d.planned_impressions) for d in days] == [("booked", 1000)] * 3

    with pytest.raises(DomainError) as again:
        bookings.pay_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    assert again.value.code == "placement_not_payable"


def test_overlapping_booking_is_refused_with_the_taken_dates(ad_brand, discover_traffic, run,
                                                            now):
    first, second = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    book(first, run, now)
    db.session.commit()
    overlapping = (run[1], run[1] + timedelta(days=2))
    with pytest.raises(DomainError) as refused:
        book(second, run, now, days=overlapping)
    assert refused.value.code == "placement_unavailable"
    assert refused.value.status == 409
    assert refused.value.fields["dates"] == [run[1].isoformat()]
    assert run[1].isoformat() in refused.value.message
    # Nothing of the refused booking remains, and the free days were not claimed.
    assert db.session.scalar(select(func.count()).select_from(PlacementBooking).where(
        PlacementBooking.organization_id == second.org.id)) == 0
    assert statuses(second, overlapping, now) == [
        ("possible", False), ("available", True), ("available", True)]
    # Another country is another slot-day.
    assert book(second, run, now, country="US").state == "held"


def test_an_expired_hold_never_blocks_and_cannot_be_paid(ad_brand, discover_traffic, run, now):
    first, second = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    stale = book(first, run, now)
    db.session.commit()
    later = now + timedelta(minutes=31)
    # Before the expiry job ran: the lapsed hold is ignored by availability and claims.
    assert statuses(second, run, later) == [("available", True)] * 3
    fresh = book(second, run, later)
    db.session.commit()
    assert fresh.state == "held"
    with pytest.raises(DomainError) as late:
        bookings.pay_placement_booking(first.owner, first.org.id, stale.id, now=later)
    assert late.value.code == "placement_hold_expired"
    db.session.rollback()

    assert placements.expire_placement_holds(now=later) == 1
    db.session.commit()
    db.session.refresh(stale)
    assert stale.state == "expired"
    # The job freed nothing of the newer booking's days.
    held = db.session.scalars(select(PlacementSlotDay.booking_id).where(
        PlacementSlotDay.day.between(*run), PlacementSlotDay.country == "JP")).all()
    assert set(held) == {fresh.id}
    slot_id = placements.get_slot("discover_first").id
    for day in placements.run_days(*run):
        assert placements.count_live_bookings(slot_id, "JP", day, later) == 1


def test_the_expiry_job_frees_days_of_unclaimed_lapsed_holds(ad_brand, discover_traffic, run,
                                                            now):
    brand = ad_brand()
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    db.session.commit()
    assert placements.expire_placement_holds(now=now + timedelta(minutes=29)) == 0
    assert placements.expire_placement_holds(now=now + timedelta(minutes=30)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PlacementSlotDay).where(
        PlacementSlotDay.booking_id == booking.id)) == 0
    assert booking.effective_state(now + timedelta(minutes=30)) == "expired"


def test_cancel_before_the_start_refunds_and_frees_the_days(ad_brand, discover_traffic, run,
                                                           now):
    brand, other = ad_brand(balance_minor=10_000), ad_brand()
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    bookings.pay_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    db.session.commit()
    bookings.cancel_placement_booking(brand.owner, brand.org.id, booking.id,
                                        now=now + timedelta(hours=1))
    db.session.commit()
    assert booking.state == "cancelled"
    assert account_balance_minor(brand.account.id) == 10_000
    assert ledger_sum_minor(brand.account.id) == 10_000
    refund = db.session.scalar(select(AdLedgerEntry).where(
        AdLedgerEntry.kind == "placement_refund", AdLedgerEntry.reference_id == booking.id))
    assert refund.amount_minor == 3600
    # Cancelling twice refunds once.
    bookings.cancel_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    assert account_balance_minor(brand.account.id) == 10_000
    assert book(other, run, now).state == "held"


def test_releasing_a_hold_refunds_nothing(ad_brand, discover_traffic, run, now):
    brand = ad_brand(balance_minor=10_000)
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    bookings.cancel_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    assert booking.state == "cancelled"
    assert account_balance_minor(brand.account.id) == 10_000
    assert db.session.scalar(select(func.count()).select_from(AdLedgerEntry).where(
        AdLedgerEntry.reference_type == "placement_booking")) == 0


def test_cancel_after_the_start_is_refused(ad_brand, discover_traffic, run, now):
    brand = ad_brand(balance_minor=10_000)
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    bookings.pay_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    db.session.commit()
    started = placements.day_start(run[0]) + timedelta(minutes=1)
    with pytest.raises(DomainError) as refused:
        bookings.cancel_placement_booking(brand.owner, brand.org.id, booking.id,
                                            now=started)
    assert refused.value.code == "placement_already_started"
    assert refused.value.status == 409
    assert booking.state == "paid"
    assert account_balance_minor(brand.account.id) == 10_000 - 3600


def test_paying_without_enough_balance_is_refused(ad_brand, discover_traffic, run, now):
    brand = ad_brand(balance_minor=1000)
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        bookings.pay_placement_booking(brand.owner, brand.org.id, booking.id, now=now)
    assert refused.value.code == "insufficient_balance"
    db.session.rollback()
    assert booking.effective_state(now) == "held"
    assert account_balance_minor(brand.account.id) == 1000


@pytest.mark.parametrize(("country", "start_offset", "length", "field", "code"), [
    ("JP", 0, 1, "start", "invalid_placement_dates"),  # today: too late
    ("JP", -3, 1, "start", "invalid_placement_dates"),
    ("JP", 181, 1, "start", "invalid_placement_dates"),
    ("JP", 2, 0, "end", "invalid_placement_dates"),  # last day before the first
    ("JP", 2, 32, "end", "invalid_placement_dates"),
    ("XX", 2, 1, "country", "unknown_country"),
])
def test_bad_runs_name_the_field(ad_brand, run, now, country, start_offset, length, field,
                                 code):
    brand = ad_brand()
    start = now.date() + timedelta(days=start_offset)
    with pytest.raises(DomainError) as refused:
        book(brand, run, now, country=country,
             days=(start, start + timedelta(days=length - 1)))
    assert refused.value.code == code
    assert field in refused.value.fields
    assert db.session.scalar(select(func.count()).select_from(PlacementBooking)) == 0


def test_another_brands_booking_and_campaign_read_as_missing(ad_brand, discover_traffic, run,
                                                            now):
    brand, other = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    booking = book(brand, run, now)
    with pytest.raises(NotFound):
        bookings.brand_booking(other.owner, other.org.id, booking.id)
    with pytest.raises(NotFound):
        bookings.cancel_placement_booking(other.owner, other.org.id, booking.id, now=now)
    with pytest.raises(NotFound):
        bookings.brand_booking(other.owner, brand.org.id, booking.id)
    with pytest.raises(NotFound):
        bookings.book_placement(other.owner, other.org.id, campaign_id=brand.campaign.id,
                                  slot_code="discover_first", country="JP", start=run[0],
                                  end=run[1], now=now)


def test_discover_views_are_counted_per_country_and_day(app, now):
    placements.record_discover_view("jp", now)
    placements.record_discover_view("JP", now)
    placements.record_discover_view("US", now)
    placements.record_discover_view(None, now)
    placements.record_discover_view("ZZ", now)
    rows = dict(db.session.execute(select(DiscoverViewDay.country, DiscoverViewDay.views)
                                   .where(DiscoverViewDay.day == now.date())).all())
    assert rows == {"JP": 2, "US": 1}


def test_placements_are_booked_within_a_campaign_that_can_run(ad_brand, discover_traffic,
                                                              run, now):
    brand = ad_brand()
    discover_traffic("JP", 1000)
    brand.campaign.ends_at = placements.day_start(run[1])  # its last day is the one before
    with pytest.raises(DomainError) as outside:
        book(brand, run, now)
    assert outside.value.code == "placement_outside_flight"
    assert "end" in outside.value.fields
    assert book(brand, run, now, days=(run[0], run[1] - timedelta(days=1))).state == "held"
    brand.campaign.status = "completed"
    with pytest.raises(DomainError) as finished:
        book(brand, run, now, days=(run[0], run[0]), country="US")
    assert finished.value.code == "campaign_not_bookable"
