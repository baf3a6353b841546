"""A store's sales over a period, in its own currency: by day, market, currency and product.

Every amount is in the store's base currency: orders at the rate locked at checkout, refunds
at the same rate, and the merchant's net after refunds as `settlement` computes it. "Sales"
are goods and shipping; duty and tax pass through to the authorities and are left out.
Days are the merchant's days, in the time zone the caller gives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import aliased, load_only

from app.extensions import db
from app.models import Note, Order, OrderLine, User
from app.money import Money
from app.services.orders.lifecycle import in_store_currency, settlement
from app.services.permissions import require_store_staff

# Orders that were paid (a cancelled one was paid, then refunded: its net is zero).
SOLD_STATES = ("paid", "fulfilling", "partially_shipped", "shipped", "delivered", "completed",
               "cancelled", "refunded", "partially_refunded")
# Orders that earned their creators something (cancelled and fully refunded ones did not).
EARNING_STATES = tuple(state for state in SOLD_STATES if state not in ("cancelled", "refunded"))
MAX_DAYS = 366
TOP = 5


@dataclass(frozen=True)
class SalesDay:
    """One of the merchant's days."""

    day: date
    orders: int
    sales: Money
    refunded: Money
    net: Money


@dataclass(frozen=True)
class SalesShare:
    """Orders and sales for one market, currency, product or creator."""

    key: str
    label: str
    orders: int
    units: int
    sales: Money


@dataclass(frozen=True)
class SalesReport:
    """A store's sales between two of its days (both included)."""

    currency: str
    first_day: date
    last_day: date
    days: list[SalesDay]
    orders: int
    sales: Money
    refunded: Money
    commission: Money
    net: Money
    by_market: list[SalesShare]
    by_currency: list[SalesShare]
    top_products: list[SalesShare]
    from_notes: SalesShare
    top_creators: list[SalesShare]


