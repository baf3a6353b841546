"""Sponsored notes for one feed page: guaranteed placements first, then the auction.

The edges (Discover, topic and search pages, `GET /api/v1/feed`) call
`sponsored_for_page` with the viewer and the page's organic note ids, get back slots
(a position in the page, a campaign, a note, signed tokens) and merge the notes in
themselves: the social domain never imports ads.

Cost per page: the campaign snapshot is cached in-process (app.services.ads.snapshot);
the viewer's state (today's frequencies when they live in the database, hides, and for a
signed-in viewer whether they ordered before and which brands' promoted notes they
engaged with) is ONE query; the edge loads the sponsored notes with its organic ones or
with one more query. GET requests write nothing: frequencies are counted when the
impression is reported (POST /ads/impressions).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import current_app
from sqlalchemy import distinct, func, literal, select, union_all

from app.extensions import db
from app.models import AdClick, AdHide, Campaign, CampaignNote, NoteLike, Order
from app.services.ads.counters import counter_store
from app.services.ads.selection import Choice, FeedRequest, ViewerState, choose
from app.services.ads.snapshot import current_snapshot
from app.services.ads.tokens import AdToken, new_token_id, sign_token

SURFACES = ("discover", "topic", "search")
_POSITION_SETTINGS = {"discover": "ADS_DISCOVER_POSITIONS", "topic": "ADS_TOPIC_POSITIONS",
                      "search": "ADS_SEARCH_POSITIONS"}
# Orders in these states make a shopper "returning" for audience targeting.
_PLACED_ORDER_STATES = ("paid", "fulfilling", "partially_shipped", "shipped", "delivered",
                        "completed", "partially_refunded")


@dataclass(frozen=True)
class AdViewer:
    """Who the feed is for: a signed-in user, or an anonymous browser's cookie id."""

    user_id: int | None
    anon_id: str | None
    country: str | None
    language: str
    # The anonymous id was made for this request (a browser without the cookie, an app
    # without a device id): nothing is stored under it yet, so its state needs no query.
    is_new: bool = False

    @property
    def key(self) -> str:
        """`u:<id>` or `a:<cookie id>` (frequency caps and hides are per key)."""
        if self.user_id is not None:
            return f"u:{self.user_id}"
        return f"a:{self.anon_id or '-'}"


@dataclass(frozen=True)
class SponsoredSlot:
    """A sponsored note to merge into a page at `index` (0-based), with its tokens."""

    index: int
    campaign_id: int
    note_id: int
    partner_brand: str | None
    impression_token: str
    click_token: str
    surface: str


# Guaranteed placements (booked slots) are served before the auction. A source is called
# with the request, the free 1-based positions and the time; it returns (position, Choice)
# pairs it fills, each Choice priced at what one impression of the booking costs (usually
# 0: booked placements are paid up front). app.services.ads registers its sources here.
GuaranteedSource = Callable[[FeedRequest, list[int], datetime], list[tuple[int, Choice]]]
_GUARANTEED_SOURCES: list[GuaranteedSource] = []


def register_guaranteed_source(source: GuaranteedSource) -> None:
    """Serve `source`'s booked placements before auctioned ones (idempotent)."""
    if source not in _GUARANTEED_SOURCES:
        _GUARANTEED_SOURCES.append(source)


def slot_positions(surface: str) -> list[int]:
    """The configured 1-based positions of sponsored notes in a page of `surface`."""
    raw = str(current_app.config.get(_POSITION_SETTINGS[surface], "") or "")
    positions = sorted({int(p) for p in raw.replace(" ", "").split(",") if p.isdigit()})
    return [p for p in positions if p > 0]


def _state_query(viewer: AdViewer, day: date, frequency_part):
    """Hides (kind 1), brands engaged with (2), placed orders (3), frequencies (0)."""
    parts = [select(literal(1).label("kind"), AdHide.campaign_id.label("a"),
                    AdHide.note_id.label("b")).where(AdHide.viewer_key == viewer.key)]
    if viewer.user_id is not None:
        liked = (select(literal(2), Campaign.organization_id, literal(0))
                 .join(CampaignNote, CampaignNote.campaign_id == Campaign.id)
                 .join(NoteLike, NoteLike.note_id == CampaignNote.note_id)
                 .where(NoteLike.user_id == viewer.user_id,
                        Campaign.organization_id.is_not(None)))
        clicked = (select(literal(2), Campaign.organization_id, literal(0))
                   .join(AdClick, AdClick.campaign_id == Campaign.id)
                   .where(AdClick.viewer_user_id == viewer.user_id,
                          AdClick.is_billable.is_(True),
                          Campaign.organization_id.is_not(None)))
        ordered = select(literal(3), func.count(distinct(Order.id)), literal(0)).where(
            Order.user_id == viewer.user_id, Order.status.in_(_PLACED_ORDER_STATES))
        parts += [liked, clicked, ordered]
    if frequency_part is not None:
        parts.append(select(literal(0), frequency_part.c.campaign_id,
                            frequency_part.c.count))
    return union_all(*parts)


@dataclass(frozen=True)
class _ViewerFacts:
    state: ViewerState
    segment: str
    engaged: frozenset[int]


_NEW_VIEWER = _ViewerFacts(ViewerState(), "new", frozenset())


