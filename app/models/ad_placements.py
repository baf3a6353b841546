"""Guaranteed placements (premium slots booked per country per day), the Discover traffic
they are forecast from, and the daily campaign report roll-up.

A slot-day is one row per (slot, country, day): booking claims it with a conditional
UPDATE (free, or held by a hold that has lapsed -> held by me), so an expired hold never
blocks and two live bookings can never hold the same slot-day.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime
from app.models.fx import DecimalText

BOOKING_STATES = ("held", "paid", "cancelled", "expired")
SLOT_DAY_STATES = ("free", "held", "booked")
PLACEMENT_SURFACES = ("discover",)


class PlacementSlot(TimestampMixin, db.Model):
    """A premium position sold by the day and country, e.g. Discover's first sponsored card."""

    __tablename__ = "placement_slots"
    __table_args__ = (
        CheckConstraint("cpm_minor > 0", name="cpm_minor"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("surface IN ('discover')", name="surface"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    surface: Mapped[str] = mapped_column(String(20), nullable=False)
    # Which sponsored position of the surface (1: the first sponsored card).
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    # Price per thousand planned impressions, in `currency`'s minor unit.
    cpm_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)


class PlacementBooking(TimestampMixin, db.Model):
    """A campaign's booking of a slot for a run of days in one country.

    `held` until paid (or until `hold_expires_at`: then it counts as expired, whether or
    not the expiry job has marked it yet), `paid` once charged to the brand's balance,
    `cancelled` (refunded if it was paid) or `expired`. Days are UTC calendar days.
    """

    __tablename__ = "placement_bookings"
    __table_args__ = (
        CheckConstraint("state IN ('held', 'paid', 'cancelled', 'expired')", name="state"),
        CheckConstraint("end_day >= start_day", name="days"),
        CheckConstraint("price_minor >= 0", name="price_minor"),
        CheckConstraint("planned_impressions >= 0", name="planned_impressions"),
        Index("ix_placement_bookings_org", "organization_id", "id"),
        Index("ix_placement_bookings_hold", "state", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True, nullable=False)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("placement_slots.id", ondelete="RESTRICT"), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    start_day: Mapped[date] = mapped_column(Date, nullable=False)
    end_day: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(10), default="held", nullable=False)
    planned_impressions: Mapped[int] = mapped_column(Integer, nullable=False)
    # In the brand's billing currency, charged from its prepaid balance when paid.
    price_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    hold_expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    slot: Mapped[PlacementSlot] = relationship()
    days: Mapped[list[PlacementSlotDay]] = relationship(
        viewonly=True, order_by="PlacementSlotDay.day",
        primaryjoin="PlacementBooking.id == foreign(PlacementSlotDay.booking_id)")

    def effective_state(self, now: datetime) -> str:
        """The state as of `now`: a hold past its expiry is expired even before the job ran."""
        if self.state == "held" and self.hold_expires_at <= now:
            return "expired"
        return self.state


class PlacementSlotDay(db.Model):
    """One sellable unit: a slot in a country on a UTC day, free, held or booked.

    Rows are created on first booking attempt; `booking_id` names the holder. Pacing state
    (`serve_rate`, `delivered_impressions`) is kept here for the booked day.
    """

    __tablename__ = "placement_slot_days"
    __table_args__ = (
        UniqueConstraint("slot_id", "country", "day"),
        CheckConstraint("state IN ('free', 'held', 'booked')", name="state"),
        CheckConstraint("(state = 'free') = (booking_id IS NULL)", name="holder"),
        CheckConstraint("planned_impressions >= 0 AND delivered_impressions >= 0",
                        name="impressions"),
        Index("ix_placement_slot_days_serving", "country", "day", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("placement_slots.id", ondelete="CASCADE"), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(10), default="free", nullable=False)
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement_bookings.id", ondelete="SET NULL"), index=True)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_impressions: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    delivered_impressions: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Share of eligible requests served this slot-day's campaign in the current interval.
    serve_rate: Mapped[Decimal] = mapped_column(DecimalText(), default=Decimal(1),
                                                nullable=False)

    slot: Mapped[PlacementSlot] = relationship()
    booking: Mapped[PlacementBooking | None] = relationship()


class DiscoverViewDay(db.Model):
    """Discover first pages viewed per country per UTC day: the placements' traffic."""

    __tablename__ = "discover_view_days"
    __table_args__ = (
        UniqueConstraint("country", "day"),
        CheckConstraint("views >= 0", name="views"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    views: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class CampaignReportDay(db.Model):
    """One campaign's numbers for one day in the brand's time zone (the daily roll-up).

    Spend and GMV are in the campaign's currency; GMV counts attributed order lines
    (through the campaign's notes, within 7 days after a click by the same shopper).
    """

    __tablename__ = "campaign_report_days"
    __table_args__ = (
        UniqueConstraint("campaign_id", "day"),
        CheckConstraint("impressions >= 0 AND reach >= 0 AND clicks >= 0 AND orders >= 0",
                        name="counts"),
        CheckConstraint("spend_minor >= 0 AND gmv_minor >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    impressions: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    reach: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    clicks: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    spend_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    orders: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    gmv_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    rolled_up_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
