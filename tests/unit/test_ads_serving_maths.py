"""Ad serving without a database: tokens, the auction, pacing maths and the selection walk."""

from __future__ import annotations

import random
import re
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from itsdangerous import URLSafeTimedSerializer

from app.services.ads import auction, pacing, tokens
from app.services.ads.selection import (
    FeedRequest,
    LiveCampaign,
    Snapshot,
    ViewerState,
    choose,
)

SECRET = "unit-secret"
NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


# Tokens -------------------------------------------------------------------------------------
def _token(**changes) -> tokens.AdToken:
    base = tokens.AdToken(token_id="abc", campaign_id=7, note_id=9, surface="discover",
                          position=3, viewer="u:5", price_micros=1234)
    return replace(base, **changes)


def test_token_round_trip():
    raw = tokens.sign_token(SECRET, "impression", _token())
    check = tokens.read_token(SECRET, "impression", raw, max_age=60)
    assert check.invalid_reason is None
    assert check.token == _token()


def test_token_of_one_kind_is_forged_as_the_other():
    raw = tokens.sign_token(SECRET, "impression", _token())
    assert tokens.read_token(SECRET, "click", raw, 60).invalid_reason == "forged"


def test_tampered_or_foreign_token_is_forged():
    raw = tokens.sign_token(SECRET, "click", _token())
    payload, rest = raw.split(".", 1)
    assert tokens.read_token(SECRET, "click", payload[:-2] + "xx." + rest, 60) \
        .invalid_reason == "forged"
    assert tokens.read_token("other-secret", "click", raw, 60).invalid_reason == "forged"
    assert tokens.read_token(SECRET, "click", "garbage", 60) == tokens.TokenCheck(None, "forged")


def test_expired_token_still_names_its_campaign(monkeypatch):
    raw = tokens.sign_token(SECRET, "click", _token())
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    check = tokens.read_token(SECRET, "click", raw, max_age=60)
    assert check.invalid_reason == "expired"
    assert check.token is not None and check.token.campaign_id == 7


def test_token_is_url_and_html_safe_and_tampering_any_part_forges_it():
    raw = tokens.sign_token(SECRET, "impression", _token(viewer="a:<x&y>"))
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", raw)
    payload, signature = raw.split(".")
    flipped = "A" if signature[0] != "A" else "B"
    for forged in (payload + "." + flipped + signature[1:], payload + "x." + signature,
                   payload, "." + signature, raw + ".x"):
        assert tokens.read_token(SECRET, "impression", forged, 60).invalid_reason == "forged"


def test_a_token_of_the_earlier_itsdangerous_format_still_reads(monkeypatch):
    """Pages served before the compact format may still report views and hides."""
    legacy = URLSafeTimedSerializer(SECRET, salt="qiao.ads.click").dumps(asdict(_token()))
    assert tokens.read_token(SECRET, "click", legacy, 60) == tokens.TokenCheck(_token(), None)
    assert tokens.read_token(SECRET, "impression", legacy, 60).invalid_reason == "forged"
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert tokens.read_token(SECRET, "click", legacy, 60).invalid_reason == "expired"


def test_token_ids_are_random():
    assert len({tokens.new_token_id() for _ in range(100)}) == 100


# Auction ------------------------------------------------------------------------------------
PRIOR = auction.CtrPrior(Fraction(1, 100), 200)


def _bidder(cid: int, model: str, bid: int, clicks: int = 0, imps: int = 0,
            ppm: int = auction.PPM_SAME_CURRENCY) -> auction.Bidder:
    ctr = auction.smoothed_ctr(clicks, imps, PRIOR)
    return auction.Bidder(cid, model, bid, ctr, ppm, auction.expected_value(model, bid, ctr, ppm))


def test_smoothed_ctr_pulls_toward_prior():
    assert auction.smoothed_ctr(0, 0, PRIOR) == Fraction(1, 100)
    # one lucky click on one impression does not make a 100 % CTR
    assert auction.smoothed_ctr(1, 1, PRIOR) == Fraction(3, 201)
    # lots of evidence wins over the prior
    assert auction.smoothed_ctr(5000, 100_000, PRIOR) == Fraction(5002, 100_200)


def test_cpm_and_cpc_are_compared_by_value_per_impression():
    cpm = _bidder(1, "cpm", 500)           # 5.00 per mille -> 0.5 minor per impression
    cpc = _bidder(2, "cpc", 40)            # 0.40 per click at 1 % -> 0.4 minor per impression
    assert cpm.ev > cpc.ev
    good_cpc = _bidder(3, "cpc", 40, clicks=300, imps=10_000)  # ~3 % CTR -> ~1.2
    assert good_cpc.ev > cpm.ev
    won = auction.run_auction([cpm, cpc, good_cpc], slots=2)
    assert [a.campaign_id for a in won] == [3, 1]


