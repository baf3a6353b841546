"""Organisations (merchant stores, brand accounts), their members and invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime
from app.models.user import User

ORGANIZATION_KINDS = ("merchant", "brand")
MEMBER_ROLES = ("owner", "admin", "staff")


class Organization(TimestampMixin, db.Model):
    """A merchant (which runs a store) or a brand (which books campaigns)."""

    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("kind IN ('merchant', 'brand')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )
    store: Mapped[Store | None] = relationship(
        back_populates="organization", uselist=False, cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.kind} {self.slug}>"


class Membership(TimestampMixin, db.Model):
    """A user's role in an organisation; exactly one owner per organisation."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'staff')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False)

    organization: Mapped[Organization] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(TimestampMixin, db.Model):
    """An e-mailed invitation to join an organisation; the link carries a secret token."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint("role IN ('admin', 'staff')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User | None] = relationship()


class Store(TimestampMixin, db.Model):
    """The storefront of a merchant organisation (the catalog hangs off it)."""

    __tablename__ = "stores"
    __table_args__ = (
        CheckConstraint("return_window_days BETWEEN 0 AND 365", name="return_window_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    slug: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    base_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    origin_country: Mapped[str] = mapped_column(String(2), nullable=False)
    # Media key of the logo rendition (app.services.images); None: no logo yet.
    logo_path: Mapped[str | None] = mapped_column(String(255))
    return_policy: Mapped[str] = mapped_column(Text, default="", server_default="",
                                               nullable=False)
    # Days after delivery a shopper may ask to return a line; 0: no returns.
    return_window_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30",
                                                    nullable=False)
    # ISO 3166 alpha-2 codes the store ships to; an empty list means worldwide.
    sells_to: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]",
                                                nullable=False)

    organization: Mapped[Organization] = relationship(back_populates="store")

    def sells_to_country(self, country: str) -> bool:
        """Whether the store ships to `country` (every country when `sells_to` is empty)."""
        return not self.sells_to or country.upper() in self.sells_to
