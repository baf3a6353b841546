"""Serving booked placements first, paced toward their booked volume.

`serve_booked_placements` is registered with the serving side
(`register_guaranteed_source`): on a feed page of the slot's surface for a viewer in the
booking's country on a booked UTC day, the booking's campaign takes the slot's position
(the slot's ordinal among the page's configured sponsored positions) with probability
equal to the slot-day's serving rate, at price 0 (the booking was paid up front).

The pacing loop (`update_placement_pacing`, every few minutes) counts what each booked
slot-day delivered today (valid impressions of the campaign at that position, in that
country) and sets the next interval's rate: rate × planned-so-far ÷ delivered
(app.services.ads.forecast.next_serve_rate); 0 once the booked volume is delivered.
"""

from __future__ import annotations

import random
import threading
import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AdImpression, PlacementBooking, PlacementSlot, PlacementSlotDay
from app.services.ads import forecast
from app.services.ads.placements import day_start, utc_day
from app.services.ads.selection import Choice, FeedRequest
from app.services.ads.serving import slot_positions
from app.services.ads.snapshot import current_snapshot


@dataclass(frozen=True)
class GuaranteedServe:
    """A booked slot-day to serve first: which campaign, at which sponsored ordinal."""

    slot_day_id: int
    campaign_id: int
    surface: str
    ordinal: int
    rate: Decimal


_CACHE: dict[tuple[str, str, str], tuple[float, list[GuaranteedServe]]] = {}
_CACHE_LOCK = threading.Lock()


def booked_today(country: str | None, surface: str, *, now: datetime) -> list[GuaranteedServe]:
    """Today's booked slot-days of `surface` in `country` still short of their plan.

    One query, cached in-process for ADS_SNAPSHOT_SECONDS (as the campaign snapshot), so
    a feed page costs no extra query most of the time.
    """
    if not country:
        return []
    key = (surface, country.upper(), utc_day(now).isoformat())
    max_age = float(current_app.config.get("ADS_SNAPSHOT_SECONDS", 5))
    if max_age > 0:
        with _CACHE_LOCK:
            cached = _CACHE.get(key)
        if cached is not None and cached[0] > clock.monotonic():
            return cached[1]
    rows = db.session.execute(
        select(PlacementSlotDay.id, PlacementSlotDay.serve_rate, PlacementBooking.campaign_id,
               PlacementSlot.surface, PlacementSlot.position)
        .join(PlacementBooking, PlacementBooking.id == PlacementSlotDay.booking_id)
        .join(PlacementSlot, PlacementSlot.id == PlacementSlotDay.slot_id)
        .where(PlacementSlotDay.country == country.upper(),
               PlacementSlotDay.day == utc_day(now), PlacementSlotDay.state == "booked",
               PlacementSlot.surface == surface,
               PlacementSlotDay.delivered_impressions < PlacementSlotDay.planned_impressions)
        .order_by(PlacementSlot.position, PlacementSlotDay.id)).all()
    found = [GuaranteedServe(row.id, row.campaign_id, row.surface, row.position,
                             Decimal(row.serve_rate)) for row in rows]
    if max_age > 0:
        with _CACHE_LOCK:
            _CACHE[key] = (clock.monotonic() + max_age, found)
    return found


def forget_cached_bookings() -> None:
    """Drop the cache (after pacing changed the rates, and in tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def choose_guaranteed(candidates: list[GuaranteedServe], draw: float) -> list[GuaranteedServe]:
    """The candidates this request admits (`draw` uniform in [0, 1) below the rate), one
    per ordinal: the rate is the share of requests the slot-day is served to.
    """
    chosen: dict[int, GuaranteedServe] = {}
    for serve in candidates:
        if serve.ordinal not in chosen and Decimal(str(draw)) < serve.rate:
            chosen[serve.ordinal] = serve
    return list(chosen.values())


def serve_booked_placements(request: FeedRequest, free: list[int], now: datetime,
                            rng: random.Random | None = None) -> list[tuple[int, Choice]]:
    """The serving hook: (page position, Choice at price 0) for each booked slot served."""
    candidates = booked_today(request.country, request.surface, now=now)
    if not candidates:
        return []
    positions = slot_positions(request.surface)
    snapshot = current_snapshot(now)
    placed: list[tuple[int, Choice]] = []
    for serve in choose_guaranteed(candidates, (rng or random).random()):
        if serve.ordinal > len(positions) or positions[serve.ordinal - 1] not in free:
            continue
        campaign = snapshot.campaigns.get(serve.campaign_id)
        if campaign is None:  # not live (unapproved, paused, out of flight): not served
            continue
        notes = [n for n in campaign.note_ids if n not in request.excluded_note_ids]
        if notes:
            placed.append((positions[serve.ordinal - 1], Choice(campaign, notes[0], 0)))
    return placed


def _delivered(slot_day_id: int, campaign_id: int, country: str, surface: str,
               position: int | None, start: datetime) -> int:
    if position is None:
        return 0
    return db.session.scalar(select(func.count(AdImpression.id)).where(
        AdImpression.campaign_id == campaign_id, AdImpression.is_billable,
        AdImpression.country == country, AdImpression.surface == surface,
        AdImpression.position == position, AdImpression.created_at >= start,
        AdImpression.created_at < start + timedelta(days=1))) or 0


def update_placement_pacing(*, now: datetime) -> int:
    """The pacing loop: count today's delivery of each booked slot-day and set its next
    rate (delivered ÷ planned so far, the plan spread evenly over the UTC day).
    """
    today = utc_day(now)
    start = day_start(today)
    elapsed = Decimal((now - start).total_seconds()) / Decimal(86400)
    rows = db.session.execute(
        select(PlacementSlotDay.id, PlacementSlotDay.serve_rate, PlacementSlotDay.country,
               PlacementSlotDay.planned_impressions, PlacementBooking.campaign_id,
               PlacementSlot.surface, PlacementSlot.position)
        .join(PlacementBooking, PlacementBooking.id == PlacementSlotDay.booking_id)
        .join(PlacementSlot, PlacementSlot.id == PlacementSlotDay.slot_id)
        .where(PlacementSlotDay.day == today, PlacementSlotDay.state == "booked")).all()
    for row in rows:
        positions = slot_positions(row.surface)
        position = positions[row.position - 1] if row.position <= len(positions) else None
        delivered = _delivered(row.id, row.campaign_id, row.country, row.surface, position,
                               start)
        rate = forecast.next_serve_rate(
            Decimal(row.serve_rate), planned_total=row.planned_impressions,
            planned_so_far=forecast.planned_by(row.planned_impressions, elapsed),
            delivered=delivered)
        db.session.execute(update(PlacementSlotDay).where(PlacementSlotDay.id == row.id)
                           .values(serve_rate=rate, delivered_impressions=delivered)
                           .execution_options(synchronize_session=False))
    forget_cached_bookings()
    return len(rows)
