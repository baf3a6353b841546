"""Sponsored notes in the HTML feeds: who sees them, the label, views, clicks, hiding, and
what they cost in queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AdClick, AdHide, AdImpression, Campaign, Organization, Partnership
from app.services import ads
from tests.ad_delivery_factories import BROWSER, brand, live_campaign, promoted_note
from tests.conftest import csrf_from
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures"]

CARD = re.compile(r'<article class="note-card sponsored" data-note-id="(\d+)" '
                  r'data-campaign-id="\d+" data-ad-impression="([^"]+)"')
CLICK = re.compile(r'href="(/ads/click/\d+\?t=[^"]+)"')


@pytest.fixture
def organic(quick_note, make_user):
    author = make_user()
    # A full first page ranked above the promoted note, so it only shows as sponsored.
    notes = [quick_note(author, f"Organic {i}", likes=30 - i) for i in range(21)]
    db.session.commit()
    return notes


@pytest.fixture
def campaign(make_org, make_user, organic):
    lumi = brand(make_org)
    note = promoted_note(make_user(display_name="Mika"), "Glow serum, honestly")
    return live_campaign(lumi, note, countries=["JP"], languages=["en", "ja"],
                         topics=["skincare"], bid_minor=80)


def page(client, url: str = "/") -> str:
    response = client.get(url, headers={"User-Agent": BROWSER})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_targeted_shopper_sees_a_sponsored_card_others_do_not(app, client, login, make_user,
                                                              campaign):
    login(make_user(home_country="JP"))
    html = page(client)
    cards = CARD.findall(html)
    assert [int(note_id) for note_id, _token in cards] == campaign.note_ids
    assert "Glow serum, honestly" in html and ">Sponsored<" in html
    assert "Hide this ad" in html and "js/ad_tracking.js" in html
    # third card of the page (position 3)
    order = re.findall(r'<article class="note-card[^"]*" data-note-id="(\d+)"', html)
    assert order.index(str(campaign.note_ids[0])) == 2

    elsewhere = app.test_client()
    login(make_user(home_country="US"), target=elsewhere)
    assert CARD.findall(page(elsewhere)) == []
    assert CARD.findall(page(app.test_client())) == [], "a guest in the default country"


def test_view_then_click_is_counted_and_charged_then_opens_the_note(client, login,
                                                                   make_user, campaign):
    shopper = make_user(home_country="JP")
    login(shopper)
    html = page(client)
    (_note_id, impression), = CARD.findall(html)
    click_url = CLICK.search(html).group(1).replace("&amp;", "&")
    response = client.post("/ads/impressions", data={"token": impression},
                           headers={"User-Agent": BROWSER})
    assert response.status_code == 204
    assert db.session.scalar(select(AdImpression.is_billable)) is True
    response = client.get(click_url, headers={"User-Agent": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/notes/{campaign.note_ids[0]}"
    click = db.session.scalars(select(AdClick)).one()
    assert (click.is_billable, click.viewer_user_id, click.charged_minor) == \
        (True, shopper.id, 40)  # alone in the auction: the 50 % reserve of 0.80
    assert db.session.get(Campaign, campaign.id).spent_minor == 40
    # the same click URL again: still redirects, not billed
    again = client.get(click_url, headers={"User-Agent": BROWSER})
    assert again.status_code == 303
    assert db.session.get(Campaign, campaign.id).spent_minor == 40


def test_bad_tokens_answer_without_error_pages(client, campaign):
    assert client.post("/ads/impressions", data={"token": "nonsense"}).status_code == 204
    assert client.post("/ads/impressions").status_code == 204
    response = client.get(f"/ads/click/{campaign.note_ids[0]}?t=forged")
    assert response.status_code == 303
    reasons = db.session.scalars(select(AdClick.invalid_reason)).all() + \
        db.session.scalars(select(AdImpression.invalid_reason)).all()
    assert sorted(reasons) == ["forged", "forged", "forged"]


def test_hide_an_ad_with_a_reason(client, login, make_user, campaign):
    shopper = make_user(home_country="JP")
    login(shopper)
    html = page(client)
    (_note_id, impression), = CARD.findall(html)
    response = client.post("/ads/hide", data={"csrf_token": csrf_from(html),
                                              "token": impression, "reason": "seen_too_often",
                                              "next": "/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    hide = db.session.scalars(select(AdHide)).one()
    assert (hide.user_id, hide.reason, hide.campaign_id) == \
        (shopper.id, "seen_too_often", campaign.id)
    assert CARD.findall(page(client)) == []


def test_topic_and_search_pages_carry_topic_targeted_ads(client, login, make_user, campaign,
                                                         organic):
    from app.models import NoteTopic, Topic

    topic = Topic(name="skincare", note_count=len(organic))
    db.session.add(topic)
    db.session.flush()
    for note in organic:
        db.session.add(NoteTopic(note_id=note.id, topic_id=topic.id))
    db.session.commit()
    login(make_user(home_country="JP"))
    assert len(CARD.findall(page(client, "/topics/skincare"))) == 1


def test_partnership_note_is_labelled_with_the_brand_in_chinese(client, login, make_user,
                                                                campaign):
    note_id = campaign.note_ids[0]
    db.session.add(Partnership(organization_id=campaign.organization_id,
                               account_id=campaign.account_id,
                               creator_id=campaign.campaign_notes[0].note.author_id,
                               title="Glow", brief="Try it", fee_minor=1000, currency="USD",
                               status="published", note_id=note_id))
    campaign.languages = ["zh"]  # the viewer reads Qiao in Chinese
    db.session.commit()
    login(make_user(home_country="JP", locale="zh"))
    html = page(client)
    assert "赞助 · 合作品牌 Lumi Beauty" in html
    assert "隐藏这条广告" in html and ">Sponsored" not in html


def test_discover_with_ads_costs_at_most_two_more_queries(app, client, login, make_user,
                                                          campaign, monkeypatch):
    monkeypatch.setitem(app.config, "ADS_SNAPSHOT_SECONDS", 600)
    ads.invalidate_snapshot()  # built by this test's data, not an earlier test's
    login(make_user(home_country="JP"))
    page(client)  # warm the snapshot and every per-process cache
    monkeypatch.setitem(app.config, "ADS_ENABLED", False)
    page(client)
    with QueryCounter() as without:
        html = page(client)
    assert CARD.findall(html) == []
    monkeypatch.setitem(app.config, "ADS_ENABLED", True)
    with QueryCounter() as with_ads:
        html = page(client)
    assert len(CARD.findall(html)) == 1
    assert with_ads.count - without.count <= 2, with_ads.statements[without.count:]
    ads.invalidate_snapshot()


def test_view_reports_are_rate_limited_per_address(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "ADS_TRACKING_RATE_LIMIT", "3 per minute")
    answers = [client.post("/ads/impressions", data={"token": "x"}).status_code
               for _ in range(4)]
    assert answers == [204, 204, 204, 429]
    api = [client.post("/api/v1/ads/impressions", json={"impression_token": "x"}).status_code
           for _ in range(4)]
    assert api == [204, 204, 204, 429]


def test_the_next_page_leaves_out_the_campaigns_the_page_shows(client, login, make_user,
                                                              campaign, quick_note):
    other = live_campaign(db.session.get(Organization, campaign.organization_id),
                          promoted_note(make_user(), "Sun gel"), countries=["JP"],
                          bid_minor=60)
    author = make_user()
    for i in range(25):  # a second page
        quick_note(author, f"Later {i}", likes=1)
    db.session.commit()
    login(make_user(home_country="JP"))
    first = page(client)
    assert f'data-campaign-id="{campaign.id}"' in first
    more = re.search(r'data-load-more="([^"]+)"', first).group(1).replace("&amp;", "&")
    # feed.js names the campaigns the page shows; the next page shows another one.
    nxt = page(client, f"{more}&seen_ads={campaign.id}")
    assert re.findall(r'data-campaign-id="(\d+)"', nxt) == [str(other.id)]
    assert 'data-campaign-id=' not in page(client, f"{more}&seen_ads={campaign.id},{other.id}")
    garbled = client.get(f"{more}&seen_ads=1,x", headers={"User-Agent": BROWSER})
    assert garbled.status_code == 400
