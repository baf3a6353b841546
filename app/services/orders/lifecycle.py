"""Orders: created from a paid quote (one per store), their state log, and their lists.

Amounts are kept in the presentment currency and, at the quote's locked rate, in the
store's base currency. Rounding rule (app.money): half to even, once, at the store
currency's minor unit. The store-currency total is the presentment total divided by the
locked rate (store -> presentment). The platform commission (PLATFORM_COMMISSION_PERCENT)
is taken on items and shipping only: duties and taxes pass through to the authorities.
The merchant's net is the store-currency total minus the commission. A refund lowers it
by the refunded amount in store currency, and the platform gives back the commission on
the part that refunded goods or shipping, in proportion (`settlement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    ORDER_STATES,
    ORDER_TRANSITIONS,
    Note,
    NoteCoauthor,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Quote,
    QuoteGroup,
    User,
    utcnow,
)
from app.money import Money, round_minor
from app.services.errors import Conflict, ValidationFailed
from app.services.pagination import Page
from app.services.permissions import not_found_in_organization, require_store_staff

# Before any unit has left the warehouse, a merchant may still cancel.
CANCELLABLE = ("paid", "fulfilling", "partially_refunded")
REFUNDABLE = ("paid", "fulfilling", "partially_shipped", "shipped", "delivered", "completed",
              "partially_refunded")


class InvalidTransition(Conflict):
    """The order cannot move from its current status to the one asked for."""

    code = "invalid_order_transition"


def transition_order(order: Order, to_status: str, *, actor: User | None = None,
                     reason: str = "", reason_code: str | None = None,
                     reason_params: dict[str, str | int] | None = None) -> OrderEvent:
    """Move an order along ORDER_TRANSITIONS and log the change.

    `reason` is what a person typed; `reason_code` (ORDER_EVENT_REASONS) with its
    `reason_params` is the platform's own reason, worded by each page in its reader's language.
    """
    if to_status not in ORDER_STATES:
        raise ValueError(f"unknown order status {to_status}")
    if to_status not in ORDER_TRANSITIONS.get(order.status, ()):
        raise InvalidTransition(
            _("Order %(id)s is %(status)s and cannot become %(to)s.", id=order.id,
              status=order.status.replace("_", " "), to=to_status.replace("_", " ")))
    event = OrderEvent(order=order, from_status=order.status, to_status=to_status,
                       actor_id=actor.id if actor else None, reason=reason,
                       reason_code=reason_code, reason_params=reason_params or {})
    order.status = to_status
    db.session.add(event)
    return event


def in_store_currency(minor: int, currency: str, rate: Decimal, store_currency: str) -> int:
    """A presentment amount in the store's currency at the locked rate (store -> presentment)."""
    if currency == store_currency and rate == 1:
        return minor
    with localcontext(prec=60):
        inverse = Decimal(1) / rate
    return Money(minor, currency).convert(inverse, store_currency).minor


@dataclass(frozen=True)
class Settlement:
    """What an order is worth to its merchant now, in the store's currency."""

    total: Money
    commission: Money
    refunded: Money
    commission_returned: Money
    net: Money


def settlement(order: Order) -> Settlement:
    """The merchant's net after refunds: refunds out, their share of the commission back.

    Both are computed from the running totals, so rounding never drifts: a full refund
    gives back exactly the whole commission and leaves a net of zero.
    """
    currency = order.store_currency
    refunded = in_store_currency(order.refunded_minor, order.currency,
                                  Decimal(order.fx_rate), currency)
    base = order.items_minor + order.shipping_minor
    share = min(order.commissionable_refunded_minor, base)
    returned = round_minor(Decimal(order.commission_store_minor) * share / base) if base else 0
    net = order.total_store_minor - refunded - order.commission_store_minor + returned
    return Settlement(total=Money(order.total_store_minor, currency),
                      commission=Money(order.commission_store_minor, currency),
                      refunded=Money(refunded, currency),
                      commission_returned=Money(returned, currency), net=Money(net, currency))


def commission_percent() -> Decimal:
    """PLATFORM_COMMISSION_PERCENT as a Decimal fraction (8 -> 0.08)."""
    return Decimal(str(current_app.config.get("PLATFORM_COMMISSION_PERCENT", "8"))) / 100


def _attribution(note_ids: set[int]) -> dict[int, tuple[int, int | None]]:
    """Note id -> (author id, credited co-author id or None) for the notes items were
    bought through; a co-created note's sales are split between its two creators.
    """
    if not note_ids:
        return {}
    rows = db.session.execute(
        select(Note.id, Note.author_id, NoteCoauthor.coauthor_id)
        .outerjoin(NoteCoauthor, and_(NoteCoauthor.note_id == Note.id,
                                      NoteCoauthor.status == "accepted"))
        .where(Note.id.in_(note_ids)))
    return {note_id: (author_id, coauthor_id) for note_id, author_id, coauthor_id in rows}


