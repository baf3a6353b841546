"""Product payloads: cleaning product fields, options and variants, and applying them.

Used by app.services.catalog.products (create/update); the CSV import builds the same payloads.
Field paths in errors follow the payload: `variants.2.price`, `options.0.name`...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    PRODUCT_STATUSES,
    Product,
    ProductOption,
    ProductOptionValue,
    ProductVariant,
    Store,
    VariantPrice,
)
from app.money import Money
from app.services.fields import (
    MAX_DESCRIPTION,
    MAX_DIMENSION_MM,
    MAX_NAME,
    MAX_TITLE,
    MAX_VARIANTS,
    MAX_WEIGHT_GRAMS,
    FieldErrors,
    clean_barcode,
    clean_bool,
    clean_category,
    clean_countries,
    clean_country,
    clean_hs_code,
    clean_int,
    clean_money,
    clean_sku,
    clean_text,
    clean_variant_options,
)

TEXT_FIELDS = {
    "title": MAX_TITLE, "title_en": MAX_TITLE, "title_zh": MAX_TITLE,
    "description": MAX_DESCRIPTION, "description_en": MAX_DESCRIPTION,
    "description_zh": MAX_DESCRIPTION, "brand_name": MAX_NAME,
}
INT_FIELDS = {"weight_grams": MAX_WEIGHT_GRAMS, "length_mm": MAX_DIMENSION_MM,
              "width_mm": MAX_DIMENSION_MM, "height_mm": MAX_DIMENSION_MM,
              "low_stock_threshold": 1_000_000}

@dataclass
class VariantSpec:
    """One cleaned variant of a payload (None: leave the existing value unchanged)."""

    index: int
    sku: str
    id: int | None = None
    price: Money | None = None
    compare_at: Money | None = None
    compare_at_given: bool = False
    barcode: str | None = None
    barcode_given: bool = False
    options: dict[str, str] = field(default_factory=dict)
    weight_grams: int | None = None
    weight_given: bool = False
    is_active: bool = True
    fixed_prices: list[Money] | None = None
    existing: ProductVariant | None = None



# Cleaning -------------------------------------------------------------------------------------
def clean_product_fields(data: Mapping[str, Any], errors: FieldErrors, *,
                          creating: bool) -> dict[str, Any]:
    """The product-level fields present in `data` (all of them when creating), cleaned."""
    values: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        if name in data or (creating and name == "title"):
            text = clean_text(data.get(name), name, errors, max_len=limit,
                              required=name == "title")
            values[name] = (text or "") if name == "description" else text
    for name, limit in INT_FIELDS.items():
        if name in data:
            values[name] = clean_int(data[name], name, errors, maximum=limit,
                                     required=name == "low_stock_threshold")
    if "category" in data:
        values["category"] = clean_category(data["category"], "category", errors)
    if "hs_code" in data:
        values["hs_code"] = clean_hs_code(data["hs_code"], "hs_code", errors)
    if "origin_country" in data:
        values["origin_country"] = clean_country(data["origin_country"], "origin_country",
                                                 errors)
    if "restricted_countries" in data:
        values["restricted_countries"] = clean_countries(
            data["restricted_countries"], "restricted_countries", errors) or []
    if "status" in data:
        status = data["status"]
        if status not in PRODUCT_STATUSES:
            errors.add("status", _("Choose one of: %(v)s.", v=", ".join(PRODUCT_STATUSES)),
                       "invalid_status")
        else:
            values["status"] = status
    return values


def clean_variants(raw: Any, errors: FieldErrors, store: Store) -> list[VariantSpec]:
    """Clean the `variants` list; each problem is named by its `variants.<n>.<field>` path."""
    if not isinstance(raw, list) or not raw:
        errors.add("variants", _("Add at least one variant with a SKU and a price."))
        return []
    if len(raw) > MAX_VARIANTS:
        errors.add("variants", _("A product can have at most %(n)d variants.",
                                 n=MAX_VARIANTS))
        return []
    specs: list[VariantSpec] = []
    seen_skus: dict[str, int] = {}
    for index, item in enumerate(raw):
        path = f"variants.{index}"
        if not isinstance(item, Mapping):
            errors.add(path, _("Must be an object with sku, price and options."))
            continue
        sku = clean_sku(item.get("sku"), f"{path}.sku", errors)
        spec = VariantSpec(index=index, sku=sku or "")
        if item.get("id") is not None:
            spec.id = clean_int(item["id"], f"{path}.id", errors, minimum=1)
        spec.price = clean_money(item.get("price"), f"{path}.price", errors,
                                 default_currency=store.base_currency,
                                 required_currency=store.base_currency)
        if "compare_at_price" in item:
            spec.compare_at_given = True
            spec.compare_at = clean_money(item["compare_at_price"], f"{path}.compare_at_price",
                                          errors, default_currency=store.base_currency,
                                          required_currency=store.base_currency)
        if "barcode" in item:
            spec.barcode_given = True
            spec.barcode = clean_barcode(item["barcode"], f"{path}.barcode", errors)
        if "weight_grams" in item:
            spec.weight_given = True
            spec.weight_grams = clean_int(item["weight_grams"], f"{path}.weight_grams", errors,
                                          maximum=MAX_WEIGHT_GRAMS)
        options = clean_variant_options(item.get("options"), f"{path}.options", errors)
        spec.options = options or {}
        if "is_active" in item:
            spec.is_active = clean_bool(item["is_active"], f"{path}.is_active", errors) \
                is not False
        if "fixed_prices" in item:
            spec.fixed_prices = clean_fixed_prices(item["fixed_prices"],
                                                    f"{path}.fixed_prices", errors, store)
        if sku:
            if sku in seen_skus:
                errors.add(f"{path}.sku", _("SKU %(sku)s is used by variant %(n)d of this "
                                            "product too.", sku=sku, n=seen_skus[sku] + 1),
                           "duplicate_sku")
            seen_skus.setdefault(sku, index)
        specs.append(spec)
    return specs


def clean_fixed_prices(raw: Any, path: str, errors: FieldErrors, store: Store) -> list[Money]:
    """Prices in currencies other than the base one, each currency once."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.add(path, _('Must be a list such as [{"amount": "18.00", "currency": "EUR"}].'))
        return []
    prices: list[Money] = []
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping | Money) or (
                isinstance(item, Mapping) and "currency" not in item):
            errors.add(f"{path}.{index}", _("Give each fixed price an amount and a currency."))
            continue
        money = clean_money(item, f"{path}.{index}", errors,
                            default_currency=store.base_currency)
        if money is None:
            continue
        if money.currency == store.base_currency:
            errors.add(f"{path}.{index}", _("The variant's own price is already in "
                                            "%(currency)s.", currency=store.base_currency))
        elif any(p.currency == money.currency for p in prices):
            errors.add(f"{path}.{index}", _("%(currency)s is listed twice.",
                                            currency=money.currency))
        else:
            prices.append(money)
    return prices