def test_second_price_is_what_beats_the_runner_up_and_never_above_the_bid():
    high = _bidder(1, "cpm", 900)
    low = _bidder(2, "cpm", 400)
    first = auction.run_auction([low, high], slots=1)[0]
    assert first.campaign_id == 1
    assert first.price_micros == 400 * 1000  # 0.4 minor per impression, not 0.9
    cpc_high = _bidder(3, "cpc", 100)
    cpc_low = _bidder(4, "cpc", 60)
    won = auction.run_auction([cpc_high, cpc_low], slots=1)[0]
    assert won.price_micros == 60 * auction.MICROS  # same CTR: pays the runner-up's bid
    # a winner with a better CTR pays less per click than the runner-up bid
    better = _bidder(5, "cpc", 100, clicks=40, imps=1000)
    assert auction.run_auction([better, cpc_low], 1)[0].price_micros < 60 * auction.MICROS
    # the price never exceeds the bid, even when the runner-up's value is higher
    assert auction.price_to_beat("cpc", 10, Fraction(1, 100), auction.PPM_SAME_CURRENCY,
                                 10**15) == 10 * auction.MICROS


def test_lone_bidder_pays_the_reserve_and_ties_break_by_id():
    only = _bidder(1, "cpc", 80)
    assert auction.run_auction([only], 3, reserve_percent=50) == [
        auction.Award(1, 40 * auction.MICROS)]
    a, b = _bidder(8, "cpm", 300), _bidder(4, "cpm", 300)
    assert [w.campaign_id for w in auction.run_auction([a, b], 2)] == [4, 8]


