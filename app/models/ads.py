"""Advertising: ad accounts and their ledger, top-ups, campaigns, creatives, partnerships.

Money moves only through the ledger. An `AdAccount`'s `balance_minor` is what it can
still spend; every change to it is one `AdLedgerEntry` written in the same transaction
by app.services.ads (the one writer), so the entries of an account always sum to its
balance. The balance is changed by conditional UPDATEs (`... WHERE balance_minor >= :n`)
and a CHECK keeps it non-negative, so concurrent debits can never overdraw it.

Ownership: an account belongs either to a brand organisation (brand campaigns and
partnerships) or to one creator (a user), who uses it to boost their own notes. A
boost is an ordinary Campaign with `is_boost` true, no organisation, and the creator's
account; serving, spend and reports treat it like any other campaign.

A campaign's budget is reserved from the balance when it is approved
(`campaign_reserve`); spend is counted on the campaign (`spent_minor`, raised by the
serving side with conditional UPDATEs) and the unspent rest goes back to the balance
when the campaign completes or is rejected (`campaign_release`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
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
    from app.models.notes import Note
    from app.models.organization import Organization
    from app.models.user import User

LEDGER_KINDS = ("topup", "topup_refund", "campaign_reserve", "campaign_release",
                "partnership_reserve", "partnership_release", "partnership_fee",
                "placement_charge", "placement_refund", "adjustment", "debt_repayment")
TOPUP_STATES = ("created", "processing", "succeeded", "failed", "cancelled", "refunded")
OBJECTIVES = ("awareness", "traffic", "sales")
PRICING_MODELS = ("cpm", "cpc")
# Awareness buys impressions; traffic and sales buy clicks.
PRICING_BY_OBJECTIVE = {"awareness": "cpm", "traffic": "cpc", "sales": "cpc"}
PACING_MODES = ("even", "asap")
AUDIENCES = ("all", "new", "returning", "engaged")
CAMPAIGN_STATES = ("draft", "in_review", "scheduled", "active", "paused", "completed",
                   "rejected")
CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("in_review",),
    "in_review": ("scheduled", "active", "rejected", "draft"),
    "scheduled": ("active", "paused", "completed"),
    "active": ("paused", "completed"),
    "paused": ("active", "scheduled", "completed"),
    "completed": (),
    # An appeal the moderation queue upholds in the brand's favour approves it after all.
    "rejected": ("scheduled", "active"),
}
# States in which the budget is reserved from the balance.
FUNDED_STATES = ("scheduled", "active", "paused")
PARTNERSHIP_STATES = ("proposed", "accepted", "declined", "cancelled", "published", "paid")


class AdAccount(TimestampMixin, db.Model):
    """A prepaid advertising balance in one billing currency, of a brand or of a creator."""

    __tablename__ = "ad_accounts"
    __table_args__ = (
        CheckConstraint("balance_minor >= 0", name="balance_minor"),
        CheckConstraint("debt_minor >= 0", name="debt_minor"),
        CheckConstraint("(organization_id IS NULL) <> (user_id IS NULL)", name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one owner: a brand organisation, or a creator boosting their own notes.
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), unique=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    balance_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # What a card refund made outside Qiao took back beyond the balance: the account's
    # campaigns stop serving until a top-up pays it (app.services.ads.topups).
    debt_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0",
                                            nullable=False)
    # IANA zone the brand enters flight dates in (stored UTC on the campaign).
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", nullable=False)
    # ISO 3166 country the account bills to (invoices); the default currency came from it.
    country: Mapped[str | None] = mapped_column(String(2))

    organization: Mapped[Organization | None] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AdAccount {self.id} {self.balance_minor} {self.currency}>"


# The brief's name for the account of a brand; creators' accounts share the table.
BrandAccount = AdAccount


class AdLedgerEntry(db.Model):
    """One change of an account's balance (append-only; the entries sum to the balance).

    `reference_type`/`reference_id` name what caused it (a top-up, campaign, partnership
    or placement booking); one entry per kind and reference, so a webhook racing the
    return page can credit a top-up only once.
    """

    __tablename__ = "ad_ledger_entries"
    __table_args__ = (
        CheckConstraint(f"kind IN {LEDGER_KINDS}", name="kind"),
        CheckConstraint("amount_minor <> 0", name="amount_minor"),
        CheckConstraint("balance_after_minor >= 0", name="balance_after_minor"),
        UniqueConstraint("kind", "reference_type", "reference_id"),
        Index("ix_ad_ledger_entries_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="RESTRICT"), nullable=False)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    # Signed: credits positive, debits negative; in the account's currency.
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    balance_after_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    reference_type: Mapped[str | None] = mapped_column(String(24))
    reference_id: Mapped[int | None] = mapped_column(Integer)
    memo: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    account: Mapped[AdAccount] = relationship()


class AdTopUp(TimestampMixin, db.Model):
    """A card payment (a PaymentIntent) that credits an ad account once it succeeds.

    `idempotency_key` is stored before the provider is called, so a retry after a crash
    reuses it; the move to `succeeded` is a conditional UPDATE only one caller wins.
    """

    __tablename__ = "ad_topups"
    __table_args__ = (
        CheckConstraint(f"state IN {TOPUP_STATES}", name="state"),
        CheckConstraint("amount_minor > 0", name="amount_minor"),
        Index("ix_ad_topups_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="RESTRICT"), nullable=False)
    provider: Mapped[str] = mapped_column(String(20), default="stripe", nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(12), default="created", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    failure_message: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refund_idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)

    account: Mapped[AdAccount] = relationship()


class AdTopUpRefund(db.Model):
    """A refund of a top-up's card payment made at the provider (the Stripe dashboard, a
    dispute), recorded once per provider refund id from the webhook.

    `debited_minor` came off the balance; `debt_minor` is what the balance no longer held
    (spent or reserved), owed by the account until a top-up pays it.
    """

    __tablename__ = "ad_topup_refunds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_minor"),
        CheckConstraint("debited_minor >= 0 AND debt_minor >= 0", name="parts"),
        CheckConstraint("debited_minor + debt_minor = amount_minor", name="parts_sum"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topup_id: Mapped[int] = mapped_column(
        ForeignKey("ad_topups.id", ondelete="RESTRICT"), index=True, nullable=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="RESTRICT"), nullable=False)
    provider_refund_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    debited_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    debt_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Campaign(TimestampMixin, db.Model):
    """A paid placement of notes in feeds, by a brand (or a creator's boost).

    `spent_minor` may exceed the budget by at most one maximum bid: the serving side
    raises it with a conditional UPDATE that checks the budget is not yet used up, so
    the last concurrent charge can overshoot by its own amount only.
    """

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(f"status IN {CAMPAIGN_STATES}", name="status"),
        CheckConstraint(f"objective IN {OBJECTIVES}", name="objective"),
        CheckConstraint(f"pricing IN {PRICING_MODELS}", name="pricing"),
        CheckConstraint(f"pacing IN {PACING_MODES}", name="pacing"),
        CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),
        CheckConstraint("bid_minor > 0", name="bid_minor"),
        CheckConstraint("budget_minor >= bid_minor", name="budget_minor"),
        CheckConstraint("daily_cap_minor IS NULL OR daily_cap_minor >= bid_minor",
                        name="daily_cap_minor"),
        CheckConstraint("spent_minor >= 0 AND spent_minor <= budget_minor + bid_minor",
                        name="spent_minor"),
        CheckConstraint("released_minor >= 0", name="released_minor"),
        CheckConstraint("frequency_cap_per_day IS NULL OR frequency_cap_per_day > 0",
                        name="frequency_cap_per_day"),
        CheckConstraint("ends_at > starts_at", name="flight"),
        CheckConstraint("is_boost = (organization_id IS NULL)", name="owner"),
        Index("ix_campaigns_status_starts_at", "status", "starts_at"),
        Index("ix_campaigns_organization_id_id", "organization_id", "id"),
        Index("ix_campaigns_account_id_id", "account_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The brand; None for a creator's boost (owned through `account.user_id`).
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="RESTRICT"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    objective: Mapped[str] = mapped_column(String(12), nullable=False)
    pricing: Mapped[str] = mapped_column(String(3), nullable=False)
    # Per thousand impressions (cpm) or per click (cpc), in `currency` minor units.
    bid_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    budget_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    daily_cap_minor: Mapped[int | None] = mapped_column(Integer)
    spent_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # What went back to the balance when the campaign closed.
    released_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    pacing: Mapped[str] = mapped_column(String(5), default="even", nullable=False)
    frequency_cap_per_day: Mapped[int | None] = mapped_column(Integer)
    # Targeting: empty lists mean "any". Countries ISO 3166, languages ISO 639-1.
    countries: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    audience: Mapped[str] = mapped_column(String(10), default="all", nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="draft", nullable=False)
    # The moderator's reason code (shown to the brand in its language) and optional note.
    rejection_code: Mapped[str | None] = mapped_column(String(32))
    rejection_reason: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Ad-rule matches found on submission, shown to the reviewer: [{rule, market, term}].
    review_findings: Mapped[list[dict]] = mapped_column(JSON, default=list, nullable=False)
    is_boost: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))

    account: Mapped[AdAccount] = relationship()
    organization: Mapped[Organization | None] = relationship()
    campaign_notes: Mapped[list[CampaignNote]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan",
        order_by="CampaignNote.position")

    @property
    def note_ids(self) -> list[int]:
        """The promoted notes, in the brand's order."""
        return [cn.note_id for cn in self.campaign_notes]

    @property
    def is_funded(self) -> bool:
        """Whether the budget is currently reserved from the balance."""
        return self.status in FUNDED_STATES

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.status} {self.name!r}>"


