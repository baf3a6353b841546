"""Catalog: stores and warehouses, products, variants, prices, images, reads and CSV."""

from app.services.catalog.csv_format import decode_upload
from app.services.catalog.reads import (
    ProductOffer,
    VariantOffer,
    cover_images,
    ensure_ships_to,
    product_offers,
)
from app.services.catalog.tagged import CardProduct, card_products

__all__ = [
    "CardProduct",
    "ProductOffer",
    "VariantOffer",
    "card_products",
    "cover_images",
    "decode_upload",
    "ensure_ships_to",
    "product_offers",
]
