"""Demo report data and a booked guaranteed placement for the demo campaigns.

Runs after app.demo.ads (which creates the brands, balances and campaigns) and only adds:

- Discover traffic per country for the last four weeks (what placements are forecast from);
- for each running or finished brand campaign, its delivery: days inside the roll-up window
  (the last `ROLLUP_DAYS` days) as real impression and click events, their spend adding up
  to what the campaign has spent so far, then rolled up by the real roll-up; older days
  as stored roll-ups (the events behind them are not part of the demo);
- attributed orders: shoppers who clicked a sponsored note and, a day later, bought through
  that note with the real checkout (paid at the sandbox when it answers);
- a booked and paid guaranteed slot: Discover's first sponsored card in Japan for the next
  three days, for Lumi Beauty's "Glow Serum — Japan launch".

Made once: a campaign that already has report days or events is left alone.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from app.demo.payments import DemoPayments
from app.extensions import db
from app.models import (
    AdClick,
    AdImpression,
    Campaign,
    CampaignDay,
    CampaignReportDay,
    DiscoverViewDay,
    Organization,
    Payment,
    PlacementBooking,
    Store,
    User,
    utcnow,
)
from app.services.ads import bookings, placements, reports
from app.services.catalog import products as catalog
from app.services.checkout import cart, quotes
from app.services.errors import DomainError

# Discover first pages a day per country (weekends ~25 % busier).
TRAFFIC = {"JP": 1800, "US": 2400, "CN": 3100, "GB": 700, "FR": 650, "DE": 600}
CTR = 0.035
CONVERSION = 0.035  # attributed orders per click on the stored (older) days
BASKET = {"JPY": 6800, "EUR": 3900, "USD": 4500, "CNY": 32000}
JP_ADDRESS = {"name": "Sato Haruka", "line1": "2-24-12 Shibuya", "city": "Shibuya-ku",
              "region": "Tokyo", "postal_code": "150-0002", "country": "JP"}
US_ADDRESS = {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "city": "New York",
              "region": "NY", "postal_code": "10118", "country": "US"}


@dataclass(frozen=True)
class DemoPurchase:
    """A shopper who clicks a campaign's note and buys through it the next day."""

    key: str
    campaign: str
    shopper: str
    currency: str
    address: dict[str, str]
    sku: str
    quantity: int
    days_ago: int


PURCHASES = [
    DemoPurchase("glow-jp-1", "Glow Serum — Japan launch", "shopper.jp@example.com", "JPY",
                 JP_ADDRESS, "CANDLE-FIG", 1, 4),
    DemoPurchase("glow-jp-2", "Glow Serum — Japan launch", "shopper.jp@example.com", "JPY",
                 JP_ADDRESS, "MUG-CREAM", 2, 2),
    DemoPurchase("boost-us-1", "Creator review boost (US)", "shopper@example.com", "USD",
                 US_ADDRESS, "CANDLE-SEASALT", 1, 2),
]


def _weekday_factor(day: date) -> float:
    return 1.25 if day.weekday() >= 5 else 1.0


def _seed_traffic(today: date) -> int:
    """Four weeks of Discover views per country (missing days only)."""
    rng = random.Random(7)
    added = 0
    for country, level in TRAFFIC.items():
        known = set(db.session.scalars(select(DiscoverViewDay.day).where(
            DiscoverViewDay.country == country)))
        for offset in range(1, 29):
            day = today - timedelta(days=offset)
            if day in known:
                continue
            views = int(level * _weekday_factor(day) * rng.uniform(0.9, 1.1))
            db.session.add(DiscoverViewDay(country=country, day=day, views=views))
            added += 1
    db.session.flush()
    return added


