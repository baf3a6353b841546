"""Campaign reports: per day in the brand's time zone, with attributed orders and GMV.

Numbers per campaign per day: billable impressions, unique reach (distinct signed-in
users plus distinct anonymous viewers), billable clicks, CTR, spend (what billable events
charged), eCPM / eCPC, and attributed orders and GMV.

**Attribution.** An order counts for a campaign when one of its lines came through one of
the campaign's notes (the note attribution the checkout records on `OrderLine.note_id`)
and the same shopper made a valid click on the campaign at most 7 days (168 hours) before
the order was paid. The order counts on the day it was paid; GMV is those lines' value net
of refunded units, converted to the campaign's currency (the store's price when the store
already sells in it). A conversion is counted once per campaign, whoever else was clicked.

**Roll-up.** `roll_up_campaign_days` stores finished days in `CampaignReportDay`
(idempotent upserts; it recomputes the last `ROLLUP_DAYS` days since orders keep arriving
for a week after a click). Reports read stored days and compute today, and any day of the
flight the roll-up has not stored yet, live from the events.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import and_, distinct, func, select

from app.extensions import db
from app.models import (
    AdAccount,
    AdClick,
    AdImpression,
    Campaign,
    CampaignNote,
    CampaignReportDay,
    Order,
    OrderLine,
    User,
)
from app.money import Money
from app.services.fields import FieldErrors
from app.services.permissions import not_found_in_organization, require_membership

ATTRIBUTION_WINDOW = timedelta(days=7)
ROLLUP_DAYS = 8
MAX_REPORT_DAYS = 366
DEFAULT_REPORT_DAYS = 28
COUNTED_ORDER_STATES = ("paid", "fulfilling", "partially_shipped", "shipped", "delivered",
                        "completed", "partially_refunded", "refunded")


@dataclass(frozen=True)
class ReportDay:
    """One day of a campaign report."""

    day: date
    impressions: int
    reach: int
    clicks: int
    spend: Money
    orders: int
    gmv: Money

    @property
    def ctr(self) -> Decimal | None:
        """Clicks per impression (a fraction, 4 places), None without impressions."""
        return ratio(self.clicks, self.impressions, "0.0001")

    @property
    def ecpm(self) -> Money | None:
        """Spend per thousand impressions."""
        if not self.impressions:
            return None
        return Money(_half_up(Decimal(self.spend.minor) * 1000 / self.impressions),
                     self.spend.currency)

    @property
    def ecpc(self) -> Money | None:
        """Spend per click."""
        if not self.clicks:
            return None
        return Money(_half_up(Decimal(self.spend.minor) / self.clicks), self.spend.currency)

    @property
    def roas(self) -> Decimal | None:
        """GMV per unit of spend (2 places), None without spend."""
        return ratio(self.gmv.minor, self.spend.minor, "0.01")


@dataclass(frozen=True)
class CampaignReport:
    """A campaign's days from `start` to `end` (the brand's calendar) and their totals."""

    campaign: Campaign
    time_zone: str
    start: date
    end: date
    days: list[ReportDay]
    totals: ReportDay


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ratio(numerator: int, denominator: int, places: str) -> Decimal | None:
    """Numerator ÷ denominator rounded half-up to `places`, or None when dividing by 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places),
                                                                 rounding=ROUND_HALF_UP)


def brand_zone(campaign: Campaign) -> ZoneInfo:
    """The time zone the campaign's brand reads its calendar in (UTC if unknown)."""
    name = db.session.scalar(select(AdAccount.time_zone).where(
        AdAccount.id == campaign.account_id)) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where `day` starts and ends in `zone`."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_today(zone: ZoneInfo, now: datetime) -> date:
    """Today in `zone`."""
    return now.astimezone(zone).date()


