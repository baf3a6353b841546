"""How offers read on storefront pages: stock states, category labels, picker data.

Prices are formatted here, in the viewer's UI language, so the variant picker's script
only swaps text and never needs to know about currencies or locales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.catalog.reads import ProductOffer, VariantOffer
from app.services.regions import country_names

# The storefront's names of app.services.fields.CATEGORIES (same slugs; a test
# checks that every category has a label here).
CATEGORY_LABELS = {
    "tea_coffee": _l("Tea & coffee"),
    "food_snacks": _l("Food & snacks"),
    "beauty": _l("Beauty & skincare"),
    "fashion": _l("Fashion & accessories"),
    "home": _l("Home & kitchen"),
    "health": _l("Health"),
    "baby_kids": _l("Baby & kids"),
    "electronics": _l("Electronics"),
    "sports_outdoors": _l("Sports & outdoors"),
    "books_stationery": _l("Books & stationery"),
    "other": _l("Other"),
}


@dataclass(frozen=True)
class StockState:
    """A variant's availability for the viewer: a machine state and the sentence shown."""

    state: str  # "in_stock", "low_stock", "out_of_stock" or "no_shipping"
    text: str


def category_label(slug: str | None) -> str:
    """The translated name of a category slug (the slug itself if unknown)."""
    return str(CATEGORY_LABELS.get(slug, slug or ""))


def country_name(code: str | None, locale: str) -> str:
    """A country's name in the UI language (the code if unknown)."""
    if not code:
        return ""
    return country_names("zh" if locale.startswith("zh") else "en").get(code, code)


def country_list(codes: list[str], locale: str) -> list[str]:
    """Country names in the UI language, sorted as that language sorts them."""
    return sorted(country_name(code, locale) for code in codes)


def stock_state(offer: ProductOffer, variant: VariantOffer, locale: str) -> StockState:
    """In stock, only a few left, out of stock, or not shipped to the viewer's country."""
    if not offer.ships_to_country:
        return StockState("no_shipping", _("Does not ship to %(country)s",
                                           country=country_name(offer.country, locale)))
    quantity = variant.available_quantity
    if quantity <= 0:
        return StockState("out_of_stock", _("Out of stock"))
    if quantity <= offer.product.low_stock_threshold:
        return StockState("low_stock", _("Only %(num)d left", num=quantity))
    return StockState("in_stock", _("In stock"))


def product_stock_state(offer: ProductOffer, locale: str) -> StockState:
    """The best state among the variants, for product cards."""
    if not offer.variants:
        return StockState("out_of_stock", _("Out of stock"))
    order = ("in_stock", "low_stock", "out_of_stock", "no_shipping")
    return min((stock_state(offer, v, locale) for v in offer.variants),
               key=lambda s: order.index(s.state))


def has_discount(variant: VariantOffer) -> bool:
    """Whether a higher compare-at price should be shown struck through."""
    return variant.compare_at is not None and variant.compare_at > variant.price


def picker_data(offer: ProductOffer, locale: str) -> list[dict[str, Any]]:
    """The variants as the picker script reads them (options, formatted price, state)."""
    rows = []
    for variant in offer.variants:
        state = stock_state(offer, variant, locale)
        rows.append({
            "id": variant.variant.id,
            "sku": variant.variant.sku,
            "options": dict(variant.variant.options),
            "price": variant.price.format(locale),
            "compare_at": variant.compare_at.format(locale) if has_discount(variant) else None,
            "state": state.state,
            "state_text": state.text,
            "available": variant.available,
        })
    return rows


def select_variant(offer: ProductOffer, wanted: int | None) -> VariantOffer | None:
    """The variant named in the URL, else the first one the viewer can buy, else the first."""
    if not offer.variants:
        return None
    chosen = next((v for v in offer.variants if v.variant.id == wanted), None)
    return chosen or next((v for v in offer.variants if v.available), offer.variants[0])