def creator_credits(line_value, in_range):
    """One row per creator credited on each line bought through a note: (creator_id,
    order_id, quantity, value). A co-created note's line is split between its two creators:
    the co-author gets half rounded down, the author the rest, so the halves always add up
    to the line's value.
    """
    half = line_value // 2
    author_value = case((OrderLine.cocreator_id.is_(None), line_value), else_=line_value - half)
    return union_all(
        select(OrderLine.creator_id.label("creator_id"), OrderLine.order_id,
               OrderLine.quantity, author_value.label("value"), OrderLine.note_id,
               Order.store_currency, OrderLine.cocreator_id.label("shared_with"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*in_range, OrderLine.creator_id.is_not(None)),
        select(OrderLine.cocreator_id, OrderLine.order_id, OrderLine.quantity,
               half.label("value"), OrderLine.note_id, Order.store_currency,
               OrderLine.creator_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(*in_range, OrderLine.cocreator_id.is_not(None)),
    ).subquery()


@dataclass(frozen=True)
class CreditedNote:
    """Sales credited to a creator through one of their notes, in one store currency."""

    note_id: int
    title: str
    shared_with: str | None
    orders: int
    units: int
    credited: Money


@dataclass(frozen=True)
class CreatorSales:
    """What a creator's notes sold in a period: totals per store currency, and per note."""

    first_day: date
    last_day: date
    totals: list[SalesShare]
    notes: list[CreditedNote]


def creator_sales(creator: User, *, first_day: date, last_day: date, zone: tzinfo,
                  limit: int = 50) -> CreatorSales:
    """Goods sold through the creator's notes between two of their days (both included),
    as credited to them: all of a note of their own, half of a co-created one (the co-author
    half rounded down, the author the rest: `creator_credits`). Amounts stay in each store's
    currency, never converted; orders cancelled or refunded in full earned nothing and are
    left out. Two statements.
    """
    last_day = max(last_day, first_day)
    first_day = max(first_day, last_day - timedelta(days=MAX_DAYS - 1))
    start = datetime.combine(first_day, time.min, zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone).astimezone(UTC)
    in_range = (Order.status.in_(EARNING_STATES), Order.created_at >= start,
                Order.created_at < end)
    credits = creator_credits(OrderLine.unit_price_store_minor * OrderLine.quantity, in_range)
    mine = credits.c.creator_id == creator.id
    totals = [
        SalesShare(key=currency, label=currency, orders=count, units=int(units),
                   sales=Money(int(value), currency))
        for currency, count, units, value in db.session.execute(
            select(credits.c.store_currency, func.count(func.distinct(credits.c.order_id)),
                   func.sum(credits.c.quantity), func.sum(credits.c.value))
            .where(mine).group_by(credits.c.store_currency)
            .order_by(func.sum(credits.c.value).desc(), credits.c.store_currency))]
    partner = aliased(User)
    notes = [
        CreditedNote(note_id=note_id, title=title, shared_with=shared_with, orders=count,
                     units=int(units), credited=Money(int(value), currency))
        for note_id, title, shared_with, currency, count, units, value in db.session.execute(
            select(credits.c.note_id, Note.title, partner.display_name,
                   credits.c.store_currency, func.count(func.distinct(credits.c.order_id)),
                   func.sum(credits.c.quantity), func.sum(credits.c.value))
            .join(Note, Note.id == credits.c.note_id)
            .outerjoin(partner, partner.id == credits.c.shared_with)
            .where(mine)
            .group_by(credits.c.note_id, Note.title, partner.display_name,
                      credits.c.store_currency)
            .order_by(func.sum(credits.c.value).desc(), credits.c.note_id).limit(limit))]
    return CreatorSales(first_day=first_day, last_day=last_day, totals=totals, notes=notes)


def sales_report(actor: User, store_id: int, *, first_day: date, last_day: date,
                 zone: tzinfo) -> SalesReport:
    """The store's sales from `first_day` to `last_day` in `zone`; its staff only."""
    store = require_store_staff(actor, store_id)
    last_day = max(last_day, first_day)
    first_day = max(first_day, last_day - timedelta(days=MAX_DAYS - 1))
    start = datetime.combine(first_day, time.min, zone).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, zone).astimezone(UTC)
    currency = store.base_currency
    in_range = (Order.store_id == store_id, Order.status.in_(SOLD_STATES),
                Order.created_at >= start, Order.created_at < end)

    orders = db.session.scalars(select(Order).where(*in_range).options(load_only(
        Order.created_at, Order.currency, Order.store_currency, Order.fx_rate,
        Order.items_minor, Order.shipping_minor, Order.total_store_minor,
        Order.refunded_minor, Order.commissionable_refunded_minor,
        Order.commission_store_minor, Order.shipping_address))).all()

    per_day: dict[date, list[int]] = {
        first_day + timedelta(days=n): [0, 0, 0, 0]
        for n in range((last_day - first_day).days + 1)}
    markets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    currencies: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    totals = Counter()
    for order in orders:
        sales = in_store_currency(order.items_minor + order.shipping_minor, order.currency,
                                  Decimal(order.fx_rate), currency)
        settled = settlement(order)
        bucket = per_day[order.created_at.astimezone(zone).date()]
        bucket[0] += 1
        bucket[1] += sales
        bucket[2] += settled.refunded.minor
        bucket[3] += settled.net.minor
        country = str(order.shipping_address.get("country", "")).upper()
        markets[country][0] += 1
        markets[country][1] += sales
        currencies[order.currency][0] += 1
        currencies[order.currency][1] += sales
        totals.update(sales=sales, refunded=settled.refunded.minor, net=settled.net.minor,
                      commission=settled.commission.minor - settled.commission_returned.minor)

    def money(minor: int) -> Money:
        return Money(minor, currency)

    def shares(groups: dict[str, list[int]]) -> list[SalesShare]:
        ranked = sorted(groups.items(), key=lambda item: (-item[1][1], item[0]))
        return [SalesShare(key=key, label=key, orders=count, units=0, sales=money(amount))
                for key, (count, amount) in ranked]

    line_value = OrderLine.unit_price_store_minor * OrderLine.quantity
    top_products = [
        SalesShare(key=str(product_id), label=title, orders=count, units=int(units),
                   sales=money(int(value)))
        for product_id, title, count, units, value in db.session.execute(
            select(OrderLine.product_id, func.max(OrderLine.title),
                   func.count(func.distinct(OrderLine.order_id)), func.sum(OrderLine.quantity),
                   func.sum(line_value))
            .join(Order, Order.id == OrderLine.order_id).where(*in_range)
            .group_by(OrderLine.product_id)
            .order_by(func.sum(line_value).desc(), OrderLine.product_id).limit(TOP))]
    noted = db.session.execute(
        select(func.count(func.distinct(OrderLine.order_id)), func.sum(OrderLine.quantity),
               func.sum(line_value))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*in_range, OrderLine.note_id.is_not(None))).one()
    credits = creator_credits(line_value, in_range)
    top_creators = [
        SalesShare(key=str(creator_id), label=name, orders=count, units=int(units),
                   sales=money(int(value)))
        for creator_id, name, count, units, value in db.session.execute(
            select(credits.c.creator_id, User.display_name,
                   func.count(func.distinct(credits.c.order_id)), func.sum(credits.c.quantity),
                   func.sum(credits.c.value))
            .join(User, User.id == credits.c.creator_id)
            .group_by(credits.c.creator_id, User.display_name)
            .order_by(func.sum(credits.c.value).desc(), credits.c.creator_id).limit(TOP))]

    return SalesReport(
        currency=currency, first_day=first_day, last_day=last_day,
        days=[SalesDay(day=day, orders=count, sales=money(sales), refunded=money(refunded),
                       net=money(net))
              for day, (count, sales, refunded, net) in per_day.items()],
        orders=len(orders), sales=money(totals["sales"]), refunded=money(totals["refunded"]),
        commission=money(totals["commission"]), net=money(totals["net"]),
        by_market=shares(markets), by_currency=shares(currencies),
        top_products=top_products,
        from_notes=SalesShare(key="notes", label="", orders=noted[0] or 0,
                              units=int(noted[1] or 0), sales=money(int(noted[2] or 0))),
        top_creators=top_creators)
