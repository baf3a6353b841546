"""Parcels on their way: shipments of order lines, their legs, and carrier tracking events.

A shipment leaves one warehouse with some lines of one order. It has a primary
carrier and tracking number, and legs (first mile, line haul, customs, last mile)
added as the parcel changes hands, each with its own carrier and number. Tracking
events are matched to a shipment by any of those numbers; the shipment's status is
the status of its latest event by the time it happened, not by when it arrived.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.inventory import Warehouse
    from app.models.orders import Order, OrderLine

# The normalised statuses every carrier's codes map to (AfterShip's tags, snake_case).
TRACKING_STATUSES = ("pending", "info_received", "in_transit", "customs", "out_for_delivery",
                     "attempt_failed", "available_for_pickup", "delivered", "exception",
                     "returned", "expired")
# Customs sub-statuses worth telling the shopper about.
CUSTOMS_SUB_STATUSES = ("submitted", "held", "released", "duties_due")
LEG_KINDS = ("first_mile", "line_haul", "customs", "last_mile")
EVENT_SOURCES = ("webhook", "aftership", "poll", "merchant")
# A parcel to the shopper, or one coming back from them (a return request's parcel).
DIRECTIONS = ("outbound", "return")


class Shipment(TimestampMixin, db.Model):
    """A parcel with some lines of one order, sent from one warehouse."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(f"status IN {TRACKING_STATUSES}", name="status"),
        CheckConstraint("weight_grams IS NULL OR weight_grams > 0", name="weight_grams"),
        CheckConstraint("length_mm IS NULL OR length_mm > 0", name="length_mm"),
        CheckConstraint("width_mm IS NULL OR width_mm > 0", name="width_mm"),
        CheckConstraint("height_mm IS NULL OR height_mm > 0", name="height_mm"),
        CheckConstraint("poll_failures >= 0", name="poll_failures"),
        CheckConstraint(f"direction IN {DIRECTIONS}", name="direction"),
        UniqueConstraint("carrier", "tracking_number"),
        Index("ix_shipments_store_status", "store_id", "status"),
        Index("ix_shipments_next_poll_at", "next_poll_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"),
                                          index=True, nullable=False)
    # Denormalised from the order so merchant lists filter without a join.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"),
                                          nullable=False)
    # Where an outbound parcel left from, or where a return parcel is going back to.
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id", ondelete="RESTRICT"),
                                              nullable=False)
    direction: Mapped[str] = mapped_column(String(8), default="outbound",
                                           server_default="outbound", nullable=False)
    carrier: Mapped[str] = mapped_column(String(32), nullable=False)
    tracking_number: Mapped[str] = mapped_column(String(40), nullable=False)
    status: Mapped[str] = mapped_column(String(24), default="pending", nullable=False)
    sub_status: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    # Event time of the status above; an older event arriving later does not replace it.
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The carrier's own estimate when it gives one.
    estimated_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Pulling events from carriers without push: when to ask next, and how often it failed.
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    poll_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    order: Mapped[Order] = relationship()
    warehouse: Mapped[Warehouse] = relationship()
    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.id")
    legs: Mapped[list[ShipmentLeg]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan",
        order_by="ShipmentLeg.position")


class ShipmentLine(db.Model):
    """How many units of one order line travel in a shipment."""

    __tablename__ = "shipment_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        UniqueConstraint("shipment_id", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"),
                                             nullable=False)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class ShipmentLeg(db.Model):
    """One stretch of the journey handled by one carrier under its own number."""

    __tablename__ = "shipment_legs"
    __table_args__ = (
        CheckConstraint(f"kind IN {LEG_KINDS}", name="kind"),
        CheckConstraint("position >= 0", name="position"),
        UniqueConstraint("shipment_id", "position"),
        UniqueConstraint("carrier", "tracking_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"),
                                             nullable=False)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    carrier: Mapped[str] = mapped_column(String(32), nullable=False)
    tracking_number: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    shipment: Mapped[Shipment] = relationship(back_populates="legs")


class TrackingEvent(db.Model):
    """One scan or status report from a carrier, kept with its raw code and text."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        CheckConstraint(f"status IN {TRACKING_STATUSES}", name="status"),
        CheckConstraint(f"source IN {EVENT_SOURCES}", name="source"),
        CheckConstraint("utc_offset_minutes BETWEEN -840 AND 840", name="utc_offset_minutes"),
        # The same report delivered twice (or by push and pull) is stored once.
        UniqueConstraint("shipment_id", "fingerprint"),
        Index("ix_tracking_events_shipment_occurred", "shipment_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"),
                                             nullable=False)
    leg_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipment_legs.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # The local time zone of the scan, as an offset from UTC, so the timeline can show both.
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger, default=0, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    sub_status: Mapped[str] = mapped_column(String(40), default="", nullable=False)
    location: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    carrier_code: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    shipment: Mapped[Shipment] = relationship()
    leg: Mapped[ShipmentLeg | None] = relationship()