def test_other_currency_is_ranked_after_conversion():
    # JPY has no minor digits: 1 JPY ~ 0.67 US cents -> ppm 6_700
    jpy = _bidder(1, "cpm", 600, ppm=6_700)   # 600 JPY CPM ~ 4.02 USD
    usd = _bidder(2, "cpm", 500)              # 5.00 USD CPM
    assert auction.run_auction([jpy, usd], 1)[0].campaign_id == 2
    price = auction.run_auction([jpy, usd], 1)[0].price_micros
    assert price == -(-jpy.ev // auction.PPM_SAME_CURRENCY)


# Pacing ---------------------------------------------------------------------------------------
def test_daily_target_spreads_the_budget_and_respects_the_cap():
    ends = NOON + timedelta(days=3)  # today + 3 more days = 4 days
    assert pacing.daily_target_micros(10_000, 2_000, None, ends, NOON) == 2_000 * 10**6
    assert pacing.daily_target_micros(10_000, 2_000, 500, ends, NOON) == 500 * 10**6
    assert pacing.daily_target_micros(10_000, 10_500, None, ends, NOON) == 0
    assert pacing.daily_target_micros(10_000, 0, None, None, NOON) == 10_000 * 10**6


def test_even_pacing_follows_the_clock():
    target = 1000 * 10**6
    assert pacing.allowed_by_now_micros(target, NOON, 0) == target // 2
    assert pacing.may_serve_even(499 * 10**6, target, NOON, 0)
    assert not pacing.may_serve_even(500 * 10**6, target, NOON, 0)
    midnight = NOON.replace(hour=0)
    assert pacing.may_serve_even(0, target, midnight, slack_micros=1)
    assert not pacing.may_serve_even(0, target, midnight, slack_micros=0)


def test_throttle_feedback_corrects_by_delivered_over_planned():
    assert pacing.next_throttle(1000, delivered_micros=200, planned_micros=100) == 500
    assert pacing.next_throttle(400, delivered_micros=100, planned_micros=150) == 600
    assert pacing.next_throttle(400, delivered_micros=10, planned_micros=1000) == 800  # <= x2
    assert pacing.next_throttle(300, delivered_micros=0, planned_micros=100) == 600
    assert pacing.next_throttle(900, delivered_micros=0, planned_micros=100) == 1000
    assert pacing.next_throttle(1000, delivered_micros=10**9, planned_micros=1) \
        == pacing.MIN_THROTTLE
    assert pacing.next_throttle(500, 100, planned_micros=0) == pacing.MIN_THROTTLE


# Selection ------------------------------------------------------------------------------------
def live(cid: int, **changes) -> LiveCampaign:
    ctr = Fraction(1, 100)
    base = LiveCampaign(
        id=cid, organization_id=1, model="cpc", currency="USD", bid_minor=50, ppm=10**6,
        ctr=ctr, ev=auction.expected_value("cpc", 50, ctr), budget_minor=10_000,
        spent_minor=0, daily_cap_minor=None, today_spend_micros=0, today_spend_minor=0,
        target_micros=10**12, throttle=1000, starts_at=NOON - timedelta(days=1),
        ends_at=NOON + timedelta(days=5), pacing="asap", frequency_cap=None,
        countries=frozenset(), languages=frozenset(), topics=frozenset(),
        audiences=frozenset(), note_ids=(100 + cid,))
    merged = replace(base, **changes)
    return replace(merged, ev=auction.expected_value(merged.model, merged.bid_minor,
                                                     merged.ctr, merged.ppm))


def request(**changes) -> FeedRequest:
    base = FeedRequest(viewer_key="u:1", country="JP", language="ja", surface="discover",
                       topics=None, slots=1)
    return replace(base, **changes)


def chosen(campaigns, req=None, state=None, now=NOON) -> list[int]:
    snap = Snapshot.of(campaigns, now)
    return [c.campaign.id for c in choose(snap, req or request(), state or ViewerState(), now,
                                          rng=random.Random(1))]


@pytest.mark.parametrize(("changes", "req", "shown"), [
    ({"countries": frozenset({"JP"})}, {}, True),
    ({"countries": frozenset({"US"})}, {}, False),
    ({"languages": frozenset({"ja", "en"})}, {}, True),
    ({"languages": frozenset({"zh"})}, {}, False),
    ({"topics": frozenset({"skincare"})}, {}, True),  # Discover has no topic context
    ({"topics": frozenset({"skincare"})}, {"topics": frozenset({"skincare"})}, True),
    ({"topics": frozenset({"skincare"})}, {"topics": frozenset({"travel"})}, False),
    ({"audiences": frozenset({"new"})}, {}, True),
    ({"audiences": frozenset({"returning"})}, {}, False),
    ({"audiences": frozenset({"engaged"})}, {"engaged_organizations": frozenset({1})}, True),
    ({"audiences": frozenset({"engaged"})}, {"engaged_organizations": frozenset({2})}, False),
    ({"starts_at": NOON + timedelta(hours=1)}, {}, False),
    ({"ends_at": NOON}, {}, False),
    ({"spent_minor": 10_000}, {}, False),
    ({"daily_cap_minor": 300, "today_spend_minor": 300}, {}, False),
    ({"daily_cap_minor": 300, "today_spend_minor": 299}, {}, True),
])
def test_eligibility_per_field(changes, req, shown):
    assert chosen([live(1, **changes)], request(**req)) == ([1] if shown else [])


def test_frequency_cap_hidden_and_excluded_notes():
    capped = live(1, frequency_cap=2)
    assert chosen([capped], state=ViewerState(frequency={1: 1})) == [1]
    assert chosen([capped], state=ViewerState(frequency={1: 2})) == []
    assert chosen([live(1)], state=ViewerState(hidden_campaigns=frozenset({1}))) == []
    assert chosen([live(1)], state=ViewerState(hidden_notes=frozenset({101}))) == []
    assert chosen([live(1)], request(excluded_note_ids=frozenset({101}))) == []


def test_even_pacing_ahead_of_plan_waits():
    ahead = live(1, pacing="even", target_micros=1000 * 10**6,
                 today_spend_micros=600 * 10**6)
    assert chosen([ahead]) == []
    assert chosen([replace(ahead, today_spend_micros=100 * 10**6)]) == [1]


def test_throttle_serves_about_its_share():
    snap = Snapshot.of([live(1, throttle=250)], NOON)
    rng = random.Random(7)
    served = sum(bool(choose(snap, request(), ViewerState(), NOON, rng=rng))
                 for _ in range(4000))
    assert 850 < served < 1150


def test_best_value_wins_each_slot_once_across_country_lists():
    campaigns = [live(1, bid_minor=30), live(2, bid_minor=90, countries=frozenset({"JP"})),
                 live(3, bid_minor=60), live(4, bid_minor=200, countries=frozenset({"US"}))]
    assert chosen(campaigns, request(slots=2)) == [2, 3]
    assert chosen(campaigns, request(slots=5)) == [2, 3, 1]
    prices = choose(Snapshot.of(campaigns, NOON), request(slots=2), ViewerState(), NOON)
    assert [p.price_micros for p in prices] == [60 * 10**6, 30 * 10**6]
