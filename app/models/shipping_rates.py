"""Per-store shipping profiles: zones of countries, weight-tier rates, free-shipping thresholds."""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin

MAX_TRANSIT_DAYS = 120


class ShippingProfile(TimestampMixin, db.Model):
    """How one store charges for shipping; amounts are in the store's base currency."""

    __tablename__ = "shipping_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(80), default="Standard", nullable=False)

    zones: Mapped[list[ShippingZone]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ShippingZone.position"
    )


class ShippingZone(TimestampMixin, db.Model):
    """A set of destination countries sharing rates and a delivery estimate.

    A zone with no countries is the "rest of the world" fallback; zones are tried in
    `position` order and the first that lists the destination wins.
    """

    __tablename__ = "shipping_zones"
    __table_args__ = (
        CheckConstraint("free_over_minor IS NULL OR free_over_minor >= 0", name="free_over_minor"),
        CheckConstraint("delivery_days_min >= 0 AND delivery_days_max >= delivery_days_min",
                        name="delivery_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_profiles.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    # Orders whose item subtotal (store currency) reaches this ship free; None: never free.
    free_over_minor: Mapped[int | None] = mapped_column(Integer)
    delivery_days_min: Mapped[int] = mapped_column(Integer, nullable=False)
    delivery_days_max: Mapped[int] = mapped_column(Integer, nullable=False)

    profile: Mapped[ShippingProfile] = relationship(back_populates="zones")
    rates: Mapped[list[ShippingRate]] = relationship(
        back_populates="zone", cascade="all, delete-orphan",
        order_by="ShippingRate.max_weight_grams.is_(None), ShippingRate.max_weight_grams",
    )

    def covers(self, country: str) -> bool:
        """Whether this zone serves `country` (a zone without countries serves all)."""
        return not self.countries or country.upper() in self.countries


class ShippingRate(db.Model):
    """The price of a parcel up to `max_weight_grams` (None: any weight) in a zone."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_minor"),
        CheckConstraint("max_weight_grams IS NULL OR max_weight_grams > 0",
                        name="max_weight_grams"),
        UniqueConstraint("zone_id", "max_weight_grams"),
        CheckConstraint(
            "(transit_days_min IS NULL AND transit_days_max IS NULL) OR (transit_days_min >= 0 "
            f"AND transit_days_max >= transit_days_min AND transit_days_max <= {MAX_TRANSIT_DAYS})",
            name="transit_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(
        ForeignKey("shipping_zones.id", ondelete="CASCADE"), index=True, nullable=False
    )
    max_weight_grams: Mapped[int | None] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    # This tier's own transit time (a heavy tier going by sea, say); None: the zone's.
    transit_days_min: Mapped[int | None] = mapped_column(Integer)
    transit_days_max: Mapped[int | None] = mapped_column(Integer)

    zone: Mapped[ShippingZone] = relationship(back_populates="rates")
