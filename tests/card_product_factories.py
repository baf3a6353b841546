"""Tagged products for feed cards: a US store's products with photos, tagged on notes."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Note, NoteProductTag, Product
from app.services.catalog import products as catalog
from tests.catalog_factories import png_bytes


def tagged_product(shop, title: str, prices: list[str], *, title_zh: str | None = None,
                   fixed_jpy: str | None = None, photo: bool = True) -> Product:
    """An active product of `shop` with one variant per price (USD), optionally a fixed JPY
    price on every variant, and a photo.
    """
    sku = re.sub("[^A-Za-z0-9]", "", title)[:20]
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": title, "hs_code": "610910", "status": "active",
        "variants": [{"sku": f"{sku}-{n}", "price": price, "options": {"Size": f"S{n}"},
                      "fixed_prices": [{"amount": fixed_jpy, "currency": "JPY"}]
                      if fixed_jpy else []}
                     for n, price in enumerate(prices)]})
    product.title_zh = title_zh
    db.session.flush()
    if photo:
        catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes())
    return product


def tag(note: Note, *products: Product) -> None:
    """Pin `products` on the note's first image, in this order."""
    for n, product in enumerate(products):
        db.session.add(NoteProductTag(note_id=note.id, image_position=0, x=10.0 + n,
                                      y=20.0, product_id=product.id))
    db.session.flush()
