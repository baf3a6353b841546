"""The catalog: products, their images and options, variants (SKUs) and fixed prices.

Amounts are integer minor units of `currency` (the store's base currency for a
variant's own price). A variant's `options` maps each option name of its product
to one of that option's values, e.g. {"Colour": "red", "Size": "M"}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
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
from app.models.base import TimestampMixin, in_language
from app.models.notes import SHOWN_STATES

if TYPE_CHECKING:
    from app.models.inventory import InventoryLevel
    from app.models.organization import Store

PRODUCT_STATUSES = ("draft", "active", "archived")
# Allowed status changes; activating also needs an HS code and an active variant.
STATUS_TRANSITIONS = {
    "draft": ("active", "archived"),
    "active": ("draft", "archived"),
    "archived": ("draft",),
}


class Product(TimestampMixin, db.Model):
    """Something a store sells; shoppers buy one of its variants."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'archived')", name="status"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_grams"),
        CheckConstraint("length_mm IS NULL OR length_mm >= 0", name="length_mm"),
        CheckConstraint("width_mm IS NULL OR width_mm >= 0", name="width_mm"),
        CheckConstraint("height_mm IS NULL OR height_mm >= 0", name="height_mm"),
        CheckConstraint("low_stock_threshold >= 0", name="low_stock_threshold"),
        CheckConstraint(
            "moderation_state IN ('visible', 'pending', 'held', 'removed', 'age_gated')",
            name="moderation_state"),
        # The merchant list filters by store and status and pages by id.
        Index("ix_products_store_id_status_id", "store_id", "status", "id"),
        # Storefront category browsing across stores pages by id.
        Index("ix_products_category_status_id", "category", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by ix_products_store_id_status_id (its leading column).
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(String(10), default="draft", nullable=False)
    # Set by moderation (app.services.moderation); see app.models.moderation for the format.
    moderation_state: Mapped[str] = mapped_column(
        String(10), default="visible", server_default="visible", nullable=False)
    moderation_reason: Mapped[str | None] = mapped_column(String(40))
    hidden_markets: Mapped[str] = mapped_column(
        String(200), default="", server_default="", nullable=False)
    # `title`/`description` are what the merchant wrote; the _en/_zh versions are optional
    # translations shown to viewers in that language.
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_zh: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))
    brand_name: Mapped[str | None] = mapped_column(String(120))
    # Harmonized System code, 6 to 10 digits (no dots); needed before a product goes live.
    hs_code: Mapped[str | None] = mapped_column(String(10))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    length_mm: Mapped[int | None] = mapped_column(Integer)
    width_mm: Mapped[int | None] = mapped_column(Integer)
    height_mm: Mapped[int | None] = mapped_column(Integer)
    # ISO 3166 alpha-2 destinations this product may not be shipped to.
    restricted_countries: Mapped[list[str]] = mapped_column(JSON, default=list, nullable=False)
    # A variant whose available stock falls to this number or below is "low stock".
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5, nullable=False)

    store: Mapped[Store] = relationship()
    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="(ProductVariant.position, ProductVariant.id)",
    )
    options: Mapped[list[ProductOption]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="(ProductOption.position, ProductOption.id)",
    )
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan",
        order_by="(ProductImage.position, ProductImage.id)",
    )

    def localized_title(self, locale: str | None) -> str:
        """The title in `locale` ("en"/"zh") when the merchant wrote one, else `title`."""
        return in_language(locale, self.title, en=self.title_en, zh=self.title_zh)

    def localized_description(self, locale: str | None) -> str:
        """The description in `locale` when the merchant wrote one, else `description`."""
        return in_language(locale, self.description, en=self.description_en,
                           zh=self.description_zh)

    def can_become(self, status: str) -> bool:
        """Whether the status may change from the current one to `status`."""
        return status == self.status or status in STATUS_TRANSITIONS.get(self.status, ())

    def ships_to(self, country: str) -> bool:
        """False when `country` is one of the product's restricted destinations, or
        moderation (a decision or a legal order) hides the listing there.
        """
        return (country.upper() not in (self.restricted_countries or [])
                and not self.hidden_in(country))

    def hidden_in(self, market: str | None) -> bool:
        """Whether moderation or a legal order hides the listing in `market`."""
        return bool(market) and f",{market.upper()}," in (self.hidden_markets or "")

    @property
    def is_for_sale(self) -> bool:
        """Active, and not held, pending or removed by moderation."""
        return self.status == "active" and self.moderation_state in SHOWN_STATES

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.status} {self.title!r}>"