def resolve_options(explicit: list[tuple[str, list[str]]] | None, specs: list[VariantSpec],
                     errors: FieldErrors) -> list[tuple[str, list[str]]]:
    """The product's options, checked against every active variant's option values."""
    active = [s for s in specs if s.is_active]
    if explicit is None:
        names: list[str] = list(active[0].options) if active else []
        derived: dict[str, list[str]] = {name: [] for name in names}
        for spec in active:
            for name, value in spec.options.items():
                if name in derived and value not in derived[name]:
                    derived[name].append(value)
        options = list(derived.items())
    else:
        options = explicit
    allowed = dict(options)
    combos: dict[tuple[str, ...], int] = {}
    for spec in active:
        path = f"variants.{spec.index}.options"
        if set(spec.options) != set(allowed):
            wanted = ", ".join(allowed) or _("none")
            errors.add(path, _("Give exactly one value for each option (%(options)s).",
                               options=wanted),
                       "invalid_options")
            continue
        bad = [f"{n}={v}" for n, v in spec.options.items() if v not in allowed[n]]
        if bad:
            errors.add(path, _("Not a value of the product's options: %(values)s.",
                               values=", ".join(bad)),
                       "invalid_options")
            continue
        combo = tuple(spec.options[name] for name in allowed)
        if combo in combos:
            label = " / ".join(combo) or _("no options")
            errors.add(path, _("Variant %(n)d already has these options (%(options)s).",
                               n=combos[combo] + 1, options=label), "duplicate_options")
        combos.setdefault(combo, spec.index)
    return options


