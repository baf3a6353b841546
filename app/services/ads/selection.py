"""Choosing sponsored notes for one feed request from an in-memory snapshot (no database).

The snapshot (app.services.ads.snapshot builds it with one query, refreshed every few
seconds) holds every live campaign with its expected value per impression precomputed and
indexed by targeted country, each list sorted best first. A request walks the viewer's
country list and the "any country" list merged in expected-value order and stops as soon
as it has one more eligible campaign than it has slots (the runner-up sets the last
price), so choosing ads costs about the same with 10 or 10,000 live campaigns.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction

from app.services.ads.auction import Bidder, run_auction
from app.services.ads.pacing import may_serve_even


@dataclass(frozen=True)
class LiveCampaign:
    """A campaign as serving sees it: money in minor units / micros, targeting as sets."""

    id: int
    organization_id: int
    model: str
    currency: str
    bid_minor: int
    ppm: int
    ctr: Fraction
    ev: int
    budget_minor: int
    spent_minor: int
    daily_cap_minor: int | None
    today_spend_micros: int
    today_spend_minor: int
    target_micros: int
    throttle: int
    starts_at: datetime | None
    ends_at: datetime | None
    pacing: str
    frequency_cap: int | None
    countries: frozenset[str]
    languages: frozenset[str]
    topics: frozenset[str]
    audiences: frozenset[str]
    note_ids: tuple[int, ...]
    # Notes made in a creator partnership: note id -> the brand, for "Sponsored · with".
    partners: dict[int, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def max_price_micros(self) -> int:
        """The most one billable event can cost (the overshoot bound)."""
        return self.bid_minor * (1_000_000 if self.model == "cpc" else 1000)


@dataclass
class Snapshot:
    """Every live campaign, indexed by targeted country (None: any country)."""

    campaigns: dict[int, LiveCampaign]
    by_country: dict[str | None, list[LiveCampaign]]
    built_at: datetime

    @classmethod
    def of(cls, campaigns: Iterable[LiveCampaign], built_at: datetime) -> Snapshot:
        """Index `campaigns`, best expected value first."""
        listed = sorted(campaigns, key=lambda c: (-c.ev, c.id))
        by_country: dict[str | None, list[LiveCampaign]] = {}
        for campaign in listed:
            for country in campaign.countries or (None,):
                by_country.setdefault(country, []).append(campaign)
        return cls({c.id: c for c in listed}, by_country, built_at)


@dataclass(frozen=True)
class FeedRequest:
    """One feed page asking for sponsored notes."""

    viewer_key: str
    country: str | None
    language: str
    surface: str  # discover | topic | search
    topics: frozenset[str] | None  # None: the surface has no topic (Discover)
    slots: int
    segment: str = "new"  # new | returning
    engaged_organizations: frozenset[int] = frozenset()
    excluded_note_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ViewerState:
    """What this viewer already saw today and hid."""

    frequency: dict[int, int] = field(default_factory=dict)
    hidden_campaigns: frozenset[int] = frozenset()
    hidden_notes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Choice:
    """A sponsored note to show: which campaign, which note, at what price per event."""

    campaign: LiveCampaign
    note_id: int
    price_micros: int


def in_flight(campaign: LiveCampaign, now: datetime) -> bool:
    """Between the flight's start and end."""
    return ((campaign.starts_at is None or campaign.starts_at <= now)
            and (campaign.ends_at is None or now < campaign.ends_at))


def has_money(campaign: LiveCampaign) -> bool:
    """Budget and today's cap not yet reached."""
    if campaign.spent_minor >= campaign.budget_minor:
        return False
    return campaign.daily_cap_minor is None or \
        campaign.today_spend_minor < campaign.daily_cap_minor


def targets(campaign: LiveCampaign, request: FeedRequest) -> bool:
    """Country, UI language, surface topics and audience all match (an empty list: any)."""
    if campaign.countries and request.country not in campaign.countries:
        return False
    if campaign.languages and request.language not in campaign.languages:
        return False
    if campaign.topics and request.topics is not None \
            and not (campaign.topics & request.topics):
        return False
    if campaign.audiences:
        engaged = "engaged" in campaign.audiences \
            and campaign.organization_id in request.engaged_organizations
        if not engaged and request.segment not in campaign.audiences:
            return False
    return True


def paced(campaign: LiveCampaign, now: datetime, draw: Callable[[], float]) -> bool:
    """Even pacing is behind its plan, and the feedback throttle lets this chance through."""
    if campaign.pacing == "even" and not may_serve_even(
            campaign.today_spend_micros, campaign.target_micros, now,
            campaign.max_price_micros):
        return False
    return campaign.throttle >= 1000 or draw() * 1000 < campaign.throttle


def eligible(campaign: LiveCampaign, request: FeedRequest, state: ViewerState,
             now: datetime, draw: Callable[[], float]) -> int | None:
    """The note this campaign would show this viewer, or None when it may not serve."""
    if campaign.id in state.hidden_campaigns or not in_flight(campaign, now) \
            or not has_money(campaign) or not targets(campaign, request):
        return None
    if campaign.frequency_cap is not None \
            and state.frequency.get(campaign.id, 0) >= campaign.frequency_cap:
        return None
    notes = [n for n in campaign.note_ids
             if n not in state.hidden_notes and n not in request.excluded_note_ids]
    if not notes or not paced(campaign, now, draw):
        return None
    # Rotate creatives per viewer and day-part so one person does not see only one.
    return notes[hash((request.viewer_key, now.hour)) % len(notes)]


def choose(snapshot: Snapshot, request: FeedRequest, state: ViewerState, now: datetime,
           *, reserve_percent: int = 50, rng: random.Random | None = None) -> list[Choice]:
    """The auction's winners for `request.slots` slots, best first, each at its price."""
    if request.slots <= 0:
        return []
    draw = (rng or random).random
    streams = [snapshot.by_country.get(request.country, []) if request.country else [],
               snapshot.by_country.get(None, [])]
    bidders: list[Bidder] = []
    notes: dict[int, int] = {}
    used_notes: set[int] = set()
    for campaign in heapq.merge(*streams, key=lambda c: (-c.ev, c.id)):
        note_id = eligible(campaign, request, state, now, draw)
        if note_id is None or note_id in used_notes:
            continue
        used_notes.add(note_id)
        notes[campaign.id] = note_id
        bidders.append(Bidder(campaign.id, campaign.model, campaign.bid_minor, campaign.ctr,
                              campaign.ppm, campaign.ev))
        if len(bidders) > request.slots:
            break
    awards = run_auction(bidders, request.slots, reserve_percent)
    return [Choice(snapshot.campaigns[a.campaign_id], notes[a.campaign_id], a.price_micros)
            for a in awards]
