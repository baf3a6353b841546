"""Returns: a shopper sends delivered units of an order back; the merchant receives and refunds.

A return request moves requested -> approved -> in_transit -> received -> refunded, or
ends refused (with the merchant's reason) or cancelled (by the shopper). Its parcel is
a Shipment with direction "return", so carrier tracking follows it unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
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
from app.models.base import TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from app.models.logistics import Shipment
    from app.models.orders import Order, OrderLine, Refund

RETURN_STATES = ("requested", "approved", "in_transit", "received", "refunded", "refused",
                 "cancelled")
RETURN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("approved", "refused", "cancelled"),
    "approved": ("in_transit", "received", "cancelled"),
    "in_transit": ("received",),
    "received": ("refunded",),
    "refunded": (),
    "refused": (),
    "cancelled": (),
}
# States whose units no longer count as being returned.
CLOSED_WITHOUT_RETURN = ("refused", "cancelled")
RETURN_REASONS = ("damaged", "defective", "wrong_item", "not_as_described", "size_or_fit",
                  "changed_mind", "arrived_late", "other")


class ReturnRequest(TimestampMixin, db.Model):
    """A shopper's request to send some delivered units of one order back."""

    __tablename__ = "return_requests"
    __table_args__ = (
        CheckConstraint(f"status IN {RETURN_STATES}", name="status"),
        CheckConstraint(f"reason IN {RETURN_REASONS}", name="reason"),
        Index("ix_return_requests_store_status", "store_id", "status", "id"),
        Index("ix_return_requests_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"),
                                          index=True, nullable=False)
    # Denormalised from the order so the merchant's list filters without a join.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="RESTRICT"),
                                          nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="requested", nullable=False)
    reason: Mapped[str] = mapped_column(String(24), nullable=False)
    comment: Mapped[str] = mapped_column(Text, default="", nullable=False)
    refusal_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # The return parcel once the shopper (or merchant) has given its tracking number.
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="SET NULL"), unique=True)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id", ondelete="SET NULL"),
                                                  unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="return_request", cascade="all, delete-orphan", order_by="ReturnLine.id")
    photos: Mapped[list[ReturnPhoto]] = relationship(
        cascade="all, delete-orphan", order_by="ReturnPhoto.position")
    shipment: Mapped[Shipment | None] = relationship()
    refund: Mapped[Refund | None] = relationship()


class ReturnLine(db.Model):
    """How many units of one order line a return sends back, and what became of them."""

    __tablename__ = "return_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("received_quantity >= 0 AND received_quantity <= quantity",
                        name="received_quantity"),
        CheckConstraint("restocked_quantity >= 0 AND restocked_quantity <= received_quantity",
                        name="restocked_quantity"),
        UniqueConstraint("return_request_id", "order_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_request_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), nullable=False)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="RESTRICT"), index=True, nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    # Set on receipt: units that came back (and were refunded), those put back on hand, where.
    received_quantity: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    restocked_quantity: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    restock_warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("warehouses.id", ondelete="SET NULL"))

    return_request: Mapped[ReturnRequest] = relationship(back_populates="lines")
    order_line: Mapped[OrderLine] = relationship()


class ReturnPhoto(db.Model):
    """A shopper's photo of the items, stored as WebP renditions (EXIF and GPS removed)."""

    __tablename__ = "return_photos"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position"),
        UniqueConstraint("return_request_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_request_id: Mapped[int] = mapped_column(
        ForeignKey("return_requests.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    # Media keys by rendition name ("thumb", "large").
    keys: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
