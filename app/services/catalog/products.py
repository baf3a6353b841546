"""Catalog writes: products with options and variants, fixed prices, status, images.

Input comes as plain mappings (the API's JSON, a portal form, a CSV row), so every
caller gets the same validation and the same field-named errors. Field names:

- product: title, title_en, title_zh, description, description_en, description_zh,
  category, brand_name, hs_code, origin_country, weight_grams, length_mm, width_mm,
  height_mm, restricted_countries, low_stock_threshold, status, options, variants;
- variant: id (to update an existing one), sku, barcode, price, compare_at_price,
  options ({"Colour": "red"}), weight_grams, is_active, fixed_prices ([Money, ...]).

Prices are Money (or {"amount", "currency"}, or a decimal string read in the store's base
currency) and must be in the base currency; other currencies go to `fixed_prices`.
Variants are never deleted (orders and the stock ledger refer to them): a variant left
out of an update is deactivated, and listed again to reactivate it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core.transaction import screen_after_commit
from app.extensions import db
from app.models import (
    PRODUCT_STATUSES,
    Product,
    ProductImage,
    ProductOption,
    ProductVariant,
    User,
    VariantPrice,
)
from app.money import Money
from app.providers.media import media_storage
from app.services.catalog.variants import (
    VariantSpec,
    apply_options,
    apply_variant,
    check_store_skus,
    clean_product_fields,
    clean_variants,
    match_existing,
    resolve_options,
)
from app.services.errors import Conflict, ValidationFailed
from app.services.fields import FieldErrors, clean_money, clean_options, clean_text
from app.services.images import process_image
from app.services.permissions import not_found_in_organization, require_store_staff

IMAGE_RENDITIONS = {"thumb": 320, "medium": 800, "large": 1600}
MAX_IMAGES = 12


# Lookups ----------------------------------------------------------------------------------
def product_of_store(store_id: int, product_id: int) -> Product:
    """The store's product with variants, prices and options loaded, or NotFound."""
    product = db.session.scalar(
        select(Product)
        .where(Product.id == product_id, Product.store_id == store_id)
        .options(
            selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
            selectinload(Product.options).selectinload(ProductOption.values),
            selectinload(Product.images),
        )
    )
    if product is None:
        raise not_found_in_organization()
    return product


def get_product(actor: User, store_id: int, product_id: int) -> Product:
    """A product of the store, for its staff."""
    require_store_staff(actor, store_id)
    return product_of_store(store_id, product_id)


def variant_by_sku(store_id: int, sku: str) -> ProductVariant | None:
    """The store's variant with this SKU, if any."""
    return db.session.scalar(select(ProductVariant).where(
        ProductVariant.store_id == store_id, ProductVariant.sku == sku))


def build_variant_matrix(options: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, str]]:
    """Every combination of option values, in order: the editor's variant matrix."""
    if not options:
        return [{}]
    names = [name for name, _values in options]
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(values for _name, values in options))]

def _set_status(product: Product, status: str, errors: FieldErrors) -> None:
    if not product.can_become(status):
        errors.add("status", _("A %(current)s product cannot become %(status)s.",
                               current=product.status, status=status),
                   "invalid_status_transition")
        return
    if status == "active":
        if not product.hs_code:
            errors.add("hs_code", _("Add an HS code before the product goes live: customs "
                                    "and duties need it."), "not_ready")
        if not any(v.is_active for v in product.variants):
            errors.add("variants", _("Activate at least one variant first."), "not_ready")
    product.status = status


def _flush_catalog(new: Product | None = None) -> None:
    """Flush, turning a lost SKU race into a clean 409 (the unique constraint decides)."""
    try:
        with db.session.begin_nested():
            if new is not None:
                db.session.add(new)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Another product of this store took one of these SKUs just now."),
                       code="duplicate_sku") from None