def viewer_facts(viewer: AdViewer, day: date) -> _ViewerFacts:
    """Everything per viewer that eligibility needs, in one database query (none for a
    viewer seen for the first time: no frequencies, hides, likes or orders yet).
    """
    if viewer.is_new and viewer.user_id is None:
        return _NEW_VIEWER
    store = counter_store()
    frequency_select = store.frequency_select(viewer.key, day)
    frequency_part = frequency_select.subquery() if frequency_select is not None else None
    frequency: dict[int, int] = {}
    hides: list[tuple[int, int | None]] = []
    engaged: set[int] = set()
    orders = 0
    for kind, a, b in db.session.execute(_state_query(viewer, day, frequency_part)):
        if kind == 0:
            frequency[a] = b
        elif kind == 1:
            hides.append((a, b))
        elif kind == 2:
            engaged.add(a)
        else:
            orders = a or 0
    if frequency_select is None:
        frequency = store.frequencies(viewer.key, day)
    state = ViewerState(frequency=frequency,
                        hidden_campaigns=frozenset(c for c, _n in hides),
                        hidden_notes=frozenset(n for _c, n in hides if n is not None))
    return _ViewerFacts(state, "returning" if orders else "new", frozenset(engaged))


def _sign(viewer: AdViewer, surface: str, position: int, choice: Choice) -> tuple[str, str]:
    secret = current_app.config["SECRET_KEY"]
    impression_id = new_token_id()
    base = AdToken(token_id=impression_id, campaign_id=choice.campaign.id,
                   note_id=choice.note_id, surface=surface, position=position,
                   viewer=viewer.key, price_micros=choice.price_micros)
    click = AdToken(**{**base.__dict__, "token_id": new_token_id(),
                       "impression_id": impression_id})
    return sign_token(secret, "impression", base), sign_token(secret, "click", click)


def sponsored_for_page(viewer: AdViewer, surface: str, page_note_ids: Iterable[int], *,
                       topics: Iterable[str] | None = None, now: datetime | None = None,
                       rng: random.Random | None = None,
                       shown_campaigns: Iterable[int] = ()) -> list[SponsoredSlot]:
    """The sponsored notes of one page, each with the 0-based index to insert it at.

    Positions beyond the page (a short last page) are dropped. A promoted note may also be
    in the page organically: `merge_slots` then shows it once, in its sponsored slot.
    `shown_campaigns` are the campaigns earlier pages of the same feed showed (the edge
    carries them from page to page): the auction leaves them out, so scrolling on does not
    meet the same sponsored note again.
    """
    if surface not in SURFACES or not current_app.config.get("ADS_ENABLED", True):
        return []
    page_ids = list(page_note_ids)
    positions = [p for p in slot_positions(surface) if p <= len(page_ids) + 1]
    if not positions:
        return []
    now = now or datetime.now(UTC)
    snap = current_snapshot(now)
    if not snap.campaigns:  # booked placements too serve live campaigns only
        return []
    facts = viewer_facts(viewer, now.date())
    shown = frozenset(shown_campaigns)
    state = facts.state if not shown else ViewerState(
        frequency=facts.state.frequency, hidden_notes=facts.state.hidden_notes,
        hidden_campaigns=facts.state.hidden_campaigns | shown)
    request = FeedRequest(
        viewer_key=viewer.key, country=(viewer.country or "").upper() or None,
        language=(viewer.language or "en")[:2].lower(), surface=surface,
        topics=None if topics is None else frozenset(t.casefold() for t in topics),
        slots=len(positions), segment=facts.segment, engaged_organizations=facts.engaged)
    placed: list[tuple[int, Choice]] = []
    free = list(positions)
    for source in _GUARANTEED_SOURCES:
        for position, choice in source(request, free, now):
            if position in free:
                free.remove(position)
                placed.append((position, choice))
    taken = frozenset(c.note_id for _p, c in placed)
    auctioned = choose(snap, FeedRequest(**{**request.__dict__, "slots": len(free),
                                            "excluded_note_ids": request.excluded_note_ids
                                            | taken}),
                       state, now,
                       reserve_percent=int(current_app.config.get("ADS_RESERVE_PERCENT", 50)),
                       rng=rng)
    placed += [c for c in zip(free, auctioned, strict=False)
               if c[1].campaign.id not in {p[1].campaign.id for p in placed}]
    slots = []
    for position, choice in sorted(placed, key=lambda pc: pc[0]):
        impression, click = _sign(viewer, surface, position, choice)
        slots.append(SponsoredSlot(index=position - 1, campaign_id=choice.campaign.id,
                                   note_id=choice.note_id,
                                   partner_brand=choice.campaign.partners.get(choice.note_id),
                                   impression_token=impression, click_token=click,
                                   surface=surface))
    return slots


def merge_slots(items: list, slots: list[SponsoredSlot], sponsored: dict[int, object]
                ) -> list[tuple[object, SponsoredSlot | None]]:
    """The page with each slot's item (`sponsored[note_id]`) inserted at its index, as
    (item, slot or None) pairs; a slot whose note could not be loaded is skipped, and an
    organic item that is also sponsored is shown only in its sponsored slot.
    """
    shown = {slot.note_id for slot in slots if slot.note_id in sponsored}
    merged: list[tuple[object, SponsoredSlot | None]] = [
        (item, None) for item in items if getattr(item, "id", None) not in shown]
    for slot in sorted(slots, key=lambda s: s.index):
        item = sponsored.get(slot.note_id)
        if item is not None:
            merged.insert(min(slot.index, len(merged)), (item, slot))
    return merged
