"""Storefront pages cost the same number of SQL statements however many products and
variants there are (2 vs 20 products, 1 vs 10 variants each)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import NoteProductTag
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.fx import conversion as fx
from tests.catalog_factories import make_shop, png_bytes
from tests.conftest import csrf_from
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


def add_products(shop, count: int, variants: int, prefix: str) -> list:
    """Products with `variants` sizes each, a fixed EUR price, stock and a photo."""
    made = []
    for n in range(count):
        sizes = [f"S{i}" for i in range(variants)]
        product = catalog.create_product(shop.owner, shop.store.id, {
            "title": f"{prefix} {n}", "hs_code": "610910", "status": "active",
            "category": "fashion",
            "variants": [{"sku": f"{prefix}-{n}-{size}", "price": "12.00",
                          "compare_at_price": "15.00", "options": {"Size": size},
                          "fixed_prices": [{"amount": "11.00", "currency": "EUR"}]}
                         for size in sizes]})
        db.session.flush()
        for variant in product.variants:
            inventory.receive_stock(shop.owner, shop.store.id, variant.id, shop.us.id, 4)
        catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes())
        made.append(product)
    db.session.commit()
    return made


def statements(client, url: str) -> int:
    with QueryCounter(cold=True) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries.count


@pytest.fixture
def converted(client, make_user):
    """The viewer sees JPY, converted from USD at a fresh rate (so rate lookups count too)."""
    fx.set_manual_rate(make_user(roles=("admin",)), "USD", "JPY", "150")
    db.session.commit()
    token = csrf_from(client.get("/shop").get_data(as_text=True))
    client.post("/preferences", data={"currency": "JPY", "ship_to_country": "JP",
                                      "csrf_token": token})


@pytest.mark.usefixtures("converted")
def test_store_and_browse_pages_do_not_grow_with_the_catalog(client, shop):
    add_products(shop, 2, 1, "FEW")
    pages = [f"/stores/{shop.store.slug}", f"/stores/{shop.store.slug}?category=fashion",
             f"/stores/{shop.store.slug}/more", "/shop", "/shop?q=few", "/shop/more"]
    few = {url: statements(client, url) for url in pages}
    add_products(shop, 18, 10, "MANY")
    many = {url: statements(client, url) for url in pages}
    assert few == many
    assert max(many.values()) <= 14


@pytest.mark.usefixtures("converted")
def test_product_page_does_not_grow_with_variants(client, shop, make_user, quick_note):
    (one,) = add_products(shop, 1, 1, "ONE")
    (ten,) = add_products(shop, 1, 10, "TEN")
    for product in (one, ten):  # both pages show the same number of tagging notes
        for n in range(2):
            note = quick_note(make_user(), f"Note {n} about {product.title}")
            db.session.add(NoteProductTag(note_id=note.id, product_id=product.id,
                                          image_position=0, x=50, y=50))
        catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes())
    db.session.commit()
    small = statements(client, f"/products/{one.id}")
    large = statements(client, f"/products/{ten.id}")
    assert small == large
    assert large <= 17  # product 6, stock 2, FX rate 2, notes 6 (+ BEGIN on SQLite)
