"""Every model, imported here so Alembic and the app see every table."""

from app.models.api_token import TOKEN_SCOPES, ApiToken
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.catalog import (
    PRODUCT_STATUSES,
    STATUS_TRANSITIONS,
    Product,
    ProductImage,
    ProductOption,
    ProductOptionValue,
    ProductVariant,
    VariantPrice,
)
from app.models.fx import DecimalText, FxRate, FxSnapshot
from app.models.idempotency import IdempotencyRecord
from app.models.inventory import (
    MOVEMENT_KINDS,
    RESERVATION_STATES,
    InventoryLevel,
    Reservation,
    StockMovement,
    Warehouse,
)
from app.models.markets import DutyRate, MarketRule
from app.models.notes import NOTE_STATUSES, Note, NoteImage, NoteProductTag, NoteTopic, Topic
from app.models.organization import (
    MEMBER_ROLES,
    ORGANIZATION_KINDS,
    Invitation,
    Membership,
    Organization,
    Store,
)
from app.models.outbox import OutboxEmail
from app.models.social import (
    NOTIFICATION_KINDS,
    REPORT_REASONS,
    REPORT_TARGETS,
    Board,
    BoardNote,
    Comment,
    CommentLike,
    Follow,
    NoteLike,
    Notification,
    Report,
    TranslationCacheEntry,
)
from app.models.user import PLATFORM_ROLES, PlatformRole, User

__all__ = [
    "MEMBER_ROLES",
    "MOVEMENT_KINDS",
    "NOTE_STATUSES",
    "NOTIFICATION_KINDS",
    "ORGANIZATION_KINDS",
    "PLATFORM_ROLES",
    "PRODUCT_STATUSES",
    "REPORT_REASONS",
    "REPORT_TARGETS",
    "RESERVATION_STATES",
    "STATUS_TRANSITIONS",
    "TOKEN_SCOPES",
    "ApiToken",
    "Board",
    "BoardNote",
    "Comment",
    "CommentLike",
    "DecimalText",
    "DutyRate",
    "Follow",
    "FxRate",
    "FxSnapshot",
    "IdempotencyRecord",
    "InventoryLevel",
    "Invitation",
    "MarketRule",
    "Membership",
    "Note",
    "NoteImage",
    "NoteLike",
    "NoteProductTag",
    "NoteTopic",
    "Notification",
    "Organization",
    "OutboxEmail",
    "PlatformRole",
    "Product",
    "ProductImage",
    "ProductOption",
    "ProductOptionValue",
    "ProductVariant",
    "Report",
    "Reservation",
    "StockMovement",
    "Store",
    "TimestampMixin",
    "Topic",
    "TranslationCacheEntry",
    "UTCDateTime",
    "User",
    "VariantPrice",
    "Warehouse",
    "utcnow",
]
