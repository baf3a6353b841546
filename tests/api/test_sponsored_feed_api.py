"""Sponsored notes in GET /api/v1/feed, and the view and hide endpoints apps call."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AdClick, AdHide, AdImpression, Campaign, Organization
from tests.ad_delivery_factories import BROWSER, brand, live_campaign, promoted_note

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def campaign(make_org, make_user, quick_note):
    author = make_user()
    for i in range(21):
        quick_note(author, f"Organic {i}", likes=30 - i)
    lumi = brand(make_org)
    note = promoted_note(make_user(display_name="Mika"), "Glow serum")
    return live_campaign(lumi, note, countries=["JP"], bid_minor=80)


@pytest.fixture
def shopper_headers(make_user, api_token):
    return {**api_token(make_user(home_country="JP")), "User-Agent": BROWSER}


def brand_of(campaign: Campaign) -> Organization:
    return db.session.get(Organization, campaign.organization_id)


def decoded(cursor: str) -> list:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def encoded(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def sponsored_items(body: dict) -> list[tuple[int, dict]]:
    return [(i, item) for i, item in enumerate(body["items"]) if item["sponsored"]]


def test_feed_item_carries_the_sponsored_object(client, campaign, shopper_headers):
    body = client.get("/api/v1/feed", headers=shopper_headers).get_json()
    ((index, item),) = sponsored_items(body)
    assert index == 2 and item["id"] == campaign.note_ids[0]
    sponsored = item["sponsored"]
    assert set(sponsored) == {"campaign_id", "label", "impression_token", "click_url"}
    assert sponsored["campaign_id"] == campaign.id and sponsored["label"] == "Sponsored"
    assert sponsored["click_url"].startswith("http://localhost/ads/click/")
    assert all(other["sponsored"] is False for other in body["items"] if other is not item)
    assert len(body["items"]) == 21


def test_chinese_label_and_untargeted_viewer(client, campaign, shopper_headers, make_user,
                                             api_token):
    body = client.get("/api/v1/feed?lang=zh", headers=shopper_headers).get_json()
    assert sponsored_items(body)[0][1]["sponsored"]["label"] == "赞助"
    elsewhere = {**api_token(make_user(home_country="US")), "User-Agent": BROWSER}
    assert sponsored_items(client.get("/api/v1/feed", headers=elsewhere).get_json()) == []
    following = client.get("/api/v1/feed?tab=following", headers=shopper_headers).get_json()
    assert sponsored_items(following) == []


def test_report_view_then_open_click_url(client, campaign, shopper_headers):
    body = client.get("/api/v1/feed", headers=shopper_headers).get_json()
    sponsored = sponsored_items(body)[0][1]["sponsored"]
    response = client.post("/api/v1/ads/impressions", headers=shopper_headers,
                           json={"impression_token": sponsored["impression_token"]})
    assert response.status_code == 204
    assert db.session.scalar(select(AdImpression.is_billable)) is True
    click = urlsplit(sponsored["click_url"])
    response = client.get(f"{click.path}?{click.query}", headers={"User-Agent": BROWSER})
    assert response.status_code == 303
    # the app opened the URL in a browser, signed out: the click is the token's viewer's
    click = db.session.scalars(select(AdClick)).one()
    assert (click.is_billable, click.charged_minor) == (True, 40)
    me = client.get("/api/v1/me", headers=shopper_headers).get_json()
    assert click.viewer_user_id == me["id"]
    assert db.session.get(Campaign, campaign.id).spent_minor == 40


def test_bad_impression_tokens_are_accepted_quietly(client, campaign):
    for body in ({"impression_token": "forged"}, {"impression_token": 12}, {}):
        assert client.post("/api/v1/ads/impressions", json=body).status_code == 204
    assert client.post("/api/v1/ads/impressions", data="nope",
                       content_type="text/plain").status_code == 400
    reasons = db.session.scalars(select(AdImpression.invalid_reason)).all()
    assert reasons == ["forged", "forged", "forged"]


def test_hide_through_the_api(client, campaign, shopper_headers):
    body = client.get("/api/v1/feed", headers=shopper_headers).get_json()
    token = sponsored_items(body)[0][1]["sponsored"]["impression_token"]
    response = client.post("/api/v1/ads/hides", headers=shopper_headers,
                           json={"impression_token": token, "reason": "bogus"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_ad_hide"
    response = client.post("/api/v1/ads/hides", headers=shopper_headers,
                           json={"impression_token": token, "reason": "not_relevant"})
    assert response.status_code == 201
    assert response.get_json() == {"campaign_id": campaign.id, "reason": "not_relevant"}
    assert db.session.scalars(select(AdHide.reason)).all() == ["not_relevant"]
    body = client.get("/api/v1/feed", headers=shopper_headers).get_json()
    assert sponsored_items(body) == []


def test_signed_out_app_is_capped_by_its_device_id(client, campaign):
    campaign.countries = []  # signed out: the default ship-to country
    campaign.frequency_cap_per_day = 1
    db.session.commit()
    device = {"X-Device-Id": "device-123456", "User-Agent": BROWSER}
    body = client.get("/api/v1/feed", headers=device).get_json()
    token = sponsored_items(body)[0][1]["sponsored"]["impression_token"]
    assert client.post("/api/v1/ads/impressions", headers=device,
                       json={"impression_token": token}).status_code == 204
    assert sponsored_items(client.get("/api/v1/feed", headers=device).get_json()) == []
    other = {"X-Device-Id": "device-999999", "User-Agent": BROWSER}
    assert sponsored_items(client.get("/api/v1/feed", headers=other).get_json())


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_next_page_does_not_show_the_same_sponsored_campaign(
        client, campaign, make_user, shopper_headers, signed_in):
    other = live_campaign(brand_of(campaign), promoted_note(make_user(), "Sun gel"),
                          countries=["JP"], bid_minor=60)
    if signed_in:
        headers = shopper_headers
    else:  # a signed-out app in Japan, whose organic items come from the shared cache
        for row in (campaign, other):
            row.countries = []
        db.session.commit()
        headers = {"X-Device-Id": "device-123456", "User-Agent": BROWSER}
    first = client.get("/api/v1/feed?limit=8", headers=headers).get_json()
    [(_i, ad)] = sponsored_items(first)
    assert ad["sponsored"]["campaign_id"] == campaign.id  # the higher bid
    second = client.get(f"/api/v1/feed?limit=8&cursor={first['next_cursor']}",
                        headers=headers).get_json()
    assert [item["sponsored"]["campaign_id"] for _i, item in sponsored_items(second)] \
        == [other.id]
    third = client.get(f"/api/v1/feed?limit=8&cursor={second['next_cursor']}",
                       headers=headers).get_json()
    assert sponsored_items(third) == []  # both shown already in this feed
    assert third["items"]  # the organic notes go on regardless


def test_a_cursor_with_forged_shown_campaigns_is_refused(client, campaign, shopper_headers):
    first = client.get("/api/v1/feed?limit=8", headers=shopper_headers).get_json()
    values = decoded(first["next_cursor"])
    for shown in (["x"], [0], list(range(1, 30)), "1"):
        forged = encoded([*values[:8], shown])
        answer = client.get(f"/api/v1/feed?limit=8&cursor={forged}", headers=shopper_headers)
        assert answer.status_code == 400
        assert answer.get_json()["error"]["code"] == "invalid_cursor"