def parse_report_range(raw_from: str | None, raw_to: str | None, *, today: date
                       ) -> tuple[date, date]:
    """`from`/`to` (YYYY-MM-DD, both optional): the range, or ValidationFailed naming it."""
    errors = FieldErrors()
    parsed: dict[str, date | None] = {}
    for field, raw in (("from", raw_from), ("to", raw_to)):
        parsed[field] = None
        if raw in (None, ""):
            continue
        try:
            parsed[field] = date.fromisoformat(str(raw))
            if len(str(raw)) != 10:
                raise ValueError
        except ValueError:
            errors.add(field, _("Use a date as YYYY-MM-DD."), "invalid_report_dates")
    errors.raise_if_any()
    end = parsed["to"] or today
    start = parsed["from"] or end - timedelta(days=DEFAULT_REPORT_DAYS - 1)
    if start > end:
        errors.add("to", _("The end date cannot be before the start date."),
                   "invalid_report_dates")
    elif (end - start).days + 1 > MAX_REPORT_DAYS:
        errors.add("to", _("Ask for at most %(days)d days at a time.", days=MAX_REPORT_DAYS),
                   "invalid_report_dates")
    errors.raise_if_any()
    return start, end


# Computing a day from the events -------------------------------------------------------------
def _note_ids(campaign: Campaign) -> list[int]:
    return list(db.session.scalars(select(CampaignNote.note_id).where(
        CampaignNote.campaign_id == campaign.id)))


def _event_counts(model, campaign_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    row = db.session.execute(
        select(func.count(model.id), func.coalesce(func.sum(model.charged_minor), 0))
        .where(model.campaign_id == campaign_id, model.is_billable,
               model.created_at >= start, model.created_at < end)).one()
    return int(row[0]), int(row[1])


def _reach(campaign_id: int, start: datetime, end: datetime) -> int:
    where = and_(AdImpression.campaign_id == campaign_id, AdImpression.is_billable,
                 AdImpression.created_at >= start, AdImpression.created_at < end)
    users = db.session.scalar(select(func.count(distinct(AdImpression.viewer_user_id)))
                              .where(where, AdImpression.viewer_user_id.is_not(None)))
    anonymous = db.session.scalar(select(func.count(distinct(AdImpression.viewer_anon_id)))
                                  .where(where, AdImpression.viewer_user_id.is_(None),
                                         AdImpression.viewer_anon_id.is_not(None)))
    return int(users or 0) + int(anonymous or 0)


def _line_value(line: OrderLine, order: Order, currency: str, now: datetime) -> int | None:
    units = line.quantity - line.refunded_quantity
    if units <= 0:
        return 0
    if order.currency == currency:
        return line.unit_price_minor * units
    if order.store_currency == currency:
        return line.unit_price_store_minor * units
    from app.services.fx import RateUnavailable, StaleRate, convert, lock_rate

    try:
        locked = lock_rate(order.currency, currency, now=now)
    except (RateUnavailable, StaleRate):
        return None  # no rate for the pair: the order still counts, its value cannot
    return convert(Money(line.unit_price_minor * units, order.currency), locked).minor


def attributed_orders(campaign: Campaign, start: datetime, end: datetime, *,
                      note_ids: list[int] | None = None,
                      now: datetime | None = None) -> tuple[int, Money]:
    """Orders paid in [start, end) attributed to the campaign, and their GMV."""
    note_ids = _note_ids(campaign) if note_ids is None else note_ids
    zero = Money(0, campaign.currency)
    if not note_ids:
        return 0, zero
    paid_at = func.coalesce(Order.paid_at, Order.created_at)
    rows = db.session.execute(
        select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.note_id.in_(note_ids), Order.status.in_(COUNTED_ORDER_STATES),
               paid_at >= start, paid_at < end)
        .order_by(Order.id, OrderLine.id)).all()
    if not rows:
        return 0, zero
    shoppers = {order.user_id for _line, order in rows}
    clicks: dict[int, list[datetime]] = {}
    for user_id, clicked_at in db.session.execute(
            select(AdClick.viewer_user_id, AdClick.created_at)
            .where(AdClick.campaign_id == campaign.id, AdClick.is_billable,
                   AdClick.viewer_user_id.in_(shoppers),
                   AdClick.created_at >= start - ATTRIBUTION_WINDOW, AdClick.created_at < end)):
        clicks.setdefault(user_id, []).append(clicked_at)
    orders: set[int] = set()
    gmv = 0
    for line, order in rows:
        moment = order.paid_at or order.created_at
        if not any(moment - ATTRIBUTION_WINDOW <= clicked <= moment
                   for clicked in clicks.get(order.user_id, ())):
            continue
        orders.add(order.id)
        value = _line_value(line, order, campaign.currency, now or moment)
        gmv += value or 0
    return len(orders), Money(gmv, campaign.currency)


