"""Catalog reads: the merchant's product list and the storefront's public reads.

Every read eager-loads what its page shows (selectinload), and stock comes from one
aggregate query per page, so the number of queries stays the same however many
products and variants there are. Lists page by keyset (newest first, by id): a
`Page` carries `next_after`, the sort values after which the next page starts; the
API turns it into an opaque cursor and HTML pages into a `?after=` parameter.

Prices on the storefront: a variant's fixed price in the viewer's currency when the
merchant set one (it always wins), otherwise its base-currency price converted with the
newest usable rate (app.services.fx.conversion: mid rate plus the conversion fee, rounded by the
house rule). Rates are looked up once per (base, display) currency pair per call, never
per variant. When that rate is stale or missing the base-currency price is shown
(`price_is_fixed` False, `rate` None and the Money's currency is the store's), and the
page says so; checkout refuses such a currency rather than guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import (
    Note,
    NoteProductTag,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
    Store,
    User,
    VariantPrice,
    shown_clause,
)
from app.money import CurrencyError, Money, normalize_currency
from app.services.errors import NotFound, ValidationFailed
from app.services.fx import LockedRate, RateUnavailable, StaleRate, convert, lock_rate
from app.services.inventory import availability, variant_available_sql
from app.services.pagination import Page
from app.services.permissions import require_store_staff
from app.services.regions import is_country
from app.services.social import note_card_loader_options

T = TypeVar("T")
MAX_PAGE = 100


@dataclass(frozen=True)
class VariantOffer:
    """A variant as a shopper sees it: price in their currency, availability for them."""

    variant: ProductVariant
    price: Money
    compare_at: Money | None
    price_is_fixed: bool
    available: bool
    available_quantity: int
    # The rate `price` was converted with; None for a fixed or base-currency price.
    rate: LockedRate | None = None

    @property
    def base_price(self) -> Money:
        """The variant's own price in the store's base currency."""
        return Money(self.variant.price_minor, self.variant.currency)


@dataclass(frozen=True)
class ProductOffer:
    """A product for one viewer (currency and ship-to country)."""

    product: Product
    variants: list[VariantOffer]
    currency: str | None
    country: str | None
    # False when the product is restricted in the country or the store does not ship there.
    ships_to_country: bool

    @property
    def available(self) -> bool:
        """Whether any variant can be bought by this viewer."""
        return any(v.available for v in self.variants)

    @property
    def from_price(self) -> Money | None:
        """The lowest price (among variants priced in the same currency as the first one)."""
        if not self.variants:
            return None
        currency = self.variants[0].price.currency
        return min((v.price for v in self.variants if v.price.currency == currency),
                   key=lambda m: m.minor)

    @property
    def price_varies(self) -> bool:
        """Whether the variants' prices differ, so `from_price` reads "From …"."""
        return len({v.price for v in self.variants}) > 1


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _page(rows: Sequence[T], limit: int, key) -> Page[T]:
    items = list(rows[:limit])
    return Page(items=items, next_after=key(items[-1]) if len(rows) > limit and items else None)


def _check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(_("limit must be from 1 to 100."),
                               fields={"limit": [_("Use a whole number from 1 to 100.")]})
    return limit


def _after_id(after: Sequence[Any] | None) -> int | None:
    if not after:
        return None
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool):
        raise ValidationFailed(_("The page position is not valid."), code="invalid_cursor",
                               fields={"cursor": [_("Start again from the first page.")]})
    return after[0]


def _text_filter(text: str):
    pattern = f"%{_escape_like(text.strip())}%"
    return or_(
        Product.title.ilike(pattern, escape="\\"),
        Product.title_en.ilike(pattern, escape="\\"),
        Product.title_zh.ilike(pattern, escape="\\"),
        Product.brand_name.ilike(pattern, escape="\\"),
        exists().where(ProductVariant.product_id == Product.id,
                       ProductVariant.sku.ilike(pattern, escape="\\")),
    )


# Merchant ---------------------------------------------------------------------------------
def list_products(actor: User, store_id: int, *, status: str | None = None,
                  text: str | None = None, category: str | None = None,
                  low_stock: bool = False, after: Sequence[Any] | None = None,
                  limit: int = 20) -> Page[Product]:
    """The store's products, newest first, filtered by status, text, category and low stock."""
    store = require_store_staff(actor, store_id)
    _check_limit(limit)
    stmt = (select(Product).where(Product.store_id == store.id)
            .options(selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
                     selectinload(Product.options).selectinload(ProductOption.values),
                     selectinload(Product.images))
            .order_by(Product.id.desc()).limit(limit + 1))
    if status:
        stmt = stmt.where(Product.status == status)
    if text and text.strip():
        stmt = stmt.where(_text_filter(text))
    if category:
        stmt = stmt.where(Product.category == category)
    if low_stock:
        stmt = stmt.where(exists().where(
            ProductVariant.product_id == Product.id, ProductVariant.is_active.is_(True),
            variant_available_sql() <= Product.low_stock_threshold))
    after_id = _after_id(after)
    if after_id is not None:
        stmt = stmt.where(Product.id < after_id)
    return _page(db.session.scalars(stmt).all(), limit, lambda p: [p.id])