class CampaignNote(db.Model):
    """A note a campaign promotes (its creative)."""

    __tablename__ = "campaign_notes"
    __table_args__ = (UniqueConstraint("campaign_id", "note_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), nullable=False)
    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), index=True, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    campaign: Mapped[Campaign] = relationship(back_populates="campaign_notes")
    note: Mapped[Note] = relationship()


class Partnership(TimestampMixin, db.Model):
    """A brand's paid brief to a creator (蒲公英): accepted, published as a note, paid.

    The fee is reserved from the brand's balance on acceptance (`partnership_reserve`)
    and paid to the creator when the note is published (`partnership_release` of the
    reserve and `partnership_fee`); cancelling before publication releases it.
    """

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint(f"status IN {PARTNERSHIP_STATES}", name="status"),
        CheckConstraint("fee_minor > 0", name="fee_minor"),
        CheckConstraint("status NOT IN ('published', 'paid') OR note_id IS NOT NULL",
                        name="note"),
        Index("ix_partnerships_organization_id_id", "organization_id", "id"),
        Index("ix_partnerships_creator_id_id", "creator_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), nullable=False)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ad_accounts.id", ondelete="RESTRICT"), nullable=False)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    brief: Mapped[str] = mapped_column(Text, nullable=False)
    fee_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="proposed", nullable=False)
    # The sponsored note; one partnership per note.
    note_id: Mapped[int | None] = mapped_column(
        ForeignKey("notes.id", ondelete="SET NULL"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fee_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship()
    creator: Mapped[User] = relationship(foreign_keys=[creator_id])
    note: Mapped[Note | None] = relationship()
