"""No oversell under real concurrency: threads with their own connections race on PostgreSQL.

These tests need committed data visible to every connection, so they do not use the
suite's rolled-back `_transaction`: they run against a database of their own
(`<name>_race_<worker>`), created and dropped here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    InventoryLevel,
    Membership,
    Organization,
    Product,
    ProductVariant,
    Reservation,
    Store,
    User,
    Warehouse,
    utcnow,
)
from app.services.inventory import check_ledger, expire_reservations
from app.services.inventory import reserve_stock as reserve
from tests.concurrency import POSTGRES_ONLY, race, race_application

pytestmark = POSTGRES_ONLY
THREADS = 50


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database; one connection per session (no pool)."""
    with race_application("race", tmp_path_factory.mktemp("race"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def seed_sku(app: Flask, sku: str, stock: list[int]) -> int:
    """A live variant with `stock[i]` units in warehouse i; returns the variant id."""
    with app.app_context():
        user = User(email=f"{sku.lower()}@example.test", password_hash="x", display_name=sku)
        org = Organization(kind="merchant", name=sku, slug=sku.lower())
        store = Store(organization=org, name=sku, slug=sku.lower(), base_currency="USD",
                      origin_country="US")
        db.session.add_all([user, org, Membership(organization=org, user=user, role="owner")])
        warehouses = [Warehouse(store=store, name=f"W{i}", country="US")
                      for i in range(len(stock))]
        product = Product(store=store, status="active", title=sku, hs_code="610910")
        db.session.add_all([*warehouses, product])
        db.session.flush()
        variant = ProductVariant(product=product, store_id=store.id, sku=sku, price_minor=100,
                                 currency="USD")
        db.session.add(variant)
        db.session.flush()
        from app.services.inventory import receive_stock

        for warehouse, units in zip(warehouses, stock, strict=True):
            receive_stock(user, store.id, variant.id, warehouse.id, units)
        commit()
        variant_id = variant.id
        db.session.remove()
    return variant_id


def test_fifty_buyers_race_for_the_last_five_units(race_app):
    variant_id = seed_sku(race_app, "LAST-FIVE", [3, 2])  # 5 units over two warehouses

    def buy(index: int) -> str:
        reserve(None, variant_id, 1, owner_type="checkout_quote", owner_id=index)
        return "reserved"

    outcomes = race(race_app, buy, THREADS)
    assert outcomes == Counter({"reserved": 5, "insufficient_stock": 45}), outcomes

    with race_app.app_context():
        levels = db.session.scalars(select(InventoryLevel).where(
            InventoryLevel.variant_id == variant_id)).all()
        assert sorted((lv.on_hand, lv.reserved) for lv in levels) == [(2, 2), (3, 3)]
        assert db.session.scalar(select(func.count(Reservation.id)).where(
            Reservation.state == "active")) == 5
        assert check_ledger() == []
        db.session.remove()


def test_racing_splits_never_oversell(race_app):
    variant_id = seed_sku(race_app, "SPLIT-TEN", [4, 3, 3])  # 10 units over three warehouses

    def buy_three(index: int) -> str:
        reserve(None, variant_id, 3, owner_type="checkout_quote", owner_id=index)
        return "reserved"

    outcomes = race(race_app, buy_three, threads=20)
    assert outcomes == Counter({"reserved": 3, "insufficient_stock": 17}), outcomes
    with race_app.app_context():
        reserved = db.session.scalar(select(func.sum(InventoryLevel.reserved)).where(
            InventoryLevel.variant_id == variant_id))
        assert reserved == 9
        assert check_ledger() == []
        db.session.remove()


def test_concurrent_expiry_releases_each_reservation_once(race_app):
    variant_id = seed_sku(race_app, "EXPIRING", [10])
    with race_app.app_context():
        past = utcnow() - timedelta(hours=1)
        for owner in range(5):
            reserve(None, variant_id, 2, owner_type="checkout_quote", owner_id=owner, now=past)
        commit()
        db.session.remove()

    outcomes = race(race_app, lambda _i: str(expire_reservations()), threads=10)
    assert sum(int(n) for n in outcomes.elements()) == 5, outcomes

    with race_app.app_context():
        level = db.session.scalar(select(InventoryLevel).where(
            InventoryLevel.variant_id == variant_id))
        assert (level.on_hand, level.reserved) == (10, 0)
        assert check_ledger() == []
        db.session.remove()
