"""Catalog API: merchant product CRUD, public product reads and the public store catalog."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.fields import money_format_problem
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import PRODUCT_STATUSES, Product, ProductImage, ProductVariant
from app.money import Money
from app.providers.media import media_storage
from app.services.catalog import products as catalog
from app.services.catalog import reads as catalog_reads
from app.services.catalog.reads import ProductOffer
from app.services.errors import ValidationFailed
from app.services.fields import CATEGORIES, FieldErrors
from app.services.inventory import variant_levels
from app.services.pagination import Page
from app.services.permissions import require_store_staff
from app.web.cached_pages import public_page
from app.web.cursors import decode_cursor, encode_cursor
from app.web.viewer import current_preferences

MONEY = ref("Money")
NULLABLE_MONEY = {"oneOf": [MONEY, {"type": "null"}]}
COUNTRY = {"type": "string", "pattern": "^[A-Z]{2}$"}
OPTIONS_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["name", "values"],
    "properties": {"name": {"type": "string", "maxLength": 60},
                   "values": {"type": "array", "items": {"type": "string", "maxLength": 60}}},
}}
IMAGE_SCHEMA = schema("ProductImage", {
    "type": "object", "required": ["id", "position", "urls"],
    "properties": {
        "id": {"type": "integer"}, "position": {"type": "integer"},
        "alt_text": {"type": "string"}, "width": {"type": "integer"},
        "height": {"type": "integer"},
        "urls": {"type": "object", "description": "Rendition name (thumb, medium, large) -> "
                                                  "URL.",
                 "additionalProperties": {"type": "string"}},
    },
})
VARIANT_INPUT = schema("VariantInput", {
    "type": "object", "required": ["sku", "price"],
    "properties": {
        "id": {"type": "integer", "description": "On PATCH: the variant to update (else it "
                                                 "is matched by SKU, or created)."},
        "sku": {"type": "string", "maxLength": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$"},
        "barcode": {"type": ["string", "null"], "maxLength": 64},
        "price": {**MONEY, "description": "In the store's base currency."},
        "compare_at_price": NULLABLE_MONEY,
        "options": {"type": "object", "additionalProperties": {"type": "string"},
                    "examples": [{"Colour": "red", "Size": "M"}]},
        "weight_grams": {"type": ["integer", "null"], "minimum": 0},
        "is_active": {"type": "boolean"},
        "fixed_prices": {"type": "array", "items": MONEY,
                         "description": "Prices in other currencies, used instead of FX "
                                        "conversion. Replaces the variant's list when sent."},
    },
})
PRODUCT_FIELDS = {
    "title": {"type": "string", "maxLength": 200},
    "title_en": {"type": ["string", "null"], "maxLength": 200},
    "title_zh": {"type": ["string", "null"], "maxLength": 200},
    "description": {"type": "string"},
    "description_en": {"type": ["string", "null"]},
    "description_zh": {"type": ["string", "null"]},
    "category": {"type": ["string", "null"], "enum": [*CATEGORIES, None]},
    "brand_name": {"type": ["string", "null"], "maxLength": 120},
    "hs_code": {"type": ["string", "null"], "pattern": r"^[0-9. ]{6,13}$",
                "description": "Harmonized System code, 6 to 10 digits (required to go live)."},
    "origin_country": {**COUNTRY, "type": ["string", "null"]},
    "weight_grams": {"type": ["integer", "null"], "minimum": 0},
    "length_mm": {"type": ["integer", "null"], "minimum": 0},
    "width_mm": {"type": ["integer", "null"], "minimum": 0},
    "height_mm": {"type": ["integer", "null"], "minimum": 0},
    "restricted_countries": {"type": "array", "items": COUNTRY},
    "low_stock_threshold": {"type": "integer", "minimum": 0},
    "status": {"type": "string", "enum": list(PRODUCT_STATUSES)},
    "options": {**OPTIONS_SCHEMA, "description": "Optional: derived from the variants' "
                                                 "options when left out."},
}
CREATE_PRODUCT = schema("CreateProductRequest", {
    "type": "object", "required": ["title", "variants"], "additionalProperties": False,
    "properties": {**PRODUCT_FIELDS, "variants": {"type": "array", "minItems": 1,
                                                  "items": VARIANT_INPUT}},
})
UPDATE_PRODUCT = schema("UpdateProductRequest", {
    "type": "object", "additionalProperties": False,
    "description": "Only the fields sent change. `variants`, when sent, is the full list: "
                   "variants left out are deactivated (never deleted).",
    "properties": {**PRODUCT_FIELDS, "variants": {"type": "array", "minItems": 1,
                                                  "items": VARIANT_INPUT}},
})
LEVEL_SCHEMA = {
    "type": "object", "required": ["warehouse_id", "on_hand", "reserved", "available"],
    "properties": {"warehouse_id": {"type": "integer"}, "warehouse_name": {"type": "string"},
                   "on_hand": {"type": "integer"}, "reserved": {"type": "integer"},
                   "available": {"type": "integer"}},
}
VARIANT_SCHEMA = schema("Variant", {
    "type": "object", "required": ["id", "sku", "price", "options", "is_active"],
    "properties": {
        "id": {"type": "integer"}, "sku": {"type": "string"},
        "barcode": {"type": ["string", "null"]}, "price": MONEY,
        "compare_at_price": NULLABLE_MONEY,
        "options": {"type": "object", "additionalProperties": {"type": "string"}},
        "weight_grams": {"type": ["integer", "null"]}, "is_active": {"type": "boolean"},
        "fixed_prices": {"type": "array", "items": MONEY},
        "inventory": {"type": "array", "items": LEVEL_SCHEMA},
        "available": {"type": "integer", "description": "on_hand - reserved, all warehouses."},
    },
})
PRODUCT_SCHEMA = schema("Product", {
    "type": "object", "required": ["id", "store_id", "status", "title", "variants"],
    "properties": {
        "id": {"type": "integer"}, "store_id": {"type": "integer"},
        **PRODUCT_FIELDS, "options": OPTIONS_SCHEMA,
        "images": {"type": "array", "items": IMAGE_SCHEMA},
        "variants": {"type": "array", "items": VARIANT_SCHEMA},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
})
PUBLIC_VARIANT = schema("PublicVariant", {
    "type": "object", "required": ["id", "sku", "options", "price", "available"],
    "properties": {
        "id": {"type": "integer"}, "sku": {"type": "string"},
        "options": {"type": "object", "additionalProperties": {"type": "string"}},
        "price": {**MONEY, "description": "In the requested currency: the merchant's fixed "
                                          "price when set, else the base price converted at "
                                          "the newest rate (fee included). Without a usable "
                                          "rate, the base-currency price."},
        "price_is_fixed": {"type": "boolean"},
        "price_is_converted": {"type": "boolean",
                               "description": "The price was converted with an FX rate."},
        "compare_at_price": NULLABLE_MONEY,
        "weight_grams": {"type": ["integer", "null"]},
        "available": {"type": "boolean", "description": "In stock, and the product may ship "
                                                        "to the requested country."},
    },
})
STORE_SUMMARY = {
    "type": "object", "required": ["id", "name", "slug"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                   "slug": {"type": "string"}, "origin_country": COUNTRY,
                   "base_currency": {"type": "string"},
                   "sells_to": {"type": "array", "items": COUNTRY,
                                "description": "Empty: worldwide."},
                   "return_policy": {"type": "string"},
                   "return_window_days": {"type": "integer", "description":
                                          "Days after delivery returns are accepted; 0: none."}},
}
PUBLIC_PRODUCT = schema("PublicProduct", {
    "type": "object", "required": ["id", "store", "title", "variants", "available"],
    "properties": {
        "id": {"type": "integer"}, "store": STORE_SUMMARY,
        "title": {"type": "string"}, "title_en": {"type": ["string", "null"]},
        "title_zh": {"type": ["string", "null"]}, "description": {"type": "string"},
        "description_en": {"type": ["string", "null"]},
        "description_zh": {"type": ["string", "null"]},
        "category": {"type": ["string", "null"]}, "brand_name": {"type": ["string", "null"]},
        "origin_country": {"type": ["string", "null"]},
        "weight_grams": {"type": ["integer", "null"]},
        "restricted_countries": {"type": "array", "items": COUNTRY},
        "options": OPTIONS_SCHEMA, "images": {"type": "array", "items": IMAGE_SCHEMA},
        "currency": {"type": ["string", "null"], "description": "The requested currency."},
        "country": {"type": ["string", "null"], "description": "The requested ship-to."},
        "ships_to_country": {"type": "boolean"},
        "available": {"type": "boolean"},
        "variants": {"type": "array", "items": PUBLIC_VARIANT},
    },
})
CATALOG_ITEM = schema("CatalogItem", {
    "type": "object", "required": ["id", "title", "from_price", "available"],
    "properties": {
        "id": {"type": "integer"}, "store_id": {"type": "integer"},
        "title": {"type": "string"}, "title_en": {"type": ["string", "null"]},
        "title_zh": {"type": ["string", "null"]}, "category": {"type": ["string", "null"]},
        "brand_name": {"type": ["string", "null"]},
        "from_price": NULLABLE_MONEY, "available": {"type": "boolean"},
        "image": {"oneOf": [IMAGE_SCHEMA, {"type": "null"}]},
    },
})
VIEWER_PARAMS = [
    {"name": "currency", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "ISO 4217 display currency."},
    {"name": "country", "in": "query", "required": False, "schema": COUNTRY,
     "description": "Ship-to country for availability (left out: stock only)."},
]
LIST_FILTERS = [
    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Text in the title (any language), brand or SKU."},
    {"name": "category", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(CATEGORIES)}},
]


# Rendering --------------------------------------------------------------------------------
def _money(minor: int | None, currency: str) -> dict[str, str] | None:
    return Money(minor, currency).to_api() if minor is not None else None


def image_json(image: ProductImage) -> dict[str, Any]:
    """An image with a URL per rendition."""
    storage = media_storage()
    return {"id": image.id, "position": image.position, "alt_text": image.alt_text,
            "width": image.width, "height": image.height,
            "urls": {name: storage.url(key) for name, key in image.keys.items()}}


def _options_json(product: Product) -> list[dict[str, Any]]:
    return [{"name": o.name, "values": [v.value for v in o.values]} for o in product.options]


def _product_fields(product: Product) -> dict[str, Any]:
    return {
        "title": product.title, "title_en": product.title_en, "title_zh": product.title_zh,
        "description": product.description, "description_en": product.description_en,
        "description_zh": product.description_zh, "category": product.category,
        "brand_name": product.brand_name, "origin_country": product.origin_country,
        "weight_grams": product.weight_grams,
        "restricted_countries": list(product.restricted_countries or []),
    }


def _variant_json(variant: ProductVariant, levels: list) -> dict[str, Any]:
    return {
        "id": variant.id, "sku": variant.sku, "barcode": variant.barcode,
        "price": _money(variant.price_minor, variant.currency),
        "compare_at_price": _money(variant.compare_at_minor, variant.currency),
        "options": dict(variant.options), "weight_grams": variant.weight_grams,
        "is_active": variant.is_active,
        "fixed_prices": [_money(p.price_minor, p.currency) for p in variant.fixed_prices],
        "inventory": [{"warehouse_id": lv.warehouse_id, "warehouse_name": lv.warehouse.name,
                       "on_hand": lv.on_hand, "reserved": lv.reserved,
                       "available": lv.on_hand - lv.reserved} for lv in levels],
        "available": sum(lv.on_hand - lv.reserved for lv in levels if lv.warehouse.is_active),
    }


def product_json(product: Product, levels: dict[int, list] | None = None) -> dict[str, Any]:
    """A product as its merchant sees it: every field, variants with stock per warehouse.

    `levels` (variant id -> levels) saves a query per product when rendering a page.
    """
    if levels is None:
        levels = variant_levels([v.id for v in product.variants])
    return {
        "id": product.id, "store_id": product.store_id, "status": product.status,
        **_product_fields(product),
        "hs_code": product.hs_code, "length_mm": product.length_mm,
        "width_mm": product.width_mm, "height_mm": product.height_mm,
        "low_stock_threshold": product.low_stock_threshold,
        "options": _options_json(product),
        "images": [image_json(i) for i in product.images],
        "variants": [_variant_json(v, levels[v.id]) for v in product.variants],
        "created_at": timestamp(product.created_at),
        "updated_at": timestamp(product.updated_at),
    }


def public_product_json(offer: ProductOffer) -> dict[str, Any]:
    """A product as a shopper sees it for their currency and ship-to country."""
    product, store = offer.product, offer.product.store
    return {
        "id": product.id,
        "store": {"id": store.id, "name": store.name, "slug": store.slug,
                  "origin_country": store.origin_country, "base_currency": store.base_currency,
                  "sells_to": list(store.sells_to or []), "return_policy": store.return_policy,
                  "return_window_days": store.return_window_days},
        **_product_fields(product),
        "options": _options_json(product),
        "images": [image_json(i) for i in product.images],
        "currency": offer.currency, "country": offer.country,
        "ships_to_country": offer.ships_to_country, "available": offer.available,
        "variants": [{
            "id": v.variant.id, "sku": v.variant.sku, "options": dict(v.variant.options),
            "price": v.price.to_api(), "price_is_fixed": v.price_is_fixed,
            "price_is_converted": v.rate is not None,
            "compare_at_price": v.compare_at.to_api() if v.compare_at else None,
            "weight_grams": v.variant.effective_weight_grams, "available": v.available,
        } for v in offer.variants],
    }


def catalog_item_json(offer: ProductOffer) -> dict[str, Any]:
    """A product card for lists."""
    product = offer.product
    from_price = offer.from_price
    return {"id": product.id, "store_id": product.store_id, "title": product.title,
            "title_en": product.title_en, "title_zh": product.title_zh,
            "category": product.category, "brand_name": product.brand_name,
            "from_price": from_price.to_api() if from_price else None,
            "available": offer.available,
            "image": image_json(product.images[0]) if product.images else None}


def page_json(page: Page, render) -> dict[str, Any]:
    """The API list envelope of a service Page."""
    return {"items": [render(item) for item in page.items],
            "next_cursor": encode_cursor(page.next_after) if page.next_after else None}


VARIANT_KEYS = frozenset((
    "id", "sku", "barcode", "price", "compare_at_price", "options", "weight_grams",
    "is_active", "fixed_prices"))
PRODUCT_KEYS = frozenset({*PRODUCT_FIELDS, "variants"})


def _known_fields_only(body: dict[str, Any]) -> dict[str, Any]:
    """Refuse fields the API does not know (a typo would otherwise be silently ignored)."""
    fields: dict[str, list[str]] = {}
    for name in sorted(set(body) - PRODUCT_KEYS):
        fields[name] = ["Unknown field."]
    variants = body.get("variants")
    if isinstance(variants, list):
        for index, variant in enumerate(variants):
            if isinstance(variant, dict):
                for name in sorted(set(variant) - VARIANT_KEYS):
                    fields[f"variants.{index}.{name}"] = ["Unknown field."]
    if fields:
        raise ValidationFailed("The body has fields this endpoint does not know.",
                               code="unknown_field", fields=fields)
    _exact_prices(body)
    return body


def _exact_prices(body: dict[str, Any]) -> None:
    """The API's Money rule on every price: exactly the currency's decimals, as a string.

    The catalog service also reads forms and CSV files, where "20" is a fine price, so the
    API's stricter reading is applied here, before the service sees the body.
    """
    errors = FieldErrors()
    variants = body.get("variants")
    for index, variant in enumerate(variants if isinstance(variants, list) else []):
        if not isinstance(variant, dict):
            continue
        path = f"variants.{index}"
        fixed = variant.get("fixed_prices")
        prices = {f"{path}.price": variant.get("price"),
                  f"{path}.compare_at_price": variant.get("compare_at_price"),
                  **{f"{path}.fixed_prices.{position}": price for position, price
                     in enumerate(fixed if isinstance(fixed, list) else [])}}
        for field, price in prices.items():
            problem = money_format_problem(price)
            if problem:
                errors.add(field, problem, "invalid_amount")
    errors.raise_if_any()


def _flag(name: str) -> bool:
    raw = request.args.get(name, "").lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ValidationFailed(f"{name} must be true or false.",
                           fields={name: ["Use true or false."]})


# Merchant endpoints -----------------------------------------------------------------------
@bp.post("/stores/<int:store_id>/products")
@operation(summary="Create a product with variants", tags=["catalog"], idempotent=True,
           request=CREATE_PRODUCT,
           responses={201: PRODUCT_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
@idempotent()
def create_product(store_id: int):
    """Merchant staff add a product; variants are built from their options. Draft by default.

    Errors name each bad field, e.g. `variants.1.sku` (`duplicate_sku`), `hs_code`
    (`invalid_hs_code`), `variants.0.price` (`negative_amount`, `unknown_currency`).
    """
    require_store_staff(api_user(), store_id)  # another store answers 404 before any parsing
    product = catalog.create_product(api_user(), store_id, _known_fields_only(json_body()))
    body = product_json(product)
    commit()
    return body, 201


@bp.get("/stores/<int:store_id>/products")
@operation(summary="List the store's products", tags=["catalog"],
           params=[*PAGE_PARAMS, *LIST_FILTERS,
                   {"name": "status", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": list(PRODUCT_STATUSES)}},
                   {"name": "low_stock", "in": "query", "required": False,
                    "schema": {"type": "boolean"},
                    "description": "Only products with a variant at or below its "
                                   "low-stock threshold."}],
           responses={200: list_of(PRODUCT_SCHEMA), 400: None, 401: None, 403: None,
                      404: None, 422: None})
@token_required("read")
def list_products(store_id: int):
    """Newest first; filter by status, text, category or low stock."""
    status = request.args.get("status") or None
    if status is not None and status not in PRODUCT_STATUSES:
        raise ValidationFailed("Unknown status.", fields={
            "status": [f"Choose one of: {', '.join(PRODUCT_STATUSES)}."]})
    page = catalog_reads.list_products(
        api_user(), store_id, status=status, text=request.args.get("q"),
        category=request.args.get("category") or None, low_stock=_flag("low_stock"),
        after=decode_cursor(1), limit=page_limit())
    levels = variant_levels([v.id for p in page.items for v in p.variants])
    body = page_json(page, lambda product: product_json(product, levels))
    commit()
    return body


@bp.get("/stores/<int:store_id>/products/<int:product_id>")
@operation(summary="One of the store's products", tags=["catalog"],
           responses={200: PRODUCT_SCHEMA, 401: None, 403: None, 404: None})
@token_required("read")
def get_product(store_id: int, product_id: int):
    """Every field, with stock per warehouse for each variant."""
    body = product_json(catalog.get_product(api_user(), store_id, product_id))
    commit()
    return body


@bp.patch("/stores/<int:store_id>/products/<int:product_id>")
@operation(summary="Change a product", tags=["catalog"], request=UPDATE_PRODUCT,
           responses={200: PRODUCT_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
def update_product(store_id: int, product_id: int):
    """Only the fields sent change; `variants` is the full list when sent."""
    require_store_staff(api_user(), store_id)  # another store answers 404 before any parsing
    product = catalog.update_product(api_user(), store_id, product_id,
                                     _known_fields_only(json_body()))
    body = product_json(product)
    commit()
    return body


# Public endpoints -------------------------------------------------------------------------
@bp.get("/products/<int:product_id>")
@operation(summary="A product for shoppers", tags=["catalog"], auth=False,
           params=VIEWER_PARAMS, responses={200: PUBLIC_PRODUCT, 404: None, 422: None})
@public_page
def get_public_product(product_id: int):
    """An active product; each variant's `price` in `currency` and `available` for `country`.

    `price` is the merchant's fixed price in `currency` when one is set; otherwise the
    base-currency price converted at the newest exchange rate (plus the conversion fee).
    When no fresh rate prices the pair, it stays in the store's currency (its `currency`
    then differs from the one asked for). `available` is false when the product is
    restricted in `country`, the store does not sell there, or no warehouse has it.
    """
    offer = catalog_reads.product_offer(
        catalog_reads.get_public_product(
            product_id, market=request.args.get("country") or current_preferences()
            .ship_to_country),
        currency=request.args.get("currency"), country=request.args.get("country"))
    body = public_product_json(offer)
    commit()  # lazy release of expired reservations
    return body


@bp.get("/stores/<int:store_id>/catalog")
@operation(summary="A store's products for shoppers", tags=["catalog"], auth=False,
           params=[*PAGE_PARAMS, *LIST_FILTERS, *VIEWER_PARAMS],
           responses={200: list_of(CATALOG_ITEM), 400: None, 404: None, 422: None})
def store_catalog(store_id: int):
    """Active products of one store, newest first, with cursor pagination."""
    store = catalog_reads.get_public_store(store_id)
    page = catalog_reads.list_catalog(store_id=store.id, text=request.args.get("q"),
                                      category=request.args.get("category") or None,
                                      after=decode_cursor(1), limit=page_limit(),
                                      market=request.args.get("country")
                                      or current_preferences().ship_to_country)
    offers = {o.product.id: o for o in catalog_reads.product_offers(
        page.items, currency=request.args.get("currency"),
        country=request.args.get("country"))}
    body = page_json(page, lambda p: catalog_item_json(offers[p.id]))
    commit()
    return body
