"""The brand portal's placements pages: calendar, hold, pay from the balance, cancel."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import PlacementBooking, utcnow
from app.services.ads import account_balance_minor

pytest_plugins = ["tests.ad_placement_factories"]


def test_calendar_hold_pay_and_cancel(client, login, post_form, ad_brand, discover_traffic):
    brand = ad_brand(balance_minor=10_000)
    discover_traffic("JP", 1000)
    login(brand.owner)
    start = utcnow().date() + timedelta(days=2)
    end = start + timedelta(days=2)
    page_url = (f"/orgs/{brand.org.id}/placements?country=JP&from={start.isoformat()}"
                f"&to={end.isoformat()}")
    page = client.get(page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('data-status="available"') == 3
    assert "$36.00" in html  # three days at $12.00
    held = post_form(f"/orgs/{brand.org.id}/placements/bookings", {
        "slot": "discover_first", "campaign_id": str(brand.campaign.id), "country": "JP",
        "start": start.isoformat(), "end": end.isoformat()}, page=page_url)
    assert held.status_code == 303, held.get_data(as_text=True)[:2000]
    booking = db.session.query(PlacementBooking).one()
    booking_url = f"/orgs/{brand.org.id}/placements/bookings/{booking.id}"
    assert held.headers["Location"].endswith(booking_url)
    assert "Pay $36.00 from the balance" in client.get(booking_url).get_data(as_text=True)
    paid = post_form(f"{booking_url}/pay", {}, page=booking_url, follow=True)
    assert paid.status_code == 200
    assert "Booked and paid from the balance." in paid.get_data(as_text=True)
    assert account_balance_minor(brand.account.id) == 10_000 - 3600
    cancelled = post_form(f"{booking_url}/cancel", {}, page=booking_url, follow=True)
    assert "Booking cancelled." in cancelled.get_data(as_text=True)
    assert account_balance_minor(brand.account.id) == 10_000


def test_overlap_shows_the_taken_dates(app, client, login, post_form, ad_brand,
                                       discover_traffic):
    first, second = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    start = utcnow().date() + timedelta(days=2)
    login(first.owner)
    page_url = f"/orgs/{first.org.id}/placements"
    post_form(f"/orgs/{first.org.id}/placements/bookings", {
        "slot": "discover_first", "campaign_id": str(first.campaign.id), "country": "JP",
        "start": start.isoformat(), "end": start.isoformat()}, page=page_url)
    other_browser = app.test_client()
    login(second.owner, target=other_browser)
    refused = post_form(f"/orgs/{second.org.id}/placements/bookings", {
        "slot": "discover_first", "campaign_id": str(second.campaign.id), "country": "JP",
        "start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()},
        page=f"/orgs/{second.org.id}/placements", target=other_browser)
    assert refused.status_code == 409
    assert start.isoformat() in refused.get_data(as_text=True)


def test_another_brands_pages_are_404(client, login, ad_brand, make_user):
    brand = ad_brand()
    login(make_user())
    assert client.get(f"/orgs/{brand.org.id}/placements").status_code == 404
    assert client.get(f"/orgs/{brand.org.id}/reports").status_code == 404