def match_existing(product: Product, specs: list[VariantSpec], errors: FieldErrors) -> None:
    """Pair each spec with the product's variant it updates (by id, else by SKU)."""
    by_id = {v.id: v for v in product.variants}
    by_sku = {v.sku: v for v in product.variants}
    claimed: set[int] = set()
    for spec in specs:
        if spec.id is not None:
            variant = by_id.get(spec.id)
            if variant is None:
                errors.add(f"variants.{spec.index}.id", _("No such variant in this product."))
                continue
            spec.existing = variant
        elif spec.sku in by_sku and by_sku[spec.sku].id not in claimed \
                and by_sku[spec.sku].id not in {s.id for s in specs if s.id}:
            spec.existing = by_sku[spec.sku]
        if spec.existing is not None:
            claimed.add(spec.existing.id)
    for spec in specs:
        owner = by_sku.get(spec.sku)
        if owner is not None and spec.sku and owner is not spec.existing:
            errors.add(f"variants.{spec.index}.sku", _("SKU %(sku)s belongs to another "
                                                       "variant of this product.",
                                                       sku=spec.sku),
                       "duplicate_sku")
        if spec.existing is None and spec.price is None \
                and not errors.has(f"variants.{spec.index}.price"):
            errors.add(f"variants.{spec.index}.price", _("This field is required."))


def check_store_skus(store_id: int, specs: list[VariantSpec], errors: FieldErrors,
                      product_id: int | None) -> None:
    """Name each SKU another product of the store already uses."""
    skus = [s.sku for s in specs if s.sku]
    if not skus:
        return
    stmt = select(ProductVariant.sku).where(ProductVariant.store_id == store_id,
                                            ProductVariant.sku.in_(skus))
    if product_id is not None:
        stmt = stmt.where(ProductVariant.product_id != product_id)
    taken = set(db.session.scalars(stmt))
    for spec in specs:
        if spec.sku in taken:
            errors.add(f"variants.{spec.index}.sku",
                       _("SKU %(sku)s is already used by another product of this store.",
                         sku=spec.sku),
                       "duplicate_sku")

# Applying -------------------------------------------------------------------------------------
def apply_options(product: Product, options: list[tuple[str, list[str]]]) -> None:
    """Replace the product's options and values when they changed."""
    current = [(o.name, [v.value for v in o.values]) for o in product.options]
    if current == options:
        return
    product.options.clear()
    db.session.flush()  # the old rows go before new ones reuse their unique names
    for position, (name, values) in enumerate(options):
        product.options.append(ProductOption(
            name=name, position=position,
            values=[ProductOptionValue(value=v, position=i) for i, v in enumerate(values)]))


def apply_variant(product: Product, store: Store, spec: VariantSpec, position: int) -> None:
    """Create or update the variant a spec describes."""
    variant = spec.existing
    if variant is None:
        variant = ProductVariant(store_id=store.id, currency=store.base_currency)
        product.variants.append(variant)
    variant.sku = spec.sku
    variant.position = position
    variant.options = dict(spec.options)
    variant.is_active = spec.is_active
    if spec.price is not None:
        variant.price_minor = spec.price.minor
        variant.currency = spec.price.currency
    if spec.compare_at_given or spec.existing is None:
        variant.compare_at_minor = spec.compare_at.minor if spec.compare_at else None
    if spec.barcode_given or spec.existing is None:
        variant.barcode = spec.barcode
    if spec.weight_given or spec.existing is None:
        variant.weight_grams = spec.weight_grams
    if spec.fixed_prices is not None:
        wanted = {m.currency: m.minor for m in spec.fixed_prices}
        for price in list(variant.fixed_prices):
            if price.currency not in wanted:
                variant.fixed_prices.remove(price)
            else:
                price.price_minor = wanted.pop(price.currency)
        for currency, minor in wanted.items():
            variant.fixed_prices.append(VariantPrice(currency=currency, price_minor=minor))
