"""Stores and stocked products made in the live server's database for the journeys."""

from __future__ import annotations

from app.extensions import db
from app.models import Membership, Organization, Store, User, Warehouse
from app.services import inventory
from app.services.catalog import products as catalog
from tests.checkout_factories import build_profile, default_zones


def open_store(owner: User, name: str, slug: str, currency: str, country: str) -> Store:
    """A merchant store owned by `owner`, one warehouse, shipping everywhere."""
    org = Organization(kind="merchant", name=name, slug=slug)
    db.session.add(org)
    db.session.add(Membership(organization=org, user=owner, role="owner"))
    store = Store(organization=org, name=name, slug=slug, base_currency=currency,
                  origin_country=country)
    db.session.add(store)
    db.session.flush()
    db.session.add(Warehouse(store_id=store.id, name="Main", city="Main city",
                             country=country))
    build_profile(store, default_zones(country))
    db.session.flush()
    return store


def stocked_product(owner: User, store: Store, *, title: str, sku: str, price: str,
                    hs_code: str, weight_grams: int, stock: int) -> int:
    """An active one-variant product with `stock` units received; its id."""
    product = catalog.create_product(owner, store.id, {
        "title": title, "hs_code": hs_code, "status": "active",
        "origin_country": store.origin_country, "weight_grams": weight_grams,
        "variants": [{"sku": sku, "price": price}]})
    db.session.flush()
    warehouse = db.session.query(Warehouse).filter_by(store_id=store.id).one()
    inventory.receive_stock(owner, store.id, product.variants[0].id, warehouse.id, stock,
                            reference=("test", "seed"))
    return product.id