class ProductImage(TimestampMixin, db.Model):
    """A product photo; `keys` maps each rendition name to its media storage key."""

    __tablename__ = "product_images"
    __table_args__ = (
        CheckConstraint("position >= 0", name="position"),
        Index("ix_product_images_product_id_position", "product_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    keys: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    alt_text: Mapped[str] = mapped_column(String(200), default="", nullable=False)

    product: Mapped[Product] = relationship(back_populates="images")


class ProductOption(db.Model):
    """An axis of variation such as Colour or Size, with its values in display order."""

    __tablename__ = "product_options"
    __table_args__ = (UniqueConstraint("product_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the (product_id, name) unique constraint.
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    product: Mapped[Product] = relationship(back_populates="options")
    values: Mapped[list[ProductOptionValue]] = relationship(
        back_populates="option", cascade="all, delete-orphan",
        order_by="(ProductOptionValue.position, ProductOptionValue.id)",
    )


class ProductOptionValue(db.Model):
    """One value of an option, e.g. "red" of Colour."""

    __tablename__ = "product_option_values"
    __table_args__ = (UniqueConstraint("option_id", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the (option_id, value) unique constraint.
    option_id: Mapped[int] = mapped_column(
        ForeignKey("product_options.id", ondelete="CASCADE"), nullable=False
    )
    value: Mapped[str] = mapped_column(String(60), nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    option: Mapped[ProductOption] = relationship(back_populates="values")


class ProductVariant(TimestampMixin, db.Model):
    """A sellable SKU of a product, priced in the store's base currency."""

    __tablename__ = "product_variants"
    __table_args__ = (
        # The SKU identifies a variant within its store (CSV import and ERP sync upsert by it).
        UniqueConstraint("store_id", "sku"),
        CheckConstraint("price_minor >= 0", name="price_minor"),
        CheckConstraint("compare_at_minor IS NULL OR compare_at_minor >= 0",
                        name="compare_at_minor"),
        CheckConstraint("weight_grams IS NULL OR weight_grams >= 0", name="weight_grams"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # Denormalised from the product so the database enforces SKU uniqueness per store.
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), nullable=False
    )
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    barcode: Mapped[str | None] = mapped_column(String(64))
    # BigInteger: amounts in minor units of currencies like IDR or VND outgrow 32 bits.
    price_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    compare_at_minor: Mapped[int | None] = mapped_column(BigInteger)
    options: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, nullable=False)
    # Overrides the product's weight when set.
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)

    product: Mapped[Product] = relationship(back_populates="variants")
    fixed_prices: Mapped[list[VariantPrice]] = relationship(
        back_populates="variant", cascade="all, delete-orphan", order_by="VariantPrice.currency"
    )
    levels: Mapped[list[InventoryLevel]] = relationship(
        back_populates="variant", order_by="InventoryLevel.warehouse_id"
    )

    @property
    def effective_weight_grams(self) -> int | None:
        """The variant's own weight, or the product's."""
        return self.weight_grams if self.weight_grams is not None else self.product.weight_grams

    def option_label(self) -> str:
        """"red / M" style label of the variant's option values (empty for no options)."""
        return " / ".join(str(v) for v in self.options.values())

    def __repr__(self) -> str:
        return f"<ProductVariant {self.id} {self.sku}>"


class VariantPrice(TimestampMixin, db.Model):
    """A fixed price in another currency, used instead of FX conversion when set."""

    __tablename__ = "variant_prices"
    __table_args__ = (
        UniqueConstraint("variant_id", "currency"),
        CheckConstraint("price_minor >= 0", name="price_minor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("product_variants.id", ondelete="CASCADE"), nullable=False
    )
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    price_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)

    variant: Mapped[ProductVariant] = relationship(back_populates="fixed_prices")
