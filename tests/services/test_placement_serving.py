"""Booked placements are served before the auction, at price 0, paced toward their volume."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.models import CampaignNote, PlacementSlotDay, utcnow
from app.services.ads import (
    bookings,
    invalidate_snapshot,
    placements,
    record_impression,
    update_placement_pacing,
)
from app.services.ads.guaranteed import booked_today, choose_guaranteed, forget_cached_bookings
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

pytest_plugins = ["tests.ad_placement_factories"]


@pytest.fixture(autouse=True)
def _fresh_caches():
    """These tests serve at tomorrow's noon: leave no snapshot built "in the future"."""
    yield
    invalidate_snapshot()
    forget_cached_bookings()


@pytest.fixture
def booked(ad_brand, discover_traffic):
    """Lumi's campaign booked tomorrow in Japan (100 planned views), paid."""
    lumi = ad_brand()
    note = promoted_note(lumi.owner, "Booked serum")
    lumi.campaign.campaign_notes = [CampaignNote(note_id=note.id, position=0)]
    db.session.commit()
    discover_traffic("JP", 100)
    now = utcnow()
    tomorrow = now.date() + timedelta(days=1)
    booking = bookings.book_placement(lumi.owner, lumi.org.id,
                                        campaign_id=lumi.campaign.id,
                                        slot_code="discover_first", country="JP",
                                        start=tomorrow, end=tomorrow, now=now)
    placements.pay_placement(lumi.owner, booking, now=now)
    db.session.commit()
    return lumi, note, placements.day_start(tomorrow) + timedelta(hours=12)


def test_the_booked_campaign_takes_the_first_sponsored_position_at_price_0(
        app, booked, make_org, make_user):
    lumi, note, noon = booked
    rival = brand(make_org, "Rival")
    rival_campaign = live_campaign(rival, promoted_note(make_user(), "Rival serum"),
                                   bid_minor=500)
    slots = serve(viewer_of(country="JP"), now=noon)
    first = slots[0]
    assert (first.index, first.campaign_id, first.note_id) == (2, lumi.campaign.id, note.id)
    token = read_token(app.config["SECRET_KEY"], "impression", first.impression_token,
                       3600).token
    assert token.price_micros == 0  # paid up front: not billed again
    assert rival_campaign.id in {s.campaign_id for s in slots[1:]}
    # Elsewhere, or on a day not booked, the auction decides as usual.
    assert serve(viewer_of(country="US"), now=noon)[0].campaign_id == rival_campaign.id
    assert serve(viewer_of(country="JP"), now=noon + timedelta(days=1))[0].campaign_id \
        == rival_campaign.id


def test_pacing_corrects_the_rate_by_delivered_over_planned(app, booked):
    lumi, _note, noon = booked
    [candidate] = booked_today("JP", "discover", now=noon)
    assert candidate.rate == Decimal(1)
    # 60 views delivered by noon against 50 planned: serve 50/60 of requests next.
    for i in range(60):
        impression, _click = tokens_for(lumi.campaign, viewer_of(anon=f"v{i}"))
        outcome = record_impression(impression, requester_of(anon=f"v{i}"), now=noon)
        assert outcome.is_billable, outcome
    assert update_placement_pacing(now=noon) == 1
    [candidate] = booked_today("JP", "discover", now=noon)
    assert candidate.rate == Decimal("0.8333")
    assert choose_guaranteed([candidate], 0.9) == []
    assert choose_guaranteed([candidate], 0.5) == [candidate]
    day = db.session.get(PlacementSlotDay, candidate.slot_day_id)
    assert (day.planned_impressions, day.delivered_impressions) == (100, 60)
    # Behind plan in the evening: full rate again; delivered in full: no longer served.
    assert update_placement_pacing(now=noon + timedelta(hours=9)) == 1
    assert booked_today("JP", "discover", now=noon)[0].rate == Decimal(1)
    day.delivered_impressions = 100
    db.session.flush()
    assert booked_today("JP", "discover", now=noon) == []
