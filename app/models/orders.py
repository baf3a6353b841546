"""Payments, provider webhook events, orders with their state log, and refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.checkout import DueOnDelivery, LandedAmounts, PricedLine
from app.models.fx import DecimalText

PAYMENT_STATES = ("created", "processing", "succeeded", "failed", "canceled")
ORDER_STATES = ("pending_payment", "paid", "fulfilling", "partially_shipped", "shipped",
                "delivered", "completed", "cancelled", "refunded", "partially_refunded")
REFUND_STATES = ("pending", "succeeded", "failed")
# Why the platform moved an order (OrderEvent.reason_code); each page words them itself.
ORDER_EVENT_REASONS = ("payment_succeeded", "shipment_sent", "all_delivered",
                       "refund_issued", "cancelled_by_merchant")

# Allowed order state changes; every change is also an OrderEvent row.
ORDER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "pending_payment": ("paid", "cancelled"),
    "paid": ("fulfilling", "partially_shipped", "shipped", "cancelled", "refunded",
             "partially_refunded"),
    "fulfilling": ("partially_shipped", "shipped", "cancelled", "refunded",
                   "partially_refunded"),
    "partially_shipped": ("shipped", "refunded", "partially_refunded"),
    "shipped": ("delivered", "refunded", "partially_refunded"),
    "delivered": ("completed", "refunded", "partially_refunded"),
    "completed": ("refunded", "partially_refunded"),
    "partially_refunded": ("fulfilling", "partially_shipped", "shipped", "delivered",
                           "completed", "refunded", "partially_refunded", "cancelled"),
    "cancelled": (),
    "refunded": (),
}


class Payment(TimestampMixin, db.Model):
    """One provider payment (a Stripe PaymentIntent) for one quote.

    `idempotency_key` is stored before the provider is called, so a retry after a
    crash reuses it and cannot create a second intent.
    """

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(f"state IN {PAYMENT_STATES}", name="state"),
        CheckConstraint("amount_minor > 0", name="amount_minor"),
        CheckConstraint("refunded_minor >= 0 AND refunded_minor <= amount_minor",
                        name="refunded_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quotes.id", ondelete="RESTRICT"), unique=True, nullable=False
    )
    provider: Mapped[str] = mapped_column(String(20), default="stripe", nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="created", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # ISO minor units; the provider's own unit is derived when calling it.
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    failure_message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    quote = relationship("Quote", back_populates="payment")


class WebhookEvent(db.Model):
    """A provider event, stored once per event id so a redelivery acts once."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    event_id: Mapped[str] = mapped_column(String(255), nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    # The provider's object id (e.g. the PaymentIntent) the event is about.
    object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    provider_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(Text, default="", nullable=False)


class Order(LandedAmounts, DueOnDelivery, TimestampMixin, db.Model):
    """One store's share of a paid checkout.

    Amounts are in the presentment `currency`; `*_store_minor` are the same in the
    store's base currency at the quote's locked `fx_rate` (store -> presentment).
    """

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"status IN {ORDER_STATES}", name="status"),
        CheckConstraint("total_minor >= 0 AND refunded_minor >= 0 "
                        "AND refunded_minor <= total_minor", name="amounts"),
        CheckConstraint("commissionable_refunded_minor >= 0 "
                        "AND commissionable_refunded_minor <= refunded_minor",
                        name="commissionable_refunded_minor"),
        UniqueConstraint("quote_id", "store_id"),
        Index("ix_orders_store_status", "store_id", "status", "id"),
        Index("ix_orders_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="RESTRICT"),
                                          nullable=False)
    checkout_reference: Mapped[str] = mapped_column(String(24), index=True, nullable=False)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"),
                                          nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         nullable=False)
    status: Mapped[str] = mapped_column(String(20), default="pending_payment", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    collected_at_checkout: Mapped[bool] = mapped_column(Boolean, nullable=False)
    refunded_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # The part of refunded_minor that gave back items or shipping (the commission's base):
    # the platform returns its commission on that part, never on refunded duty and tax.
    commissionable_refunded_minor: Mapped[int] = mapped_column(Integer, default=0,
                                                                nullable=False)
    store_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    fx_rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    fx_as_of: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    total_store_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    commission_store_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    # The net at payment; after refunds see app.services.orders.settlement().
    merchant_net_store_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    shipping_address: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    # The duty/tax breakdown the shopper was shown (market rule, thresholds, rates).
    assessment: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderEvent.id"
    )
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Refund.id"
    )
    # Read-only here: shipments are created by the logistics service, never via the order.
    # Only parcels to the shopper; a return's parcel hangs off its return request.
    shipments = relationship(
        "Shipment", order_by="Shipment.id", viewonly=True,
        primaryjoin="and_(Order.id == foreign(Shipment.order_id), "
                    "Shipment.direction == 'outbound')")
    store = relationship("Store")
    user = relationship("User")
    quote = relationship("Quote")


