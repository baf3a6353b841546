"""The products a note tags, as its feed card shows them: the first one the viewer may see
(its title in their language, its first photo, its price in their currency by the product
card's "from" rule) and how many more the note tags.

A page of cards costs one statement here, whatever its size: the tags, their products and
stores come with the notes (app.services.social.note_loader_options), and this reads the
tagged products' active variants, their fixed prices in the viewer's currency and each
product's first photo at once. Rates are looked up once per base currency to convert, as
for the product cards (`product_offers`); stock is not read, since a card does not say it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import (
    Note,
    NoteProductTag,
    Product,
    ProductImage,
    ProductVariant,
    VariantPrice,
    shown_clause,
)
from app.money import Money
from app.services.catalog.reads import (
    ProductOffer,
    priced_variant,
    rates_to,
    ships_to_viewer,
    viewer_terms,
)


@dataclass(frozen=True)
class CardProduct:
    """A note card's product strip: the first tagged product the viewer may see."""

    # The tag the strip opens: the tap is counted and a purchase attributed to the note.
    tag: NoteProductTag
    title: str
    photo: ProductImage | None
    # The lowest price in the viewer's currency (None: no active variant).
    price: Money | None
    # The variants' prices differ, so the card says "From".
    price_is_from: bool
    # How many other products of the note the viewer may see ("+N").
    more: int


def card_products(notes: Sequence[Note], *, language: str | None, currency: str | None,
                  country: str | None, market: str | None, now: datetime | None = None
                  ) -> dict[int, CardProduct]:
    """Each note's product strip by note id; notes tagging nothing the viewer may see
    (products not active, held or removed, hidden in `market`, restricted in `country` or
    from a store that does not sell there) have none.
    """
    currency, country = viewer_terms(currency, country)
    tagged = {tag.product_id: tag.product for note in notes for tag in note.product_tags}
    if not tagged:
        return {}
    offers, photos = _priced(tagged, currency, country, market, now)
    strips: dict[int, CardProduct] = {}
    for note in notes:
        shown = [tag for tag in note.product_tags if tag.product_id in offers]
        if not shown:
            continue
        first = shown[0]
        offer = offers[first.product_id]
        strips[note.id] = CardProduct(
            tag=first, title=first.product.localized_title(language),
            photo=photos.get(first.product_id), price=offer.from_price,
            price_is_from=offer.price_varies,
            more=len({tag.product_id for tag in shown}) - 1)
    return strips


def _priced(products: dict[int, Product], currency: str | None, country: str | None,
            market: str | None, now: datetime | None
            ) -> tuple[dict[int, ProductOffer], dict[int, ProductImage]]:
    """The products the viewer may see, priced (one statement, plus the rate lookups), and
    their first photos.
    """
    photo = aliased(ProductImage)
    first_photo = (select(photo.id).where(photo.product_id == Product.id)
                   .order_by(photo.position, photo.id).limit(1)
                   .correlate(Product).scalar_subquery())
    rows = db.session.execute(
        select(Product.id, ProductVariant, VariantPrice, ProductImage)
        .outerjoin(ProductVariant, and_(ProductVariant.product_id == Product.id,
                                        ProductVariant.is_active.is_(True)))
        .outerjoin(VariantPrice, and_(VariantPrice.variant_id == ProductVariant.id,
                                      VariantPrice.currency == (currency or "")))
        .outerjoin(ProductImage, ProductImage.id == first_photo)
        # The storefront's rule (list_catalog): live, and not held, removed or hidden here.
        .where(Product.id.in_(list(products)), Product.status == "active",
               shown_clause(Product, market))
        .order_by(Product.id, ProductVariant.position, ProductVariant.id)).all()
    variants: dict[int, list[tuple[ProductVariant, VariantPrice | None]]] = {}
    photos: dict[int, ProductImage] = {}
    for product_id, variant, fixed, image in rows:
        entries = variants.setdefault(product_id, [])
        if variant is not None:
            entries.append((variant, fixed))
        if image is not None:
            photos[product_id] = image
    shown = {product_id: entries for product_id, entries in variants.items()
             if ships_to_viewer(products[product_id], country)}
    rates = rates_to(currency, {variant.currency for entries in shown.values()
                                for variant, fixed in entries if fixed is None}, now)
    offers = {product_id: ProductOffer(
        product=products[product_id], currency=currency, country=country, ships_to_country=True,
        variants=[priced_variant(variant, fixed, rates, ships=True, quantity=0)
                  for variant, fixed in entries])
        for product_id, entries in shown.items()}
    return offers, photos