# Products ---------------------------------------------------------------------------------
def create_product(actor: User, store_id: int, data: Mapping[str, Any]) -> Product:
    """Create a product with its options and variants (draft unless `status` says otherwise)."""
    store = require_store_staff(actor, store_id)
    errors = FieldErrors()
    values = clean_product_fields(data, errors, creating=True)
    explicit = clean_options(data["options"], "options", errors) \
        if data.get("options") is not None else None
    specs = clean_variants(data.get("variants"), errors, store)
    for spec in specs:
        if spec.price is None and not errors.has(f"variants.{spec.index}.price"):
            errors.add(f"variants.{spec.index}.price", _("This field is required."))
    options = resolve_options(explicit, specs, errors)
    check_store_skus(store.id, specs, errors, None)
    errors.raise_if_any()

    status = values.pop("status", "draft")
    values.setdefault("origin_country", store.origin_country)
    product = Product(store_id=store.id, status="draft", **values)
    apply_options(product, options)
    for position, spec in enumerate(specs):
        apply_variant(product, store, spec, position)
    if status != "draft":
        _set_status(product, status, errors)
        errors.raise_if_any(_("The product cannot be saved with this status."))
    _flush_catalog(product)
    screen_after_commit("product", product)
    return product


def update_product(actor: User, store_id: int, product_id: int,
                   data: Mapping[str, Any]) -> Product:
    """Change the given fields; `variants`, when given, is the product's full variant list."""
    store = require_store_staff(actor, store_id)
    product = product_of_store(store.id, product_id)
    errors = FieldErrors()
    values = clean_product_fields(data, errors, creating=False)
    explicit = clean_options(data["options"], "options", errors) \
        if data.get("options") is not None else None
    specs: list[VariantSpec] | None = None
    if "variants" in data:
        specs = clean_variants(data["variants"], errors, store)
        match_existing(product, specs, errors)
        check_store_skus(store.id, specs, errors, product.id)
    elif explicit is not None:
        # New options without variants: the active variants must still fit them.
        specs = [VariantSpec(index=i, sku=v.sku, id=v.id, options=dict(v.options),
                             existing=v, is_active=v.is_active)
                 for i, v in enumerate(product.variants)]
    options = resolve_options(explicit, specs, errors) if specs is not None else None
    errors.raise_if_any()

    status = values.pop("status", None)
    for name, value in values.items():
        setattr(product, name, value)
    if options is not None:
        apply_options(product, options)
    if specs is not None and "variants" in data:
        listed = {spec.existing.id for spec in specs if spec.existing is not None}
        for variant in product.variants:
            if variant.id not in listed:
                variant.is_active = False  # left out: off sale, kept for orders and the ledger
        for position, spec in enumerate(specs):
            apply_variant(product, store, spec, position)
    if status is not None:
        _set_status(product, status, errors)
    elif product.status == "active":
        # A live product must stay sellable: an edit may not remove its HS code or variants.
        _set_status(product, "active", errors)
    errors.raise_if_any(_("The product cannot be saved like this."))
    _flush_catalog()
    screen_after_commit("product", product)
    return product


def change_product_status(actor: User, store_id: int, product_id: int,
                          status: str) -> Product:
    """Publish, unpublish, archive or restore a product."""
    return update_product(actor, store_id, product_id, {"status": status})


def archive_product(actor: User, store_id: int, product_id: int) -> Product:
    """Take a product off sale for good (it can be restored as a draft)."""
    return change_product_status(actor, store_id, product_id, "archived")


def bulk_change_status(actor: User, store_id: int, product_ids: Sequence[int],
                       status: str) -> list[Product]:
    """Change the status of several products at once: all of them or none (errors by id)."""
    store = require_store_staff(actor, store_id)
    if status not in PRODUCT_STATUSES:
        raise ValidationFailed(_("Unknown status."), code="invalid_status",
                               fields={"status": [_("Choose one of: %(v)s.",
                                                    v=", ".join(PRODUCT_STATUSES))]})
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.store_id == store.id, Product.id.in_(product_ids))
        .options(selectinload(Product.variants)))}
    errors = FieldErrors()
    for product_id in product_ids:
        product = products.get(product_id)
        if product is None:
            errors.add(f"products.{product_id}", _("No such product in this store."), "not_found")
            continue
        problems = FieldErrors()
        _set_status(product, status, problems)
        for messages in problems.fields.values():
            for message in messages:
                errors.add(f"products.{product_id}", message, next(iter(problems.codes)))
    errors.raise_if_any(_("Some products cannot change status; nothing was changed."))
    db.session.flush()
    return [products[i] for i in product_ids]