class OrderLine(PricedLine, db.Model):
    """A purchased variant, priced as quoted, with the note and creator it came through."""

    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("refunded_quantity >= 0 AND refunded_quantity <= quantity",
                        name="refunded_quantity"),
        CheckConstraint("unit_price_minor >= 0", name="unit_price_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Attribution: the note the item was bought through and that note's author.
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="SET NULL"), index=True
    )
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # A co-created note's co-author at the time of sale: the line's value is credited half
    # to each creator (app.services.orders.sales.creator_credits).
    cocreator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderEvent(db.Model):
    """One logged order state change."""

    __tablename__ = "order_events"
    __table_args__ = (
        CheckConstraint(f"reason_code IS NULL OR reason_code IN {ORDER_EVENT_REASONS}",
                        name="reason_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What a person typed (a merchant's cancellation reason): shown as written.
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Why the platform moved it (ORDER_EVENT_REASONS), rendered in the reader's language.
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_params: Mapped[dict[str, str | int]] = mapped_column(JSON, default=dict,
                                                                nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    order: Mapped[Order] = relationship(back_populates="events")
    actor = relationship("User")


class Refund(TimestampMixin, db.Model):
    """Money returned on an order through the provider, in the order's currency."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint(f"state IN {REFUND_STATES}", name="state"),
        CheckConstraint("amount_minor > 0", name="amount_minor"),
        CheckConstraint("commissionable_minor >= 0 AND commissionable_minor <= amount_minor",
                        name="commissionable_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    state: Mapped[str] = mapped_column(String(10), default="pending", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    # Of amount_minor, what refunds items or shipping (not duty or tax).
    commissionable_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    includes_shipping: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    restock: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    provider_refund_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    failure_message: Mapped[str] = mapped_column(Text, default="", nullable=False)

    order: Mapped[Order] = relationship(back_populates="refunds")
    lines: Mapped[list[RefundLine]] = relationship(
        back_populates="refund", cascade="all, delete-orphan", order_by="RefundLine.id"
    )


class RefundLine(db.Model):
    """Units of one order line covered by a refund."""

    __tablename__ = "refund_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("amount_minor >= 0", name="amount_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refund_id: Mapped[int] = mapped_column(
        ForeignKey("refunds.id", ondelete="CASCADE"), index=True, nullable=False
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True, nullable=False
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)

    refund: Mapped[Refund] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


# Who wrote a message of an order's conversation: its shopper or the store's team.
ORDER_MESSAGE_SIDES = ("shopper", "store")


class OrderMessage(db.Model):
    """One message of the conversation between an order's shopper and its store."""

    __tablename__ = "order_messages"
    __table_args__ = (
        CheckConstraint(f"side IN {ORDER_MESSAGE_SIDES}", name="side"),
        Index("ix_order_messages_order_id_id", "order_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"),
                                          nullable=False)
    # Kept when the author's account goes: the other side still reads what was said.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(8), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    # Detected when written, so the reader is offered a translation only when it helps.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    author = relationship("User")
