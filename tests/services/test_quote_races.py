"""Quotes racing for the last units on PostgreSQL: no oversell, no deadlock, ledger intact.

The quote holds every line with one batched conditional UPDATE (app.services.checkout.quotes),
so this checks that path under real concurrency, as test_inventory_concurrency.py does
for single reservations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    Cart,
    CartItem,
    InventoryLevel,
    Membership,
    Organization,
    Product,
    ProductVariant,
    Quote,
    Store,
    User,
    Warehouse,
)
from app.services.checkout import quotes
from app.services.inventory import check_ledger, receive_stock
from tests.checkout_factories import address_for, build_profile, default_zones
from tests.concurrency import POSTGRES_ONLY, race, race_application

pytestmark = POSTGRES_ONLY
SHOPPERS = 20


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    with race_application("quote_race", tmp_path_factory.mktemp("quote_race"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def seed(app: Flask, stock: dict[str, list[int]]) -> tuple[dict[str, int], list[int]]:
    """A US store whose SKUs have `stock[sku][i]` units in warehouse i, and SHOPPERS
    shoppers whose carts hold one of each SKU (half of them in the reverse order)."""
    with app.app_context():
        owner = User(email="owner@race.test", password_hash="x", display_name="Owner")
        org = Organization(kind="merchant", name="Race", slug="race")
        store = Store(organization=org, name="Race", slug="race", base_currency="USD",
                      origin_country="US")
        warehouses = [Warehouse(store=store, name=f"W{i}", country="US") for i in range(2)]
        product = Product(store=store, status="active", title="Tea", hs_code="090210",
                          weight_grams=100)
        db.session.add_all([owner, org, Membership(organization=org, user=owner, role="owner"),
                            *warehouses, product])
        db.session.flush()
        build_profile(store, default_zones("US"))
        variants = {}
        for sku, units in stock.items():
            variant = ProductVariant(product=product, store_id=store.id, sku=sku,
                                     price_minor=1000, currency="USD")
            db.session.add(variant)
            db.session.flush()
            for warehouse, count in zip(warehouses, units, strict=False):
                receive_stock(owner, store.id, variant.id, warehouse.id, count)
            variants[sku] = variant.id
        shopper_ids = []
        for n in range(SHOPPERS):
            shopper = User(email=f"s{n}@race.test", password_hash="x", display_name=f"S{n}")
            db.session.add(shopper)
            db.session.flush()
            ids = list(variants.values())
            cart = Cart(user_id=shopper.id, items=[
                CartItem(variant_id=v, quantity=1) for v in (ids if n % 2 else ids[::-1])])
            db.session.add(cart)
            shopper_ids.append(shopper.id)
        commit()
        db.session.remove()
    return variants, shopper_ids


def test_twenty_quotes_race_for_five_units(race_app):
    variants, shoppers = seed(race_app, {"RARE": [5], "COMMON": [12, 12]})

    def quote(index: int) -> str:
        quotes.create_quote(db.session.get(User, shoppers[index]), "USD", address_for("US"))
        return "quoted"

    outcomes = race(race_app, quote, SHOPPERS)
    assert outcomes == Counter({"quoted": 5, "insufficient_stock": 15}), outcomes
    with race_app.app_context():
        reserved = dict(db.session.execute(
            select(InventoryLevel.variant_id, func.sum(InventoryLevel.reserved))
            .group_by(InventoryLevel.variant_id)).all())
        assert reserved == {variants["RARE"]: 5, variants["COMMON"]: 5}
        assert db.session.scalar(select(func.count(Quote.id))) == 5
        assert check_ledger() == []
        db.session.remove()