# Prices -----------------------------------------------------------------------------------
def set_fixed_price(actor: User, store_id: int, variant_id: int, currency: str,
                    amount: Money | str | None) -> VariantPrice | None:
    """Fix the variant's price in `currency` (None removes it, so FX conversion applies)."""
    store = require_store_staff(actor, store_id)
    variant = db.session.scalar(select(ProductVariant).where(
        ProductVariant.id == variant_id, ProductVariant.store_id == store.id))
    if variant is None:
        raise not_found_in_organization()
    errors = FieldErrors()
    money = clean_money(amount if amount is not None else "0", "price", errors,
                        default_currency=currency)
    errors.raise_if_any()
    assert money is not None
    if money.currency == store.base_currency:
        raise ValidationFailed(_("That is the store's base currency."), code="currency_mismatch",
                               fields={"currency": [_("Set the base price on the variant.")]})
    existing = next((p for p in variant.fixed_prices if p.currency == money.currency), None)
    if amount is None:
        if existing is not None:
            variant.fixed_prices.remove(existing)
        db.session.flush()
        return None
    if existing is None:
        existing = VariantPrice(currency=money.currency, price_minor=money.minor)
        variant.fixed_prices.append(existing)
    existing.price_minor = money.minor
    db.session.flush()
    return existing


# Images -----------------------------------------------------------------------------------
def add_product_image(actor: User, store_id: int, product_id: int, data: bytes, *,
                      alt_text: str = "") -> ProductImage:
    """Validate, strip and resize an upload (app.services.images) and append it."""
    store = require_store_staff(actor, store_id)
    product = product_of_store(store.id, product_id)
    errors = FieldErrors()
    alt = clean_text(alt_text, "alt_text", errors, max_len=200) or ""
    if len(product.images) >= MAX_IMAGES:
        errors.add("image", _("A product can have at most %(n)d images.", n=MAX_IMAGES),
                   "too_many_images")
    errors.raise_if_any()
    stored = process_image(data, field="image", prefix=f"products/{store.id}/{product.id}",
                           renditions=IMAGE_RENDITIONS)
    position = max((image.position for image in product.images), default=-1) + 1
    image = ProductImage(keys=stored.keys, width=stored.width, height=stored.height,
                         alt_text=alt, position=position)
    product.images.append(image)
    db.session.flush()
    screen_after_commit("product", product)
    return image


def remove_product_image(actor: User, store_id: int, product_id: int, image_id: int) -> None:
    """Delete an image and its stored renditions."""
    store = require_store_staff(actor, store_id)
    product = product_of_store(store.id, product_id)
    image = next((i for i in product.images if i.id == image_id), None)
    if image is None:
        raise not_found_in_organization()
    product.images.remove(image)
    db.session.flush()
    for key in image.keys.values():
        media_storage().delete(key)


def reorder_product_images(actor: User, store_id: int, product_id: int,
                           image_ids: Sequence[int]) -> list[ProductImage]:
    """Put the images in the given order (the first is the cover)."""
    store = require_store_staff(actor, store_id)
    product = product_of_store(store.id, product_id)
    by_id = {image.id: image for image in product.images}
    if sorted(image_ids) != sorted(by_id):
        raise ValidationFailed(_("List every image of the product exactly once."),
                               fields={"image_ids": [_("List every image exactly once.")]})
    for position, image_id in enumerate(image_ids):
        by_id[image_id].position = position
    db.session.flush()
    return [by_id[i] for i in image_ids]


def count_products(store_id: int) -> int:
    """How many products the store has (all statuses)."""
    return db.session.scalar(select(func.count(Product.id))
                             .where(Product.store_id == store_id)) or 0


def count_products_by_status(actor: User, store_id: int) -> dict[str, int]:
    """The store's product count per status (every status present, zero when none)."""
    store = require_store_staff(actor, store_id)
    counts = dict.fromkeys(PRODUCT_STATUSES, 0)
    rows = db.session.execute(
        select(Product.status, func.count(Product.id)).where(Product.store_id == store.id)
        .group_by(Product.status))
    counts.update({status: total for status, total in rows})
    return counts
