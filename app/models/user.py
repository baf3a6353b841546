"""People: accounts, their platform roles and preferences."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime

if TYPE_CHECKING:
    from app.models.organization import Membership

# "community": the community team, which runs events and challenges.
PLATFORM_ROLES = ("moderator", "community", "admin")


class User(UserMixin, TimestampMixin, db.Model):
    """A person with a Qiao account: shopper, creator, merchant or brand staff."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; uniqueness is therefore case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    display_name: Mapped[str] = mapped_column(String(80), nullable=False)
    bio: Mapped[str] = mapped_column(Text, default="", nullable=False)
    avatar_path: Mapped[str | None] = mapped_column(String(255))
    home_country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    # Bumped on logout and password change: every older session and remember cookie dies.
    session_version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moderation (app.services.moderation): the profile's state, and limits on posting.
    moderation_state: Mapped[str] = mapped_column(
        String(10), default="visible", server_default="visible", nullable=False)
    moderation_reason: Mapped[str | None] = mapped_column(String(40))
    posting_restricted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the user confirmed being 18 or older (age-gated items ask once, then remember).
    adult_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Preferences (None: fall back to Accept-Language / configured defaults).
    locale: Mapped[str | None] = mapped_column(String(10))
    currency: Mapped[str | None] = mapped_column(String(3))
    ship_to_country: Mapped[str | None] = mapped_column(String(2))
    # An IANA name such as "Asia/Tokyo"; None follows the browser's zone.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # Show text written in another language translated without a tap (when a provider is set).
    always_translate: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False)

    platform_roles: Mapped[list[PlatformRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_email_verified(self) -> bool:
        """Whether the owner has proved control of the e-mail address."""
        return self.email_verified_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        """Disabled accounts cannot log in."""
        return self.is_active_account

    def get_id(self) -> str:
        """Session identity: the id plus the session version, so old sessions die."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, role: str) -> bool:
        """Whether the user holds the platform role `role` (admin implies every other)."""
        names = {r.role for r in self.platform_roles}
        return role in names or "admin" in names

    @property
    def role_names(self) -> list[str]:
        """Platform role names, sorted."""
        return sorted(r.role for r in self.platform_roles)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PlatformRole(TimestampMixin, db.Model):
    """A platform staff role. Moderators are scoped to markets and languages."""

    __tablename__ = "platform_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    # ISO country codes and language codes; empty means every market / language.
    markets: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)

    user: Mapped[User] = relationship(back_populates="platform_roles")