# Storefront -------------------------------------------------------------------------------
def get_public_store(store_id: int) -> Store:
    """A store, for anyone."""
    store = db.session.get(Store, store_id)
    if store is None:
        raise NotFound(_("No such store."))
    return store


def get_public_store_by_slug(slug: str) -> Store:
    """A store by its URL slug, for anyone."""
    store = db.session.scalar(select(Store).where(Store.slug == slug))
    if store is None:
        raise NotFound(_("No such store."))
    return store


def get_public_product(product_id: int, *, market: str | None = None) -> Product:
    """An active product with everything its page shows, in a fixed number of queries.

    Held or removed by moderation, or restricted (or legally blocked) in the viewer's
    `market`: NotFound.
    """
    product = db.session.scalar(
        select(Product)
        .where(Product.id == product_id, Product.status == "active",
               shown_clause(Product, market))
        .options(
            joinedload(Product.store),
            selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
            selectinload(Product.options).selectinload(ProductOption.values),
            selectinload(Product.images),
        )
    )
    if product is None:
        raise NotFound(_("No such product."))
    return product


def viewer_terms(currency: str | None, country: str | None) -> tuple[str | None, str | None]:
    """Check a viewer's display currency and ship-to country (either may be None)."""
    fields: dict[str, list[str]] = {}
    if currency:
        try:
            currency = normalize_currency(currency)
        except CurrencyError:
            fields["currency"] = [_("Unknown currency '%(code)s': use an ISO 4217 code.",
                                    code=currency)]
    if country:
        if is_country(country):
            country = country.upper()
        else:
            fields["country"] = [_("'%(code)s' is not an ISO 3166 two-letter country code.",
                                   code=country)]
    if fields:
        code = "unknown_currency" if set(fields) == {"currency"} else "validation_failed"
        raise ValidationFailed(_("Check the currency and country."), code=code, fields=fields)
    return currency or None, country or None


def _fixed_price(variant: ProductVariant, currency: str | None):
    """The merchant's fixed price of `variant` in `currency`, if any."""
    if not currency or currency == variant.currency:
        return None
    return next((p for p in variant.fixed_prices if p.currency == currency), None)


def display_rates(products: Sequence[Product], currency: str | None,
                  now: datetime | None = None) -> dict[str, LockedRate | None]:
    """One rate per base currency that must be converted to `currency` (None: unusable)."""
    return rates_to(currency, {v.currency for p in products for v in p.variants
                               if v.is_active and _fixed_price(v, currency) is None}, now)


def rates_to(currency: str | None, bases: Iterable[str], now: datetime | None = None
             ) -> dict[str, LockedRate | None]:
    """The rate from each of `bases` to `currency` (None: stale or missing), one lookup each."""
    needed = sorted({base for base in bases if currency and base != currency})
    rates: dict[str, LockedRate | None] = {}
    for base in needed:
        try:
            rates[base] = lock_rate(base, currency, now=now)
        except (StaleRate, RateUnavailable):
            # Showing the store's own price beats showing none; the page says so.
            rates[base] = None
    return rates


def product_offers(products: Sequence[Product], *, currency: str | None = None,
                   country: str | None = None, now: datetime | None = None
                   ) -> list[ProductOffer]:
    """Each product's active variants priced and checked for one viewer.

    One stock query, and one rate lookup per base currency to convert (not per variant).
    """
    currency, country = viewer_terms(currency, country)
    variant_ids = [v.id for p in products for v in p.variants if v.is_active]
    stock = availability(variant_ids, now=now)
    rates = display_rates(products, currency, now)
    offers = []
    for product in products:
        ships = ships_to_viewer(product, country)
        variants = [priced_variant(variant, _fixed_price(variant, currency), rates,
                                   ships=ships, quantity=stock.get(variant.id, 0))
                    for variant in product.variants if variant.is_active]
        offers.append(ProductOffer(product=product, variants=variants, currency=currency,
                                   country=country, ships_to_country=ships))
    return offers


def ships_to_viewer(product: Product, country: str | None) -> bool:
    """Whether `product` may go to `country` (None: anywhere): not restricted there, and
    its store sells there.
    """
    return country is None or (product.ships_to(country)
                               and product.store.sells_to_country(country))


