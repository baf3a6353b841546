"""Serving sponsored notes: eligibility against real campaigns, caps, hides, budget stop,
the pacing loop, and both counter stores (database and Redis)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis

from app.extensions import db
from app.models import AdFrequency, Campaign, CampaignDay, utcnow
from app.services import ads
from app.services.ads import AdViewer, DatabaseCounters, RedisCounters
from app.services.ads.snapshot import current_snapshot
from app.services.ads.tokens import read_token
from tests.ad_delivery_factories import (
    brand,
    live_campaign,
    promoted_note,
    requester_of,
    serve,
    tokens_for,
    viewer_of,
)
from tests.notes_factories import QueryCounter


@pytest.fixture
def lumi(make_org):
    return brand(make_org)


@pytest.fixture
def creator(make_user):
    return make_user(display_name="Mika")


def test_targeted_viewer_gets_the_note_at_the_configured_position(app, lumi, creator,
                                                                  make_user):
    note = promoted_note(creator)
    campaign = live_campaign(lumi, note, countries=["JP"], languages=["ja", "en"])
    shopper = make_user()
    slots = serve(viewer_of(shopper, country="JP", language="ja"))
    assert [(s.index, s.campaign_id, s.note_id) for s in slots] == [(2, campaign.id, note.id)]
    token = read_token(app.config["SECRET_KEY"], "impression", slots[0].impression_token, 60)
    assert token.invalid_reason is None
    assert token.token.viewer == f"u:{shopper.id}" and token.token.position == 3
    # lone bidder: the reserve price (50 % of a 0.50 bid per click)
    assert token.token.price_micros == 25 * 10**6
    assert serve(viewer_of(shopper, country="US", language="ja")) == []
    assert serve(viewer_of(shopper, country="JP", language="zh")) == []


def test_positions_follow_configuration_and_short_pages(app, lumi, creator, monkeypatch):
    notes = [promoted_note(creator, f"Ad {i}") for i in range(3)]
    for i, note in enumerate(notes):
        live_campaign(lumi, note, bid_minor=50 + 10 * i)
    monkeypatch.setitem(app.config, "ADS_DISCOVER_POSITIONS", "3,11,19")
    slots = serve(viewer_of(anon="a1"), page=20)
    assert [s.index for s in slots] == [2, 10, 18]
    assert [s.note_id for s in slots] == [notes[2].id, notes[1].id, notes[0].id]
    assert [s.index for s in serve(viewer_of(anon="a1"), page=5)] == [2]
    monkeypatch.setitem(app.config, "ADS_DISCOVER_POSITIONS", "")
    assert serve(viewer_of(anon="a1")) == []


def test_topic_targeting_on_topic_and_search_surfaces(lumi, creator):
    live_campaign(lumi, promoted_note(creator), topics=["skincare"])
    viewer = viewer_of(anon="a2")
    assert serve(viewer, "topic", topics=["skincare"])
    assert serve(viewer, "topic", topics=["travel"]) == []
    assert serve(viewer, "search", topics=["skincare", "serum"])
    assert serve(viewer, "discover")  # Discover has no topic context


def test_audience_new_returning_and_engaged(lumi, creator, make_user):
    from app.models import NoteLike

    note = promoted_note(creator)
    live_campaign(lumi, note, audience="engaged")
    fan, stranger = make_user(), make_user()
    db.session.add(NoteLike(user_id=fan.id, note_id=note.id))
    db.session.commit()
    assert serve(viewer_of(fan))
    assert serve(viewer_of(stranger)) == []
    assert serve(viewer_of(anon="anon")) == []


def test_not_in_flight_or_not_approved_is_not_served(lumi, creator):
    later = live_campaign(lumi, promoted_note(creator), starts_at=utcnow() + timedelta(hours=1))
    draft = live_campaign(lumi, promoted_note(creator), status="in_review")
    hidden_note = promoted_note(creator)
    live_campaign(lumi, hidden_note)
    hidden_note.status = "draft"
    db.session.commit()
    assert serve(viewer_of(anon="a")) == []
    later.starts_at = utcnow() - timedelta(minutes=1)
    draft.status = "active"
    db.session.commit()
    assert {s.campaign_id for s in serve(viewer_of(anon="a"))} == {later.id, draft.id}


def test_frequency_cap_counts_reported_views(app, lumi, creator, make_user):
    campaign = live_campaign(lumi, promoted_note(creator), frequency_cap_per_day=2)
    shopper = make_user()
    viewer = viewer_of(shopper)
    for _ in range(2):
        slot = serve(viewer)[0]
        assert ads.record_impression(slot.impression_token, requester_of(shopper),
                                     now=utcnow() + timedelta(seconds=10 * _)).is_billable
    assert serve(viewer) == []
    assert serve(viewer_of(make_user())), "another viewer still sees it"
    assert db.session.query(AdFrequency).filter_by(campaign_id=campaign.id).one().count == 2


def test_hidden_ad_is_not_shown_again_to_that_viewer(lumi, creator, make_user):
    campaign = live_campaign(lumi, promoted_note(creator))
    shopper = make_user()
    slot = serve(viewer_of(shopper))[0]
    hide = ads.hide_sponsored(requester_of(shopper), slot.impression_token, "not_relevant")
    db.session.commit()
    assert hide.campaign_id == campaign.id and hide.reason == "not_relevant"
    assert serve(viewer_of(shopper)) == []
    assert serve(viewer_of(make_user()))
    with pytest.raises(ads.InvalidAdHide):
        ads.hide_sponsored(requester_of(shopper), slot.impression_token, "because")
    other = make_user()
    with pytest.raises(ads.InvalidAdHide):  # another viewer's token
        ads.hide_sponsored(requester_of(other), slot.impression_token, "other")


def test_budget_and_daily_cap_stop_serving(lumi, creator, make_user):
    capped = live_campaign(lumi, promoted_note(creator), bid_minor=50, budget_minor=1000,
                           daily_cap_minor=100)
    db.session.add(CampaignDay(campaign_id=capped.id, day=utcnow().date(), spend_minor=100,
                               spend_micros=100 * 10**6))
    spent = live_campaign(lumi, promoted_note(creator), bid_minor=50, budget_minor=1000,
                          spent_minor=1000)
    db.session.commit()
    assert serve(viewer_of(anon="x")) == []
    capped.daily_cap_minor = 200
    spent.budget_minor = 2000
    db.session.commit()
    assert {s.campaign_id for s in serve(viewer_of(anon="x"))} == {capped.id, spent.id}


def test_second_price_between_two_campaigns(app, lumi, creator):
    high = live_campaign(lumi, promoted_note(creator), bid_minor=90)
    live_campaign(lumi, promoted_note(creator), bid_minor=40)
    slots = serve(viewer_of(anon="b"))
    assert slots[0].campaign_id == high.id
    token = read_token(app.config["SECRET_KEY"], "click", slots[0].click_token, 60).token
    assert token.price_micros == 40 * 10**6 and token.impression_id


def test_feed_request_costs_one_query_once_the_snapshot_is_warm(app, lumi, creator,
                                                                make_user, monkeypatch):
    monkeypatch.setitem(app.config, "ADS_SNAPSHOT_SECONDS", 60)
    ads.invalidate_snapshot()
    for _ in range(5):
        live_campaign(lumi, promoted_note(creator))
    shopper = make_user()
    serve(viewer_of(shopper))  # warms the snapshot
    with QueryCounter() as queries:
        slots = serve(viewer_of(shopper))
    assert len(slots) == 3
    assert queries.count == 1, queries.statements
    ads.invalidate_snapshot()


def test_campaigns_shown_on_earlier_pages_are_left_out(lumi, creator, make_user):
    first = live_campaign(lumi, promoted_note(creator, "Serum"), bid_minor=90)
    second = live_campaign(lumi, promoted_note(creator, "Sun gel"), bid_minor=60)
    viewer = viewer_of(make_user())
    assert [s.campaign_id for s in serve(viewer)][:1] == [first.id]
    later = serve(viewer, shown_campaigns={first.id})
    assert [s.campaign_id for s in later] == [second.id]
    assert serve(viewer, shown_campaigns={first.id, second.id}) == []


def test_a_snapshot_built_later_is_not_reused_for_an_earlier_moment(app, lumi, creator,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "ADS_SNAPSHOT_SECONDS", 60)
    now = utcnow()
    # Ended half an hour ago: live an hour ago, gone now.
    ended = live_campaign(lumi, promoted_note(creator), ends_at=now - timedelta(minutes=30))
    running = live_campaign(lumi, promoted_note(creator))
    ads.invalidate_snapshot()
    assert set(current_snapshot(now).campaigns) >= {running.id}
    assert ended.id not in current_snapshot(now).campaigns
    earlier = current_snapshot(now - timedelta(hours=1))
    assert earlier.built_at == now - timedelta(hours=1)
    assert {ended.id, running.id} <= set(earlier.campaigns)
    # Within the age limit after it was built, it is reused as before.
    assert current_snapshot(now - timedelta(minutes=59, seconds=30)) is earlier
    ads.invalidate_snapshot()


def test_a_guest_seen_for_the_first_time_costs_no_query_and_a_returning_one_keeps_caps(
        app, lumi, creator, monkeypatch):
    monkeypatch.setitem(app.config, "ADS_SNAPSHOT_SECONDS", 60)
    ads.invalidate_snapshot()
    campaign = live_campaign(lumi, promoted_note(creator), frequency_cap_per_day=1)
    serve(viewer_of(anon="warm-up"))  # warms the snapshot
    first = AdViewer(None, "new-browser-1", "JP", "ja", is_new=True)
    with QueryCounter() as queries:
        (slot,) = serve(first)
    assert queries.count == 0, queries.statements
    assert slot.campaign_id == campaign.id
    assert ads.record_impression(slot.impression_token,
                                 requester_of(anon="new-browser-1")).is_billable
    db.session.commit()
    # Back with its cookie: no longer new, its view counted against the cap.
    assert serve(viewer_of(anon="new-browser-1")) == []
    ads.invalidate_snapshot()

def test_pacing_loop_slows_an_over_delivering_campaign(lumi, creator):
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    # 10.00 a day planned; 5 minutes should deliver ~3.5 cents but delivered 2.00.
    campaign = live_campaign(lumi, promoted_note(creator), pacing="even", budget_minor=10_000,
                             daily_cap_minor=1000, starts_at=now - timedelta(days=1))
    fast = live_campaign(lumi, promoted_note(creator), pacing="asap",
                         starts_at=now - timedelta(days=1))
    db.session.add(CampaignDay(campaign_id=campaign.id, day=now.date(),
                               spend_micros=200 * 10**6, spend_minor=200, throttle=1000,
                               paced_spend_micros=0, paced_at=now - timedelta(minutes=5)))
    db.session.commit()
    throttles = ads.adjust_pacing(now)
    assert throttles[fast.id] == 1000
    assert throttles[campaign.id] < 100
    day = db.session.query(CampaignDay).filter_by(campaign_id=campaign.id).one()
    assert day.throttle == throttles[campaign.id] and day.paced_spend_micros == 200 * 10**6
    # nothing delivered in the next interval: the rate doubles back up
    again = ads.adjust_pacing(now + timedelta(minutes=5))
    assert again[campaign.id] == 2 * throttles[campaign.id]


# Counter stores -------------------------------------------------------------------------------
@pytest.fixture
def redis_counters():
    client = redis.Redis(host="127.0.0.1", port=6379, db=13, decode_responses=True)
    prefix = f"qiao-test:{uuid.uuid4().hex}:"
    yield RedisCounters(client, prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_counter_stores_count_frequencies_and_deliveries(kind, request, lumi, creator):
    store = DatabaseCounters() if kind == "database" else request.getfixturevalue(
        "redis_counters")
    a = live_campaign(lumi, promoted_note(creator))
    b = live_campaign(lumi, promoted_note(creator))
    today = utcnow().date()
    store.count_impression("u:1", a.id, today)
    store.count_impression("u:1", a.id, today)
    store.count_impression("u:1", b.id, today)
    store.count_impression("u:2", a.id, today)
    store.count_impression("u:1", a.id, today - timedelta(days=1))
    assert store.frequencies("u:1", today) == {a.id: 2, b.id: 1}
    assert store.frequencies("u:3", today) == {}
    if kind == "redis":
        store.add_delivery(a.id, today, 700)
        store.add_delivery(a.id, today, 300)
    else:
        db.session.add(CampaignDay(campaign_id=a.id, day=today, spend_micros=1000))
        db.session.flush()
    assert store.deliveries([a.id, b.id], today) == {a.id: 1000, b.id: 0} \
        if kind == "redis" else {a.id: 1000}


def test_redis_store_caps_frequency_when_configured(app, lumi, creator, make_user,
                                                     monkeypatch, redis_counters):
    monkeypatch.setitem(app.extensions, "qiao_ad_counters", redis_counters)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_counters.url or "redis://127.0.0.1/13")
    redis_counters.url = app.config["REDIS_URL"]
    campaign = live_campaign(lumi, promoted_note(creator), frequency_cap_per_day=1)
    shopper = make_user()
    slot = serve(viewer_of(shopper))[0]
    assert ads.record_impression(slot.impression_token, requester_of(shopper)).is_billable
    assert redis_counters.frequencies(f"u:{shopper.id}", utcnow().date()) == {campaign.id: 1}
    assert db.session.query(AdFrequency).count() == 0, "no frequency rows with Redis"
    assert serve(viewer_of(shopper)) == []


def test_completed_campaign_is_no_longer_served(lumi, creator, make_user):
    campaign = live_campaign(lumi, promoted_note(creator), bid_minor=50, budget_minor=50)
    shopper = make_user()
    viewer = viewer_of(shopper)
    impression, click = tokens_for(campaign, viewer, price_micros=50 * 10**6)
    assert ads.record_impression(impression, requester_of(shopper)).is_billable
    assert ads.record_click(click, requester_of(shopper)).charged_minor == 50
    db.session.commit()
    assert db.session.get(Campaign, campaign.id).status == "completed"
    assert serve(viewer) == []


def test_a_promoted_note_already_in_the_page_shows_once_in_its_slot(lumi, creator):
    note = promoted_note(creator)
    campaign = live_campaign(lumi, note)
    page_ids = [note.id, *range(10**8, 10**8 + 9)]
    slots = ads.sponsored_for_page(viewer_of(anon="a"), "discover", page_ids)
    assert [(s.index, s.note_id) for s in slots] == [(2, note.id)]

    class Item:
        def __init__(self, id):
            self.id = id

    organic = [Item(i) for i in page_ids]
    merged = ads.merge_slots(organic, slots, {note.id: "sponsored card"})
    assert [item if slot else item.id for item, slot in merged][:4] == \
        [10**8, 10**8 + 1, "sponsored card", 10**8 + 2]
    assert len(merged) == len(page_ids)
    assert merged[2][1].campaign_id == campaign.id
