"""Multi-warehouse inventory: warehouses, stock levels, the stock ledger and reservations.

A level's `on_hand` and `reserved` change only through conditional UPDATEs in
app.services.inventory.ledger, and every change writes one StockMovement, so the
sums of a level's movements always equal its current numbers (`flask inventory
check`). `reserved` also equals the sum of the level's active reservations.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
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

if TYPE_CHECKING:
    from app.models.catalog import ProductVariant
    from app.models.organization import Store
    from app.models.user import User

MOVEMENT_KINDS = ("receive", "adjust", "reserve", "release", "commit", "return",
                  "transfer_out", "transfer_in")
RESERVATION_STATES = ("active", "released", "committed", "expired")


class Warehouse(TimestampMixin, db.Model):
    """A place a store ships from."""

    __tablename__ = "warehouses"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    address_line1: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    address_line2: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    city: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    region: Mapped[str] = mapped_column(String(120), default="", nullable=False)
    postal_code: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    # Inactive warehouses keep their history but take no new stock or reservations.
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)

    store: Mapped[Store] = relationship()

    def __repr__(self) -> str:
        return f"<Warehouse {self.id} {self.name!r} {self.country}>"


class InventoryLevel(TimestampMixin, db.Model):
    """Stock of one variant in one warehouse; available = on_hand - reserved."""

    __tablename__ = "inventory_levels"
    __table_args__ = (
        UniqueConstraint("variant_id", "warehouse_id"),
        CheckConstraint("on_hand >= 0", name="on_hand"),
        CheckConstraint("reserved >= 0", name="reserved"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False
    )
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("warehouses.id", ondelete="CASCADE"), index=True, nullable=False
    )
    on_hand: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    reserved: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)

    variant: Mapped[ProductVariant] = relationship(back_populates="levels")
    warehouse: Mapped[Warehouse] = relationship()

    @property
    def available(self) -> int:
        """Units that can still be reserved here."""
        return self.on_hand - self.reserved


class StockMovement(db.Model):
    """One ledger row: how a change moved a level's on_hand and reserved, who did it, why."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receive', 'adjust', 'reserve', 'release', 'commit', 'return', "
            "'transfer_out', 'transfer_in')",
            name="kind",
        ),
        # Stock history per SKU/warehouse, newest first.
        Index("ix_stock_movements_level_id_id", "level_id", "id"),
        Index("ix_stock_movements_reference", "reference_type", "reference_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_levels.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    on_hand_delta: Mapped[int] = mapped_column(Integer, nullable=False)
    reserved_delta: Mapped[int] = mapped_column(Integer, nullable=False)
    # None for changes made by the system (expiry job, demo seed).
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("reservations.id", ondelete="SET NULL"), index=True
    )
    # What caused the change: ("checkout_quote", "42"), ("bulk_inventory", "<key>"), ...
    reference_type: Mapped[str | None] = mapped_column(String(40))
    reference_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    level: Mapped[InventoryLevel] = relationship()
    actor: Mapped[User | None] = relationship()


class Reservation(TimestampMixin, db.Model):
    """Units held on a level for an owner (a checkout quote, a campaign booking) until expiry."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("state IN ('active', 'released', 'committed', 'expired')",
                        name="state"),
        # The expiry job and lazy release look for active reservations past their expiry.
        Index("ix_reservations_state_expires_at", "state", "expires_at"),
        Index("ix_reservations_owner", "owner_type", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(
        ForeignKey("inventory_levels.id", ondelete="CASCADE"), index=True, nullable=False
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    owner_type: Mapped[str] = mapped_column(String(40), nullable=False)
    owner_id: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    state: Mapped[str] = mapped_column(String(10), default="active", nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    level: Mapped[InventoryLevel] = relationship()

    @property
    def variant_id(self) -> int:
        """The reserved variant."""
        return self.level.variant_id

    @property
    def warehouse_id(self) -> int:
        """The warehouse the units are held in."""
        return self.level.warehouse_id
