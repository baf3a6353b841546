"""Every model, imported here so Alembic and the app see every table."""

from app.models.api_token import TOKEN_SCOPES, ApiToken
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.fx import DecimalText, FxRate, FxSnapshot
from app.models.idempotency import IdempotencyRecord
from app.models.markets import DutyRate, MarketRule
from app.models.organization import (
    MEMBER_ROLES,
    ORGANIZATION_KINDS,
    Invitation,
    Membership,
    Organization,
    Store,
)
from app.models.outbox import OutboxEmail
from app.models.user import PLATFORM_ROLES, PlatformRole, User

__all__ = [
    "MEMBER_ROLES",
    "ORGANIZATION_KINDS",
    "PLATFORM_ROLES",
    "TOKEN_SCOPES",
    "ApiToken",
    "DecimalText",
    "DutyRate",
    "FxRate",
    "FxSnapshot",
    "IdempotencyRecord",
    "Invitation",
    "MarketRule",
    "Membership",
    "Organization",
    "OutboxEmail",
    "PlatformRole",
    "Store",
    "TimestampMixin",
    "UTCDateTime",
    "User",
    "utcnow",
]
