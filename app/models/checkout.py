"""Carts and checkout quotes: what a shopper intends to buy and the locked landed cost of it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, in_language
from app.models.fx import DecimalText

QUOTE_STATES = ("open", "paying", "paid", "expired", "failed", "cancelled")


class LandedAmounts:
    """A parcel's or checkout's amounts in ISO minor units of its presentment currency."""

    items_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    shipping_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    duties_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    taxes_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    total_minor: Mapped[int] = mapped_column(Integer, nullable=False)


class DueOnDelivery:
    """What the carrier collects on delivery, read from a parcel's recorded assessment.

    Shared by a quote's group and the order it becomes: the order keeps a copy of the
    assessment, so what it says is due stays as quoted when a rule changes later.
    """

    if TYPE_CHECKING:
        collected_at_checkout: bool
        duties_minor: int
        taxes_minor: int
        assessment: dict

    @property
    def due_on_delivery_minor(self) -> int:
        """Every duty and tax of a DDU parcel, else the part a per-item checkout limit
        leaves to delivery (Singapore's items above SGD 400).
        """
        if not self.collected_at_checkout:
            return self.duties_minor + self.taxes_minor
        return int((self.assessment or {}).get("due_on_delivery_minor") or 0)

    @property
    def delivery_charges(self) -> list[dict]:
        """The amounts due on delivery as {"kind", "rule", "amount_minor"}: a DDU parcel's
        duty and import tax, with a regional tax the carrier collects apart (Quebec's QST);
        a split parcel's charges recorded as due on delivery.
        """
        charges = (self.assessment or {}).get("charges") or []
        if self.collected_at_checkout:
            return [c for c in charges if c.get("due") == "delivery"]
        regional = [c for c in charges if c.get("kind") == "region_tax"]
        import_tax = self.taxes_minor - sum(c["amount_minor"] for c in regional)
        return [{"kind": "duty", "rule": "", "amount_minor": self.duties_minor},
                {"kind": "tax", "rule": "", "amount_minor": import_tax}, *regional]


class Cart(TimestampMixin, db.Model):
    """A shopper's cart: a signed-in user's, or a guest's keyed by a random session key."""

    __tablename__ = "carts"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR session_key IS NOT NULL", name="owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    session_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(TimestampMixin, db.Model):
    """A variant and quantity in a cart, with the note it was found through (attribution)."""

    __tablename__ = "cart_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        UniqueConstraint("cart_id", "variant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(
        ForeignKey("carts.id", ondelete="CASCADE"), index=True, nullable=False
    )
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), index=True, nullable=False
    )
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"))

    cart: Mapped[Cart] = relationship(back_populates="items")
    variant = relationship("ProductVariant")


class Quote(LandedAmounts, TimestampMixin, db.Model):
    """A priced, reserved snapshot of a cart for one address and currency, valid briefly.

    `total_minor` is what is charged now: items, shipping and any duties and taxes
    collected at checkout, in the presentment `currency` (ISO minor units).
    """

    __tablename__ = "quotes"
    __table_args__ = (
        CheckConstraint(f"state IN {QUOTE_STATES}", name="state"),
        CheckConstraint("total_minor >= 0", name="total_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # Shared by the orders this quote becomes, and shown to the shopper ("QX-...").
    reference: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    state: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    shipping_address: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    destination_country: Mapped[str] = mapped_column(String(2), nullable=False)
    fx_source: Mapped[str] = mapped_column(String(20), nullable=False)
    fx_as_of: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    groups: Mapped[list[QuoteGroup]] = relationship(
        back_populates="quote", cascade="all, delete-orphan", order_by="QuoteGroup.id"
    )
    payment = relationship("Payment", back_populates="quote", uselist=False)


class QuoteGroup(LandedAmounts, DueOnDelivery, db.Model):
    """One store's part of a quote; amounts in the quote's presentment currency.

    `fx_rate` converts the store's base currency into the presentment currency
    (fee included); it is 1 when they are the same.
    """

    __tablename__ = "quote_groups"
    __table_args__ = (
        UniqueConstraint("quote_id", "store_id"),
        CheckConstraint("items_minor >= 0 AND shipping_minor >= 0 AND duties_minor >= 0 "
                        "AND taxes_minor >= 0 AND total_minor >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True, nullable=False
    )
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"),
                                          nullable=False)
    store_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    fx_rate: Mapped[Decimal] = mapped_column(DecimalText(), nullable=False)
    # True (DDP): duties and taxes are in total_minor; False (DDU): an estimate due on delivery.
    collected_at_checkout: Mapped[bool] = mapped_column(Boolean, nullable=False)
    delivery_days_min: Mapped[int] = mapped_column(Integer, nullable=False)
    delivery_days_max: Mapped[int] = mapped_column(Integer, nullable=False)
    # Which market rule and why, for the breakdown shown to the shopper.
    assessment: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)

    quote: Mapped[Quote] = relationship(back_populates="groups")
    store = relationship("Store")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="QuoteLine.id"
    )


class PricedLine:
    """The columns a quoted line and an ordered line share: what, how many, at what price.

    Unit prices are in the presentment currency and, at the locked rate, in the store's.
    """

    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="RESTRICT"), nullable=False
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="RESTRICT"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    # The merchant's titles in each UI language when the line was priced, so a quote, an
    # order and its e-mails read in the reader's language even after the product changes.
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_zh: Mapped[str | None] = mapped_column(String(200))
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    quantity: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_store_minor: Mapped[int] = mapped_column(Integer, nullable=False)
    duty_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    tax_minor: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    def localized_title(self, locale: str | None) -> str:
        """The title in `locale` ("en"/"zh") as the merchant wrote it, else `title`."""
        return in_language(locale, self.title, en=self.title_en, zh=self.title_zh)

    @property
    def total_minor(self) -> int:
        """Unit price times quantity (presentment currency)."""
        return self.unit_price_minor * self.quantity


class QuoteLine(PricedLine, db.Model):
    """A variant at its locked unit price within a quote group."""

    __tablename__ = "quote_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price_minor >= 0 AND unit_price_store_minor >= 0",
                        name="unit_prices"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("quote_groups.id", ondelete="CASCADE"), index=True, nullable=False
    )
    hs_code: Mapped[str | None] = mapped_column(String(10))
    # True when a fixed catalog price in the presentment currency was used instead of FX.
    is_fixed_price: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="SET NULL"))

    group: Mapped[QuoteGroup] = relationship(back_populates="lines")
