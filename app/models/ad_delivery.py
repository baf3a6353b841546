"""Ad delivery: impression and click events, per-day campaign statistics, hides, frequency.

Events are append-only. A token's random id is unique on its event table, so a token
counts at most once; every later use of it is stored again without the id and with
`invalid_reason = 'replay'`. Only billable events (no invalid reason) are charged; their
price is in micro minor units of the campaign's currency (see app.services.ads.auction)
and `charged_minor` is what the event added to the campaign's `spent_minor`.

`CampaignDay` is the per-campaign, per-UTC-day roll-up that serving and reports read:
counters raised by atomic `UPDATE ... SET n = n + 1`, the daily cap enforced by a
conditional UPDATE on `spend_minor`, and the pacing loop's throttle for the day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

INVALID_REASONS = ("duplicate", "replay", "expired", "bot", "over_budget", "forged")
AD_SURFACES = ("discover", "topic", "search", "note")
HIDE_REASONS = ("not_relevant", "seen_too_often", "offensive", "misleading", "other")


def _invalid_check() -> tuple[CheckConstraint, CheckConstraint]:
    return (
        CheckConstraint(f"invalid_reason IS NULL OR invalid_reason IN {INVALID_REASONS}",
                        name="invalid_reason"),
        CheckConstraint("(is_billable AND invalid_reason IS NULL) OR "
                        "(NOT is_billable AND invalid_reason IS NOT NULL)",
                        name="billable"),
    )


class _AdEvent:
    """Columns shared by impressions and clicks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token's random id while the event is its first use; None for replays and forgeries.
    token_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    # None only for forged tokens, which name nothing trustworthy.
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"))
    viewer_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    viewer_anon_id: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    surface: Mapped[str | None] = mapped_column(String(10))
    position: Mapped[int | None] = mapped_column(Integer)
    price_micros: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    charged_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    is_billable: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    invalid_reason: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AdImpression(_AdEvent, db.Model):
    """A sponsored card seen (at least half of it for a second), or an attempt to count one."""

    __tablename__ = "ad_impressions"
    __table_args__ = (
        *_invalid_check(),
        CheckConstraint("price_micros >= 0 AND charged_minor >= 0", name="amounts"),
        Index("ix_ad_impressions_campaign_id_created_at", "campaign_id", "created_at"),
    )


class AdClick(_AdEvent, db.Model):
    """A tap on a sponsored card (through its click URL), or an attempt to count one."""

    __tablename__ = "ad_clicks"
    __table_args__ = (
        *_invalid_check(),
        CheckConstraint("price_micros >= 0 AND charged_minor >= 0", name="amounts"),
        Index("ix_ad_clicks_campaign_id_created_at", "campaign_id", "created_at"),
        Index("ix_ad_clicks_viewer_user_id_created_at", "viewer_user_id", "created_at"),
    )

    # The impression token the click's card was served with (ties the click to a view).
    impression_token_id: Mapped[str | None] = mapped_column(String(40))


class CampaignDay(db.Model):
    """One campaign's delivery on one UTC day; every counter moves by atomic UPDATEs."""

    __tablename__ = "campaign_days"
    __table_args__ = (
        UniqueConstraint("campaign_id", "day"),
        CheckConstraint("impressions >= 0 AND clicks >= 0", name="counts"),
        CheckConstraint("invalid_impressions >= 0 AND invalid_clicks >= 0", name="invalid"),
        CheckConstraint("spend_minor >= 0 AND spend_micros >= 0", name="spend"),
        CheckConstraint("throttle BETWEEN 0 AND 1000", name="throttle"),
        Index("ix_campaign_days_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    impressions: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    clicks: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    invalid_impressions: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    invalid_clicks: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # What the day's billable events cost: exact micros, and the whole minor units billed
    # (floor of the micros: fractions of a cent from CPM impressions carry over).
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    spend_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Pacing feedback: serving rate in thousandths, and the spend seen at the last run.
    throttle: Mapped[int] = mapped_column(Integer, default=1000, nullable=False)
    paced_spend_micros: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    paced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AdHide(db.Model):
    """A viewer hid a sponsored note and said why; that campaign is not shown to them again."""

    __tablename__ = "ad_hides"
    __table_args__ = (
        UniqueConstraint("viewer_key", "campaign_id"),
        CheckConstraint(f"reason IN {HIDE_REASONS}", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "u:<user id>" or "a:<anonymous cookie id>".
    viewer_key: Mapped[str] = mapped_column(String(48), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AdFrequency(db.Model):
    """How many sponsored impressions of a campaign a viewer got on a day (the database
    counter store; with Redis configured these counters live in Redis instead).
    """

    __tablename__ = "ad_frequencies"
    __table_args__ = (
        UniqueConstraint("viewer_key", "day", "campaign_id"),
        CheckConstraint("count >= 0", name="count"),
        Index("ix_ad_frequencies_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    viewer_key: Mapped[str] = mapped_column(String(48), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
