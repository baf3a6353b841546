"""Guaranteed placements through the API: availability, book, pay, cancel, codes and 404s."""

from __future__ import annotations

from datetime import timedelta

from app.models import utcnow
from app.services.ads import account_balance_minor

pytest_plugins = ["tests.ad_placement_factories"]


def days_ahead(first: int, count: int = 3) -> tuple[str, str]:
    start = utcnow().date() + timedelta(days=first)
    return start.isoformat(), (start + timedelta(days=count - 1)).isoformat()


def base(brand) -> str:
    return f"/api/v1/brands/{brand.org.id}/placements"


def test_availability_book_pay_and_cancel(client, api_token, ad_brand, discover_traffic):
    brand = ad_brand(balance_minor=10_000)
    discover_traffic("JP", 1000)
    headers = api_token(brand.owner)
    start, end = days_ahead(2)
    seen = client.get(f"{base(brand)}/availability?country=JP&from={start}&to={end}",
                      headers=headers)
    assert seen.status_code == 200, seen.get_json()
    body = seen.get_json()
    assert body["currency"] == "USD" and body["slot"] == "discover_first"
    assert [d["status"] for d in body["days"]] == ["available"] * 3
    assert body["days"][0]["price"] == {"amount": "12.00", "currency": "USD"}
    assert body["days"][0]["forecast"] == {"expected": 1000, "low": 1000, "high": 1000,
                                           "confident": True}

    made = client.post(f"{base(brand)}/bookings", headers=headers, json={
        "campaign_id": brand.campaign.id, "country": "JP", "start": start, "end": end})
    assert made.status_code == 201, made.get_json()
    booking = made.get_json()
    assert booking["status"] == "held" and booking["price"] == {"amount": "36.00",
                                                                "currency": "USD"}
    paid = client.post(f"{base(brand)}/bookings/{booking['id']}/pay", headers=headers)
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    assert account_balance_minor(brand.account.id) == 10_000 - 3600
    listed = client.get(f"{base(brand)}/bookings", headers=headers).get_json()
    assert [b["id"] for b in listed["items"]] == [booking["id"]]
    cancelled = client.post(f"{base(brand)}/bookings/{booking['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert account_balance_minor(brand.account.id) == 10_000


def test_overlap_answers_409_with_the_dates(client, api_token, ad_brand, discover_traffic):
    first, second = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    start, end = days_ahead(2)
    assert client.post(f"{base(first)}/bookings", headers=api_token(first.owner), json={
        "campaign_id": first.campaign.id, "country": "JP", "start": start, "end": end,
        "pay": True}).get_json()["status"] == "paid"
    later_start, later_end = days_ahead(4)
    refused = client.post(f"{base(second)}/bookings", headers=api_token(second.owner), json={
        "campaign_id": second.campaign.id, "country": "JP", "start": later_start,
        "end": later_end})
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    assert error["code"] == "placement_unavailable"
    assert error["fields"]["dates"] == [end]
    seen = client.get(f"{base(second)}/availability?country=JP&from={start}&to={end}",
                      headers=api_token(second.owner)).get_json()
    assert {d["status"] for d in seen["days"]} == {"booked"}
    assert not any(d["bookable"] or d["mine"] for d in seen["days"])


def test_bad_input_names_the_field(client, api_token, ad_brand):
    brand = ad_brand()
    headers = api_token(brand.owner)
    today = utcnow().date().isoformat()
    start, end = days_ahead(2)
    cases = [
        ({"campaign_id": brand.campaign.id, "country": "JP", "start": today, "end": end},
         "invalid_placement_dates", "start"),
        ({"campaign_id": brand.campaign.id, "country": "JP", "start": end, "end": start},
         "invalid_placement_dates", "end"),
        ({"campaign_id": brand.campaign.id, "country": "JP", "start": "2026-13-01",
          "end": end}, "invalid_placement_dates", "start"),
        ({"campaign_id": brand.campaign.id, "country": "QQ", "start": start, "end": end},
         "unknown_country", "country"),
    ]
    for body, code, field in cases:
        answer = client.post(f"{base(brand)}/bookings", headers=headers, json=body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert answer.get_json()["error"]["code"] == code
        assert field in answer.get_json()["error"]["fields"]
    bad = client.get(f"{base(brand)}/availability?country=JP&from=tomorrow&to={end}",
                     headers=headers)
    assert bad.status_code == 422 and "from" in bad.get_json()["error"]["fields"]


def test_another_brand_gets_404(client, api_token, ad_brand, discover_traffic):
    brand, other = ad_brand(), ad_brand()
    discover_traffic("JP", 1000)
    start, end = days_ahead(2)
    made = client.post(f"{base(brand)}/bookings", headers=api_token(brand.owner), json={
        "campaign_id": brand.campaign.id, "country": "JP", "start": start,
        "end": end}).get_json()
    stranger = api_token(other.owner)
    assert client.get(f"{base(brand)}/bookings/{made['id']}",
                      headers=stranger).status_code == 404
    assert client.get(f"{base(other)}/bookings/{made['id']}",
                      headers=stranger).status_code == 404
    assert client.post(f"{base(other)}/bookings/{made['id']}/cancel",
                       headers=stranger).status_code == 404
    assert client.get(f"{base(brand)}/availability?country=JP&from={start}&to={end}",
                      headers=stranger).status_code == 404
    # Booking for another brand's campaign from one's own brand: 404 too.
    assert client.post(f"{base(other)}/bookings", headers=stranger, json={
        "campaign_id": brand.campaign.id, "country": "JP", "start": start,
        "end": end}).status_code == 404
