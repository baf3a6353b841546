"""Destination-market rules for duties and import taxes, with their sources and dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin
from app.models.fx import DecimalText


class MarketRule(TimestampMixin, db.Model):
    """How one destination country taxes imported retail parcels from `effective_from` on.

    Thresholds are in `currency` minor units and compare against the goods
    value of one consignment (one store's parcel).
    """

    __tablename__ = "market_rules"
    __table_args__ = (
        UniqueConstraint("country", "effective_from"),
        CheckConstraint("duty_free_threshold_minor >= 0", name="duty_free_threshold_minor"),
        CheckConstraint("tax_free_threshold_minor IS NULL OR tax_free_threshold_minor >= 0",
                        name="tax_free_threshold_minor"),
        CheckConstraint("checkout_collection_limit_minor IS NULL OR "
                        "checkout_collection_limit_minor >= 0",
                        name="checkout_collection_limit_minor"),
        CheckConstraint("max_consignment_minor IS NULL OR max_consignment_minor > 0",
                        name="max_consignment_minor"),
        CheckConstraint("low_value_item_duty_minor IS NULL OR low_value_item_duty_minor >= 0",
                        name="low_value_item_duty_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    effective_to: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # Goods value at or below which no customs duty is charged (0: duty on everything).
    duty_free_threshold_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    # Goods value at or below which no import VAT/GST is charged (None: tax on everything).
    tax_free_threshold_minor: Mapped[int | None] = mapped_column(Integer)
    default_duty_rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    vat_rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    tax_includes_shipping: Mapped[bool] = mapped_column(Boolean, nullable=False)
    tax_includes_duty: Mapped[bool] = mapped_column(Boolean, nullable=False)
    # Whether duty and import tax collected at checkout go back with a returned item's
    # refund (e.g. EU IOSS VAT and UK VAT are adjusted by the seller); see `source`.
    duty_tax_refundable_on_return: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False)
    # Consignments at or below this value pay duties and taxes at checkout (DDP); above it
    # they are due on delivery (DDU, shown as an estimate). None: always at checkout.
    checkout_collection_limit_minor: Mapped[int | None] = mapped_column(Integer)
    # The limit applies to each item, not the consignment (Singapore's low-value goods: each
    # item up to SGD 400 pays GST at checkout however much the parcel is worth).
    checkout_limit_per_item: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), nullable=False)
    # The most one consignment may be worth under this regime (None: no limit).
    max_consignment_minor: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    # The page the rule was checked against, its title and the day it was read (None: no
    # page read). Whether that page is official is the rule file's `confidence`; see `notes`.
    source_url: Mapped[str] = mapped_column(String(500), default="", server_default="",
                                            nullable=False)
    source_title: Mapped[str] = mapped_column(String(300), default="", server_default="",
                                              nullable=False)
    verified_on: Mapped[date | None] = mapped_column(Date)
    # A flat duty per distinct tariff subheading (HS 6) for consignments at or below the
    # duty-free threshold, instead of no duty (the EU's EUR 3 from 2026-07-01). None: none.
    low_value_item_duty_minor: Mapped[int | None] = mapped_column(Integer)
    # Preferential treatment: a list of {"name", "origins": [ISO 3166], "shipped_from":
    # [ISO 3166], "duty_rate": "0.00" | None, "duty_free_threshold": minor | None,
    # "tax_free_threshold": minor | None, "source"}. A duty rate applies to lines of those
    # origins; thresholds to parcels shipped from those countries (whatever the origin).
    preferences: Mapped[list[dict]] = mapped_column(JSON, default=list, server_default="[]",
                                                    nullable=False)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)

    duty_rates: Mapped[list[DutyRate]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="DutyRate.hs_prefix"
    )


class DutyRate(db.Model):
    """The duty rate for goods whose HS code starts with `hs_prefix` (longest prefix wins)."""

    __tablename__ = "duty_rates"
    __table_args__ = (UniqueConstraint("rule_id", "hs_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(
        ForeignKey("market_rules.id", ondelete="CASCADE"), index=True, nullable=False
    )
    hs_prefix: Mapped[str] = mapped_column(String(10), nullable=False)
    rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    description: Mapped[str] = mapped_column(String(200), default="", nullable=False)

    rule: Mapped[MarketRule] = relationship(back_populates="duty_rates")


class RegionTax(db.Model):
    """A tax a region inside a country adds on delivered goods (a province, a US state).

    Canadian provinces: the provincial part of HST, or PST/QST/RST, on top of the 5 % GST
    of the country's market rule. US states: the state sales tax a marketplace
    facilitator must collect (the state rate only; local rates are not modelled).
    `collected_by` "customs" follows the market rule's checkout/delivery split;
    "marketplace" is always collected at checkout.
    """

    __tablename__ = "region_taxes"
    __table_args__ = (
        UniqueConstraint("country", "region", "effective_from"),
        CheckConstraint("collected_by IN ('customs', 'marketplace')", name="collected_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    region: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    effective_from: Mapped[date] = mapped_column(Date, nullable=False)
    effective_to: Mapped[date | None] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    includes_shipping: Mapped[bool] = mapped_column(Boolean, nullable=False)
    collected_by: Mapped[str] = mapped_column(String(16), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_url: Mapped[str] = mapped_column(String(500), default="", nullable=False)
    verified_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="", nullable=False)