def _flight_days(campaign: Campaign, zone: ZoneInfo, today: date) -> list[date]:
    first = campaign.starts_at.astimezone(zone).date()
    last = min(campaign.ends_at.astimezone(zone).date(), today)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` split by `weights` into whole parts that add up to it exactly."""
    scale = sum(weights)
    parts = [int(total * w / scale) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _moments(rng: random.Random, day: date, zone: ZoneInfo, count: int, now: datetime,
             ) -> list[datetime]:
    """`count` times during `day` in `zone`, from 08:00 to 23:00 local (never after now)."""
    start = datetime.combine(day, time(8), tzinfo=zone).astimezone(UTC)
    span = min(15 * 3600, max(int((now - start).total_seconds()) - 60, 60))
    return sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(count))


def _events(campaign: Campaign, day: date, clicks: int, spend: int, zone: ZoneInfo,
            rng: random.Random, now: datetime, country: str) -> None:
    """One day's impressions and clicks (anonymous viewers), the clicks charged `spend`."""
    impressions = max(int(clicks / CTR * rng.uniform(0.85, 1.15)), clicks)
    viewers = [f"demo-{campaign.id}-{day.isoformat()}-{i}"
               for i in range(max(1, int(impressions * 0.7)))]
    notes = campaign.note_ids or [None]
    rows = []
    for i, moment in enumerate(_moments(rng, day, zone, impressions, now)):
        rows.append({"token_id": secrets.token_hex(10), "campaign_id": campaign.id,
                     "note_id": notes[i % len(notes)], "viewer_anon_id": rng.choice(viewers),
                     "country": country, "language": "ja" if country == "JP" else "en",
                     "surface": "discover", "position": 3, "price_micros": 0,
                     "charged_minor": 0, "is_billable": True, "created_at": moment})
    if rows:
        db.session.execute(insert(AdImpression), rows)
    charges = _split(spend, [1.0] * clicks) if clicks else []
    click_rows = [{"token_id": secrets.token_hex(10), "campaign_id": campaign.id,
                   "note_id": notes[i % len(notes)], "viewer_anon_id": rng.choice(viewers),
                   "country": country, "language": "ja" if country == "JP" else "en",
                   "surface": "discover", "position": 3,
                   "price_micros": campaign.bid_minor * 1_000_000,
                   "charged_minor": charges[i], "is_billable": True, "created_at": moment}
                  for i, moment in enumerate(_moments(rng, day, zone, clicks, now))]
    if click_rows:
        db.session.execute(insert(AdClick), click_rows)


def _campaign_days_from_events(campaign: Campaign) -> None:
    """The serving side's per-UTC-day counters, matching the demo events."""
    existing = set(db.session.scalars(select(CampaignDay.day).where(
        CampaignDay.campaign_id == campaign.id)))
    totals: dict[date, list[int]] = {}
    for model, index in ((AdImpression, 0), (AdClick, 1)):
        for moment, charged in db.session.execute(
                select(model.created_at, model.charged_minor).where(
                    model.campaign_id == campaign.id, model.is_billable)):
            entry = totals.setdefault(moment.astimezone(UTC).date(), [0, 0, 0])
            entry[index] += 1
            entry[2] += charged
    for day, (impressions, clicks, spend) in sorted(totals.items()):
        if day not in existing:
            db.session.add(CampaignDay(campaign_id=campaign.id, day=day,
                                       impressions=impressions, clicks=clicks,
                                       spend_minor=spend, spend_micros=spend * 1_000_000))


def _stored_day(campaign: Campaign, day: date, clicks: int, spend: int, rng: random.Random,
                now: datetime) -> CampaignReportDay:
    """A stored roll-up of a day older than the roll-up window."""
    impressions = max(int(clicks / CTR * rng.uniform(0.85, 1.15)), clicks)
    orders = sum(1 for _ in range(clicks) if rng.random() < CONVERSION)
    basket = BASKET.get(campaign.currency, 4000)
    gmv = sum(int(basket * rng.uniform(0.6, 1.6)) for _ in range(orders))
    return CampaignReportDay(campaign_id=campaign.id, day=day, impressions=impressions,
                             reach=int(impressions * rng.uniform(0.62, 0.74)), clicks=clicks,
                             spend_minor=spend, orders=orders, gmv_minor=gmv,
                             currency=campaign.currency, rolled_up_at=now)


def _seed_delivery(campaign: Campaign, now: datetime) -> str:
    """The campaign's delivery so far, spending exactly what it has spent."""
    zone = reports.brand_zone(campaign)
    today = reports.local_today(zone, now)
    days = _flight_days(campaign, zone, today)
    if not days or not campaign.spent_minor:
        return ""
    rng = random.Random(campaign.id * 7919)
    weights = [_weekday_factor(d) * rng.uniform(0.75, 1.25) * (0.5 if d == today else 1.0)
               for d in days]
    spend_by_day = _split(campaign.spent_minor, weights)
    country = (campaign.countries or ["JP"])[0]
    window_start = today - timedelta(days=reports.ROLLUP_DAYS)
    stored = 0
    for day, spend in zip(days, spend_by_day, strict=True):
        clicks = max(spend // campaign.bid_minor, 1 if spend else 0)
        if day < window_start:
            db.session.add(_stored_day(campaign, day, clicks, spend, rng, now))
            stored += 1
        else:
            _events(campaign, day, clicks, spend, zone, rng, now, country)
    db.session.flush()
    _campaign_days_from_events(campaign)
    return f"{campaign.name}: {len(days)} days ({stored} stored roll-ups)"


def _purchase(spec: DemoPurchase, campaign: Campaign, now: datetime,
              payments: DemoPayments) -> str:
    """A click on the campaign's note, then an order through that note the next day."""
    key = f"demo-ad-report-{spec.key}"
    if db.session.scalar(select(Payment.id).where(Payment.idempotency_key == key)):
        return ""
    shopper = db.session.scalar(select(User).where(User.email == spec.shopper))
    store = db.session.scalar(select(Store).where(Store.slug == "brooklyn-goods"))
    if shopper is None or store is None or not campaign.note_ids:
        return f"skipped {spec.key}: demo shopper, store or note missing"
    basket = cart.find_cart(user=shopper)
    if basket is not None and basket.items:
        return f"skipped {spec.key}: {spec.shopper} has items in the cart"
    note_id = campaign.note_ids[-1]
    clicked_at = now - timedelta(days=spec.days_ago, hours=3)
    db.session.add(AdClick(token_id=secrets.token_hex(10), campaign_id=campaign.id,
                           note_id=note_id, viewer_user_id=shopper.id,
                           country=spec.address["country"], surface="discover", position=3,
                           price_micros=campaign.bid_minor * 1_000_000,
                           charged_minor=0, is_billable=True, created_at=clicked_at))
    variant = catalog.variant_by_sku(store.id, spec.sku)
    basket = cart.open_cart(user=shopper)
    cart.add_item(basket, variant.id, spec.quantity, note_id=note_id,
                  ship_to=spec.address["country"])
    quote = quotes.create_quote(shopper, spec.currency, spec.address)
    paid_at = clicked_at + timedelta(hours=20)
    orders = payments.pay(shopper, quote, key, placed_at=paid_at)
    for order in orders:
        order.created_at = paid_at
    return f"{spec.key}: order {orders[0].id} through note {note_id}"


def _book_slot(campaign: Campaign, owner: User, now: datetime) -> str:
    """Discover's first sponsored card in Japan for the next three days, paid."""
    if db.session.scalar(select(PlacementBooking.id).where(
            PlacementBooking.campaign_id == campaign.id)):
        return ""
    start = now.date() + timedelta(days=1)
    try:
        booking = bookings.book_placement(owner, campaign.organization_id,
                                            campaign_id=campaign.id,
                                            slot_code=placements.DEFAULT_SLOT, country="JP",
                                            start=start, end=start + timedelta(days=2),
                                            now=now)
        placements.pay_placement(owner, booking, now=now)
    except DomainError as exc:
        return f"guaranteed placement not booked: {exc.message}"
    return (f"Guaranteed placement: {campaign.name}, Discover first card in JP "
            f"{booking.start_day}–{booking.end_day}, {booking.planned_impressions:,} views")


def seed_ad_reports() -> list[str]:
    """Traffic, delivery, roll-ups, attributed orders and a booked slot (once)."""
    now = utcnow()
    lines = []
    added = _seed_traffic(now.date())
    if added:
        lines.append(f"Discover traffic: {added} country-days")
    campaigns = list(db.session.scalars(
        select(Campaign).join(Organization, Organization.id == Campaign.organization_id)
        .where(Campaign.status.in_(("active", "paused", "completed")))
        .order_by(Campaign.id)))
    if not campaigns:
        return [*lines, "Demo ad reports: skipped (no brand campaigns yet)"]
    by_name = {c.name: c for c in campaigns}
    fresh = []
    for campaign in campaigns:
        done = db.session.scalar(select(func.count()).select_from(CampaignReportDay).where(
            CampaignReportDay.campaign_id == campaign.id)) or db.session.scalar(
            select(func.count()).select_from(AdImpression).where(
                AdImpression.campaign_id == campaign.id))
        if not done:
            line = _seed_delivery(campaign, now)
            if line:
                lines.append(line)
                fresh.append(campaign)
    payments = DemoPayments()
    for spec in PURCHASES:
        campaign = by_name.get(spec.campaign)
        if campaign is not None and campaign in fresh:
            line = _purchase(spec, campaign, now, payments)
            if line:
                lines.append(line)
    db.session.flush()
    for campaign in fresh:
        reports.roll_up_campaign(campaign, now=now)
    glow = by_name.get("Glow Serum — Japan launch")
    owner = db.session.scalar(select(User).where(User.email == "brand@example.com"))
    if glow is not None and owner is not None:
        line = _book_slot(glow, owner, now)
        if line:
            lines.append(line)
    if payments.note():
        lines.append(payments.note())
    db.session.flush()
    return lines
