"""Impression and click tracking: invalid buckets are recorded and never billed; spend is
charged exactly (CPM fractions carry over) and stops at the budget and the daily cap."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdClick, AdImpression, Campaign, CampaignDay, utcnow
from app.services import ads
from tests.ad_delivery_factories import (
    brand,
    live_campaign,
    promoted_note,
    requester_of,
    tokens_for,
    viewer_of,
)


@pytest.fixture
def lumi(make_org):
    return brand(make_org)


@pytest.fixture
def shopper(make_user):
    return make_user()


@pytest.fixture
def cpc(lumi, make_user):
    return live_campaign(lumi, promoted_note(make_user()), bid_minor=80, budget_minor=10_000)


def day_of(campaign) -> CampaignDay:
    return db.session.scalars(select(CampaignDay).where(
        CampaignDay.campaign_id == campaign.id)).one()


def spent(campaign) -> int:
    return db.session.scalar(select(Campaign.spent_minor).where(Campaign.id == campaign.id))


def buckets(model) -> dict:
    return dict(db.session.execute(select(model.invalid_reason, func.count())
                                   .group_by(model.invalid_reason)).all())


def test_a_click_after_a_view_is_billed_at_its_price_once(cpc, shopper):
    impression, click = tokens_for(cpc, viewer_of(shopper), price_micros=61_500_000)
    seen = ads.record_impression(impression, requester_of(shopper))
    assert (seen.is_billable, seen.charged_minor) == (True, 0)  # CPC: views are free
    clicked = ads.record_click(click, requester_of(shopper), note_id=cpc.note_ids[0])
    assert (clicked.is_billable, clicked.charged_minor, clicked.note_id) == \
        (True, 61, cpc.note_ids[0])
    assert spent(cpc) == 61
    again = ads.record_click(click, requester_of(shopper), note_id=cpc.note_ids[0])
    assert (again.is_billable, again.invalid_reason, again.note_id) == \
        (False, "replay", cpc.note_ids[0])
    assert spent(cpc) == 61
    day = day_of(cpc)
    assert (day.impressions, day.clicks, day.invalid_clicks, day.spend_minor) == (1, 1, 1, 61)
    assert day.spend_micros == 61_500_000
    assert buckets(AdClick) == {None: 1, "replay": 1}


def test_forged_expired_bot_and_no_view_clicks_are_bucketed_not_billed(app, cpc, shopper,
                                                                      make_user, monkeypatch):
    viewer = viewer_of(shopper)
    note_id = cpc.note_ids[0]
    _imp, click = tokens_for(cpc, viewer, price_micros=80 * 10**6)
    assert ads.record_click(click, requester_of(shopper)).invalid_reason == "bot"  # no view
    impression, click = tokens_for(cpc, viewer, price_micros=80 * 10**6)
    ads.record_impression(impression, requester_of(shopper))
    outcomes = [
        ads.record_click(click[:-3] + "abc", requester_of(shopper), note_id=note_id),
        ads.record_click(click, requester_of(make_user()), note_id=note_id),  # not theirs
        ads.record_click(click, requester_of(shopper), note_id=note_id + 1),  # wrong note
        ads.record_click(click, requester_of(shopper, agent="Googlebot/2.1"), note_id=note_id),
        ads.record_click(click, requester_of(shopper, agent=""), note_id=note_id),
    ]
    assert [o.invalid_reason for o in outcomes] == ["forged", "forged", "forged", "bot", "bot"]
    assert all(o.note_id is not None for o in outcomes), "the redirect still has a note"
    later = time.time() + app.config["ADS_TOKEN_TTL_SECONDS"] + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert ads.record_click(click, requester_of(shopper)).invalid_reason == "expired"
    assert spent(cpc) == 0
    assert buckets(AdClick) == {"bot": 3, "forged": 3, "expired": 1}
    assert day_of(cpc).invalid_clicks == 7 - 1  # the forged signature names no campaign
    assert db.session.scalar(select(func.count()).select_from(AdClick)
                             .where(AdClick.campaign_id.is_(None))) == 1


def test_second_click_by_the_same_viewer_is_a_duplicate(cpc, shopper):
    for expected in (True, False):
        impression, click = tokens_for(cpc, viewer_of(shopper), price_micros=10**6)
        ads.record_impression(impression, requester_of(shopper),
                              now=utcnow() + timedelta(seconds=30 * (not expected)))
        outcome = ads.record_click(click, requester_of(shopper))
        assert outcome.is_billable is expected
    assert outcome.invalid_reason == "duplicate"
    assert spent(cpc) == 1


def test_cpm_impressions_bill_fractions_exactly(app, lumi, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "ADS_IMPRESSION_DEDUP_SECONDS", 0)
    campaign = live_campaign(lumi, promoted_note(make_user()), objective="awareness",
                             bid_minor=500, budget_minor=10_000)
    viewer = viewer_of(anon="reader")
    # 0.37 cents per impression: 30 impressions = 11.1 cents -> 11 billed, 0.1 carried
    charged = []
    for _ in range(30):
        impression, click = tokens_for(campaign, viewer, price_micros=370_000)
        charged.append(ads.record_impression(impression,
                                             requester_of(anon="reader")).charged_minor)
    assert sum(charged) == 11 == spent(campaign)
    assert day_of(campaign).spend_micros == 30 * 370_000
    # a click on a CPM campaign is counted but free
    outcome = ads.record_click(click, requester_of(anon="reader"))
    assert (outcome.is_billable, outcome.charged_minor) == (True, 0)
    assert spent(campaign) == 11


def test_budget_exhausted_buckets_over_budget_and_completes(lumi, make_user):
    campaign = live_campaign(lumi, promoted_note(make_user()), bid_minor=100,
                             budget_minor=250)
    outcomes = []
    for _ in range(5):
        clicker = make_user()
        impression, click = tokens_for(campaign, viewer_of(clicker), price_micros=100 * 10**6)
        ads.record_impression(impression, requester_of(clicker))
        outcomes.append(ads.record_click(click, requester_of(clicker)))
    assert [o.invalid_reason for o in outcomes] == [None, None, None, "over_budget",
                                                    "over_budget"]
    assert spent(campaign) == 300  # one maximum bid over, never more
    assert db.session.get(Campaign, campaign.id).status == "completed"
    assert day_of(campaign).spend_minor == 300 and day_of(campaign).clicks == 3


def test_daily_cap_stops_billing_for_the_day(lumi, make_user):
    campaign = live_campaign(lumi, promoted_note(make_user()), bid_minor=100,
                             budget_minor=10_000, daily_cap_minor=200)
    results = []
    for _ in range(3):
        clicker = make_user()
        impression, click = tokens_for(campaign, viewer_of(clicker), price_micros=100 * 10**6)
        ads.record_impression(impression, requester_of(clicker))
        results.append(ads.record_click(click, requester_of(clicker)).invalid_reason)
    assert results == [None, None, "over_budget"]
    assert spent(campaign) == 200
    assert db.session.get(Campaign, campaign.id).status == "active"
    assert day_of(campaign).spend_micros == 200 * 10**6, "the refused charge was undone"


def test_impression_replay_and_anonymous_viewer(cpc):
    impression, _click = tokens_for(cpc, viewer_of(anon="cookie-1"))
    first = ads.record_impression(impression, requester_of(anon="cookie-1"))
    second = ads.record_impression(impression, requester_of(anon="cookie-1"))
    assert (first.is_billable, second.invalid_reason) == (True, "replay")
    assert buckets(AdImpression) == {None: 1, "replay": 1}
    row = db.session.scalars(select(AdImpression).where(AdImpression.is_billable)).one()
    assert (row.viewer_anon_id, row.surface, row.position, row.country) == \
        ("cookie-1", "discover", 3, "JP")


def test_a_paused_campaign_is_charged_nothing_more(cpc, shopper):
    impression, click = tokens_for(cpc, viewer_of(shopper), price_micros=80 * 10**6)
    ads.record_impression(impression, requester_of(shopper))
    cpc.status = "paused"
    db.session.commit()
    outcome = ads.record_click(click, requester_of(shopper))
    assert (outcome.is_billable, outcome.invalid_reason) == (False, "over_budget")
    assert spent(cpc) == 0 and day_of(cpc).spend_micros == 0
    assert db.session.get(Campaign, cpc.id).status == "paused"


def test_signed_out_presenter_of_a_users_click_is_that_user(cpc, shopper):
    # An app opens the click URL in the system browser, where the shopper is signed out.
    impression, click = tokens_for(cpc, viewer_of(shopper), price_micros=50 * 10**6)
    ads.record_impression(impression, requester_of(shopper))
    outcome = ads.record_click(click, requester_of(anon="browser-cookie"))
    assert (outcome.is_billable, outcome.charged_minor) == (True, 50)
    row = db.session.scalars(select(AdClick)).one()
    assert (row.viewer_user_id, row.viewer_anon_id) == (shopper.id, None)