def create_orders_for_quote(quote: Quote, payment: Payment, *, now: datetime | None = None
                            ) -> list[Order]:
    """One paid order per store of the quote, sharing its checkout reference.

    Callers make sure this runs once per quote (the payment's conditional state change);
    the unique (quote_id, store_id) constraint backs that up.
    """
    now = now or utcnow()
    groups = db.session.scalars(
        select(QuoteGroup).where(QuoteGroup.quote_id == quote.id)
        .options(selectinload(QuoteGroup.lines)).order_by(QuoteGroup.id)).all()
    authors = _attribution({line.note_id for g in groups for line in g.lines if line.note_id})
    rate_share = commission_percent()
    orders = []
    for group in groups:
        rate = Decimal(group.fx_rate)
        total_store = in_store_currency(group.total_minor, quote.currency, rate,
                                         group.store_currency)
        base_store = in_store_currency(group.items_minor + group.shipping_minor,
                                        quote.currency, rate, group.store_currency)
        commission = round_minor(Decimal(base_store) * rate_share)
        order = Order(
            quote_id=quote.id, checkout_reference=quote.reference, store_id=group.store_id,
            user_id=quote.user_id, status="paid", currency=quote.currency,
            items_minor=group.items_minor, shipping_minor=group.shipping_minor,
            duties_minor=group.duties_minor, taxes_minor=group.taxes_minor,
            collected_at_checkout=group.collected_at_checkout, total_minor=group.total_minor,
            store_currency=group.store_currency, fx_rate=rate, fx_as_of=quote.fx_as_of,
            total_store_minor=total_store, commission_store_minor=commission,
            merchant_net_store_minor=total_store - commission,
            shipping_address=dict(quote.shipping_address), assessment=dict(group.assessment),
            paid_at=now,
        )
        for line in group.lines:
            order.lines.append(OrderLine(
                variant_id=line.variant_id, product_id=line.product_id, title=line.title,
                title_en=line.title_en, title_zh=line.title_zh,
                sku=line.sku, quantity=line.quantity, unit_price_minor=line.unit_price_minor,
                unit_price_store_minor=line.unit_price_store_minor, duty_minor=line.duty_minor,
                tax_minor=line.tax_minor, note_id=line.note_id,
                creator_id=authors.get(line.note_id, (None, None))[0],
                cocreator_id=authors.get(line.note_id, (None, None))[1]))
        order.events.append(OrderEvent(from_status=None, to_status="paid",
                                       reason_code="payment_succeeded",
                                       reason_params={"intent": payment.intent_id},
                                       created_at=now))
        db.session.add(order)
        orders.append(order)
    db.session.flush()
    return orders


def orders_for_quote(quote_id: int) -> list[Order]:
    """The orders a checkout became, with their lines and stores."""
    return list(db.session.scalars(
        select(Order).where(Order.quote_id == quote_id)
        .options(selectinload(Order.lines), joinedload(Order.store)).order_by(Order.id)))


# Shopper ----------------------------------------------------------------------------------
def _list_options() -> list[Any]:
    return [selectinload(Order.lines), selectinload(Order.shipments), joinedload(Order.store)]


def list_shopper_orders(user: User, *, after: Sequence[Any] | None = None,
                        limit: int = 20) -> Page[Order]:
    """The user's orders, newest first."""
    stmt = (select(Order).where(Order.user_id == user.id).options(*_list_options())
            .order_by(Order.id.desc()).limit(limit + 1))
    if after:
        stmt = stmt.where(Order.id < int(after[0]))
    rows = list(db.session.scalars(stmt))
    return Page(items=rows[:limit],
                next_after=[rows[limit - 1].id] if len(rows) > limit else None)


def get_shopper_order(user: User, order_id: int) -> Order:
    """One of the user's orders; another user's answers 404."""
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.user_id == user.id)
        .options(selectinload(Order.lines), selectinload(Order.events),
                 selectinload(Order.refunds), selectinload(Order.shipments),
                 joinedload(Order.store)))
    if order is None:
        raise not_found_in_organization()
    return order


# Merchant ---------------------------------------------------------------------------------
def list_store_orders(actor: User, store_id: int, *, status: str | None = None,
                      created_from: datetime | None = None,
                      created_to: datetime | None = None, reference: str | None = None,
                      after: Sequence[Any] | None = None, limit: int = 25) -> Page[Order]:
    """A store's order queue, newest first, filtered by status, date and reference."""
    store = require_store_staff(actor, store_id)
    stmt = (select(Order).where(Order.store_id == store.id)
            .options(selectinload(Order.lines), selectinload(Order.shipments),
                     joinedload(Order.user))
            .order_by(Order.id.desc()).limit(limit + 1))
    if status:
        if status not in ORDER_STATES:
            raise ValidationFailed(_("Unknown order status."), code="invalid_status",
                                   fields={"status": [_("Use one of %(v)s.",
                                                        v=", ".join(ORDER_STATES))]})
        stmt = stmt.where(Order.status == status)
    if created_from:
        stmt = stmt.where(Order.created_at >= created_from)
    if created_to:
        stmt = stmt.where(Order.created_at < created_to)
    text = (reference or "").strip().upper()
    if text:
        if text.isdigit():
            stmt = stmt.where(Order.id == int(text))
        else:
            stmt = stmt.where(Order.checkout_reference.startswith(text, autoescape=True))
    if after:
        stmt = stmt.where(Order.id < int(after[0]))
    rows = list(db.session.scalars(stmt))
    return Page(items=rows[:limit],
                next_after=[rows[limit - 1].id] if len(rows) > limit else None)


def get_store_order(actor: User, store_id: int, order_id: int, *, for_update: bool = False
                    ) -> Order:
    """One of the store's orders with lines, events and refunds; others answer 404."""
    store = require_store_staff(actor, store_id)
    stmt = (select(Order).where(Order.id == order_id, Order.store_id == store.id)
            .options(selectinload(Order.lines), selectinload(Order.events),
                     selectinload(Order.refunds), selectinload(Order.shipments),
                     joinedload(Order.user)))
    if for_update:
        stmt = stmt.with_for_update(of=Order)
    order = db.session.scalar(stmt)
    if order is None:
        raise not_found_in_organization()
    return order


def refundable_minor(order: Order) -> int:
    """What can still be refunded on the order (presentment currency)."""
    return order.total_minor - order.refunded_minor


def shipping_refunded(order: Order) -> bool:
    """True once a refund has covered the order's shipping."""
    return any(r.includes_shipping and r.state != "failed" for r in order.refunds)