def priced_variant(variant: ProductVariant, fixed: VariantPrice | None,
                   rates: dict[str, LockedRate | None], *, ships: bool, quantity: int
                   ) -> VariantOffer:
    """A variant for one viewer: its `fixed` price in their currency when the merchant set
    one, else its own converted at its base currency's rate in `rates` (or left in the base
    currency when that rate is unusable).
    """
    rate = rates.get(variant.currency) if fixed is None else None
    if fixed is not None:
        price, compare_at = Money(fixed.price_minor, fixed.currency), None
    else:
        price = Money(variant.price_minor, variant.currency)
        compare_at = Money(variant.compare_at_minor, variant.currency) \
            if variant.compare_at_minor is not None else None
        if rate is not None:
            price = convert(price, rate)
            compare_at = convert(compare_at, rate) if compare_at else None
    return VariantOffer(variant=variant, price=price, compare_at=compare_at,
                        price_is_fixed=fixed is not None, available=ships and quantity > 0,
                        available_quantity=quantity, rate=rate)


def product_offer(product: Product, *, currency: str | None = None,
                  country: str | None = None, now: datetime | None = None) -> ProductOffer:
    """One product priced and checked for a viewer."""
    return product_offers([product], currency=currency, country=country, now=now)[0]


class RestrictedDestination(ValidationFailed):
    """The product may not be shipped to the destination country."""

    code = "restricted_destination"
    status = 422


def ensure_ships_to(product: Product, country: str) -> None:
    """Raise RestrictedDestination (422) when `product` cannot go to `country` (checkout)."""
    if not product.ships_to(country):
        raise RestrictedDestination(
            _("%(title)s cannot be shipped to %(country)s.", title=product.title,
              country=country.upper()),
            fields={"country": [_("%(title)s is restricted in %(country)s.",
                                  title=product.title, country=country.upper())]})
    if not product.store.sells_to_country(country):
        raise RestrictedDestination(
            _("%(store)s does not ship to %(country)s.", store=product.store.name,
              country=country.upper()),
            fields={"country": [_("%(store)s does not ship there.", store=product.store.name)]})


def list_catalog(*, store_id: int | None = None, text: str | None = None,
                 category: str | None = None, after: Sequence[Any] | None = None,
                 limit: int = 20, market: str | None = None) -> Page[Product]:
    """Active products for the storefront (one store, a category, a search), newest first.

    Listings held or removed by moderation, or restricted in the viewer's `market` (their
    ship-to country), are left out, as Discover leaves such notes out.
    """
    _check_limit(limit)
    stmt = (select(Product).where(Product.status == "active", shown_clause(Product, market))
            .options(joinedload(Product.store),
                     selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
                     selectinload(Product.images))
            .order_by(Product.id.desc()).limit(limit + 1))
    if store_id is not None:
        stmt = stmt.where(Product.store_id == store_id)
    if category:
        stmt = stmt.where(Product.category == category)
    if text and text.strip():
        stmt = stmt.where(_text_filter(text))
    after_id = _after_id(after)
    if after_id is not None:
        stmt = stmt.where(Product.id < after_id)
    return _page(db.session.scalars(stmt).unique().all(), limit, lambda p: [p.id])


def store_categories(store_id: int | None = None) -> list[str]:
    """Categories that have active products (in one store, or anywhere)."""
    stmt = (select(Product.category).where(Product.status == "active",
                                           Product.category.is_not(None))
            .distinct().order_by(Product.category))
    if store_id is not None:
        stmt = stmt.where(Product.store_id == store_id)
    return list(db.session.scalars(stmt))


def product_notes(product_id: int, limit: int = 6) -> list[Note]:
    """The newest published notes tagging a product, loaded as cards (fixed queries)."""
    tagged = select(NoteProductTag.note_id).where(NoteProductTag.product_id == product_id)
    return list(db.session.scalars(
        select(Note).options(*note_card_loader_options())
        .where(Note.shown_clause(), Note.id.in_(tagged))
        .order_by(Note.published_at.desc(), Note.id.desc()).limit(limit)))


def cover_images(product_ids: Iterable[int]) -> dict[int, ProductImage]:
    """Each product's first photo by id, in one statement (products without one are absent).

    Lines of carts, quotes and orders keep the product's id, not its photos: their pages and
    e-mails show a thumbnail from here.
    """
    ids = set(product_ids)
    if not ids:
        return {}
    ranked = (select(ProductImage.id, func.row_number().over(
        partition_by=ProductImage.product_id,
        order_by=(ProductImage.position, ProductImage.id)).label("place"))
        .where(ProductImage.product_id.in_(ids)).subquery())
    images = db.session.scalars(select(ProductImage).join(ranked, ranked.c.id == ProductImage.id)
                                .where(ranked.c.place == 1))
    return {image.product_id: image for image in images}
