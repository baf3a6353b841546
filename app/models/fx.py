"""Foreign-exchange rate snapshots: where each rate came from and when it was valid."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime


class DecimalText(TypeDecorator):
    """A Decimal stored as its exact text, so no database rounds or floats it.

    SQLite has no decimal type (SQLAlchemy's Numeric goes through a float
    there); text keeps every digit on both databases.
    """

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: D102
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError("DecimalText columns take Decimal values only")
        return str(value)

    def process_result_value(self, value, dialect):  # noqa: D102
        return Decimal(value) if value is not None else None


class FxSnapshot(TimestampMixin, db.Model):
    """A set of rates against one base currency, published at `as_of` by `source`."""

    __tablename__ = "fx_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False)  # "ecb" or "manual"
    base_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)

    rates: Mapped[list[FxRate]] = relationship(back_populates="snapshot",
                                               cascade="all, delete-orphan")


class FxRate(db.Model):
    """Units of `currency` for one unit of the snapshot's base currency."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("snapshot_id", "currency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("fx_snapshots.id", ondelete="CASCADE"), index=True, nullable=False
    )
    currency: Mapped[str] = mapped_column(String(3), index=True, nullable=False)
    rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)

    snapshot: Mapped[FxSnapshot] = relationship(back_populates="rates")