def compute_day(campaign: Campaign, day: date, zone: ZoneInfo, *,
                note_ids: list[int] | None = None, now: datetime | None = None) -> ReportDay:
    """One day of the campaign computed from its events and orders."""
    start, end = local_day_bounds(day, zone)
    impressions, impression_spend = _event_counts(AdImpression, campaign.id, start, end)
    clicks, click_spend = _event_counts(AdClick, campaign.id, start, end)
    orders, gmv = attributed_orders(campaign, start, end, note_ids=note_ids, now=now)
    return ReportDay(day, impressions, _reach(campaign.id, start, end) if impressions else 0,
                     clicks, Money(impression_spend + click_spend, campaign.currency),
                     orders, gmv)


# The roll-up -----------------------------------------------------------------------------------
def _upsert(campaign: Campaign, computed: ReportDay, now: datetime) -> None:
    row = db.session.scalar(select(CampaignReportDay).where(
        CampaignReportDay.campaign_id == campaign.id, CampaignReportDay.day == computed.day))
    if row is None:
        row = CampaignReportDay(campaign_id=campaign.id, day=computed.day,
                                currency=campaign.currency, rolled_up_at=now)
        db.session.add(row)
    row.impressions, row.reach, row.clicks = (computed.impressions, computed.reach,
                                              computed.clicks)
    row.spend_minor, row.orders, row.gmv_minor = (computed.spend.minor, computed.orders,
                                                  computed.gmv.minor)
    row.currency, row.rolled_up_at = campaign.currency, now


def roll_up_campaign(campaign: Campaign, *, now: datetime, days: int = ROLLUP_DAYS) -> int:
    """Store the campaign's last `days` finished days (brand calendar); how many stored."""
    zone = brand_zone(campaign)
    today = local_today(zone, now)
    first = max(campaign.starts_at.astimezone(zone).date(), today - timedelta(days=days))
    last = min(campaign.ends_at.astimezone(zone).date() + ATTRIBUTION_WINDOW,
               today - timedelta(days=1))
    note_ids = _note_ids(campaign)
    stored = 0
    day = first
    while day <= last:
        _upsert(campaign, compute_day(campaign, day, zone, note_ids=note_ids, now=now), now)
        stored += 1
        day += timedelta(days=1)
    db.session.flush()
    return stored


def campaigns_to_roll_up(now: datetime, days: int = ROLLUP_DAYS) -> list[int]:
    """Campaigns that ran (or could still collect orders) in the last `days` + 7 days."""
    since = now - timedelta(days=days) - ATTRIBUTION_WINDOW - timedelta(days=1)
    return list(db.session.scalars(select(Campaign.id).where(
        Campaign.status.in_(("active", "paused", "completed", "scheduled")),
        Campaign.starts_at <= now, Campaign.ends_at >= since).order_by(Campaign.id)))


def roll_up_campaign_days(*, now: datetime, days: int = ROLLUP_DAYS) -> int:
    """The daily roll-up of every campaign that ran lately; days stored."""
    stored = 0
    for campaign_id in campaigns_to_roll_up(now, days):
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is not None:
            stored += roll_up_campaign(campaign, now=now, days=days)
    return stored


# Reading a report ------------------------------------------------------------------------------
def campaign_report(campaign: Campaign, start: date, end: date, *,
                    now: datetime) -> CampaignReport:
    """The campaign's days from `start` to `end`: stored days as rolled up; today, and any
    day the roll-up has not stored yet, computed live from the events (GETs never write).
    """
    zone = brand_zone(campaign)
    today = local_today(zone, now)
    stored = {row.day: row for row in db.session.scalars(select(CampaignReportDay).where(
        CampaignReportDay.campaign_id == campaign.id,
        CampaignReportDay.day.between(start, end)))}
    first_day = campaign.starts_at.astimezone(zone).date()
    last_day = campaign.ends_at.astimezone(zone).date() + ATTRIBUTION_WINDOW
    note_ids: list[int] | None = None
    days: list[ReportDay] = []
    day = start
    while day <= end:
        row = stored.get(day)
        if row is not None:
            days.append(ReportDay(day, row.impressions, row.reach, row.clicks,
                                  Money(row.spend_minor, row.currency), row.orders,
                                  Money(row.gmv_minor, row.currency)))
        elif first_day <= day <= min(today, last_day):
            note_ids = _note_ids(campaign) if note_ids is None else note_ids
            days.append(compute_day(campaign, day, zone, note_ids=note_ids, now=now))
        else:
            zero = Money(0, campaign.currency)
            days.append(ReportDay(day, 0, 0, 0, zero, 0, zero))
        day += timedelta(days=1)
    return CampaignReport(campaign, zone.key, start, end, days, totals(days, campaign, end))


def totals(days: Iterable[ReportDay], campaign: Campaign, end: date) -> ReportDay:
    """The sums of the days (reach is summed too: an upper bound of distinct people)."""
    listed = list(days)
    zero = Money(0, campaign.currency)
    return ReportDay(end, sum(d.impressions for d in listed), sum(d.reach for d in listed),
                     sum(d.clicks for d in listed), sum((d.spend for d in listed), zero),
                     sum(d.orders for d in listed), sum((d.gmv for d in listed), zero))


CSV_HEADER = ["date", "impressions", "reach", "clicks", "ctr", "spend", "ecpm", "ecpc",
              "orders", "gmv", "roas", "currency"]


def _plain(value: Money | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.to_api()["amount"]
    return str(value)


def report_csv(report: CampaignReport) -> str:
    """The report as CSV: one row per day, amounts as plain decimals in the currency."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for day in report.days:
        writer.writerow([day.day.isoformat(), day.impressions, day.reach, day.clicks,
                         _plain(day.ctr), _plain(day.spend), _plain(day.ecpm),
                         _plain(day.ecpc), day.orders, _plain(day.gmv), _plain(day.roas),
                         report.campaign.currency])
    return out.getvalue()



# Entry points for the edges ---------------------------------------------------------------------
def brand_campaign_report(actor: User, organization_id: int, campaign_id: int,
                          raw_from: str | None, raw_to: str | None, *,
                          now: datetime) -> CampaignReport:
    """The report of one of the brand's campaigns (404 for another brand's campaign)."""
    require_membership(actor, organization_id, kind="brand")
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.organization_id != organization_id:
        raise not_found_in_organization()
    start, end = parse_report_range(raw_from, raw_to,
                                    today=local_today(brand_zone(campaign), now))
    return campaign_report(campaign, start, end, now=now)


def brand_report_overview(actor: User, organization_id: int, *, now: datetime,
                          days: int = DEFAULT_REPORT_DAYS) -> list[tuple[Campaign, ReportDay]]:
    """Each of the brand's campaigns with its totals over the last `days` days."""
    require_membership(actor, organization_id, kind="brand")
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.organization_id == organization_id).order_by(Campaign.id.desc()))
    rows = []
    for campaign in campaigns:
        today = local_today(brand_zone(campaign), now)
        report = campaign_report(campaign, today - timedelta(days=days - 1), today, now=now)
        rows.append((campaign, report.totals))
    return rows
