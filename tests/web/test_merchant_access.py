"""Who may open the merchant portal: every route, discovered from the URL map.

Anonymous visitors are sent to log in; staff of another store get 404 for the store and
for each of its products, images, variants and warehouses (also when they put those ids
under their own store), and nothing of the other store changes.
"""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    InventoryLevel,
    Product,
    ProductImage,
    ProductVariant,
    StockMovement,
    Store,
    Warehouse,
)
from app.services.catalog import products as catalog
from tests.catalog_factories import make_shop, png_bytes
from tests.conftest import csrf_from

METHODS = ("GET", "POST")
# Whatever a form might carry: requests must fail on access, never on input.
FORM_BODY = {"title": "Hijacked", "name": "Hijacked", "slug": "hijacked", "action": "archived",
             "product_ids": "1", "low_stock_threshold": "0", "mode": "set", "reason": "x",
             "country": "US", "to": "first", "adjust-quantity": "-1", "adjust-reason": "x",
             "transfer-quantity": "1", "rows-0-sku": "VICTIM-1", "rows-0-quantity": "0"}


ID_NAMES = {"store_id", "product_id", "variant_id", "warehouse_id", "image_id"}


def merchant_rules(app):
    """The portal's routes this world has ids for (orders, imports and zones test their own)."""
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("merchant.")
                   and r.arguments <= ID_NAMES), key=lambda r: r.rule)


@pytest.fixture
def world(make_org, make_user):
    victim = make_shop(make_org, make_user)
    product = victim.add_product(skus=("VICTIM-1", "VICTIM-2"), title="Victim Secret Product",
                                 stock={"VICTIM-1": {victim.us: 9}})
    catalog.add_product_image(victim.owner, victim.store.id, product.id, png_bytes())
    commit()
    attacker = make_shop(make_org, make_user)
    return {"victim": victim, "product": product, "attacker": attacker}


def ids_of(shop, product) -> dict[str, int]:
    return {"store_id": shop.store.id, "product_id": product.id,
            "variant_id": product.variants[0].id, "warehouse_id": shop.us.id,
            "image_id": product.images[0].id}


def snapshot(store_id: int):
    db.session.expire_all()
    store = db.session.get(Store, store_id)
    return (
        (store.name, store.slug, store.base_currency, store.logo_path),
        db.session.execute(select(Product.id, Product.title, Product.status,
                                  Product.low_stock_threshold)
                           .where(Product.store_id == store_id)).all(),
        db.session.execute(select(ProductVariant.id, ProductVariant.sku,
                                  ProductVariant.is_active)
                           .where(ProductVariant.store_id == store_id)).all(),
        db.session.execute(select(ProductImage.id, ProductImage.position)).all(),
        db.session.execute(select(Warehouse.id, Warehouse.name, Warehouse.is_active)
                           .where(Warehouse.store_id == store_id)).all(),
        db.session.execute(select(InventoryLevel.id, InventoryLevel.on_hand)).all(),
        db.session.scalars(select(StockMovement.id)).all(),
    )


def test_every_portal_route_is_discovered(app):
    endpoints = {r.endpoint for r in merchant_rules(app)}
    assert len(endpoints) >= 20
    assert {"merchant.products", "merchant.edit_product", "merchant.warehouse_stock",
            "merchant.transfer_sku", "merchant.settings"} <= endpoints


def test_anonymous_visitors_are_sent_to_log_in(app, client, world):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    victim = world["victim"]
    before = snapshot(victim.store.id)
    problems, checked = [], 0
    for rule in merchant_rules(app):
        with app.test_request_context():
            url = url_for(rule.endpoint, **{k: v for k, v in ids_of(victim, world["product"])
                                            .items() if k in rule.arguments})
        for method in sorted(set(METHODS) & rule.methods):
            data = {**FORM_BODY, "csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            checked += 1
            if response.status_code != 302 or \
                    not response.headers["Location"].startswith("/auth/login"):
                problems.append(f"{method} {url} -> {response.status_code}")
    assert checked >= 25
    assert not problems, "\n".join(problems)
    assert snapshot(victim.store.id) == before


@pytest.mark.parametrize("scope", ["their store", "own store with their ids"])
def test_staff_of_another_store_get_404(app, client, world, login, scope):
    victim, attacker = world["victim"], world["attacker"]
    login(attacker.staff)
    token = csrf_from(client.get(f"/merchant/stores/{attacker.store.id}/").get_data(
        as_text=True))
    values = ids_of(victim, world["product"])
    if scope != "their store":
        values["store_id"] = attacker.store.id
    before = snapshot(victim.store.id)
    problems, checked = [], 0
    for rule in merchant_rules(app):
        if "store_id" not in rule.arguments or (
                scope != "their store" and rule.arguments == {"store_id"}):
            continue  # a route of the attacker's own store with nothing of the victim's in it
        with app.test_request_context():
            url = url_for(rule.endpoint, **{k: v for k, v in values.items()
                                            if k in rule.arguments})
        for method in sorted(set(METHODS) & rule.methods):
            data = {**FORM_BODY, "csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            checked += 1
            body = response.get_data(as_text=True)
            if response.status_code != 404:
                problems.append(f"{method} {url} -> {response.status_code}")
            if "Victim Secret Product" in body or "VICTIM-1" in body:
                problems.append(f"{method} {url} shows the victim's product")
    assert checked >= (25 if scope == "their store" else 12)
    assert not problems, "\n".join(problems)
    assert snapshot(victim.store.id) == before


def test_own_staff_open_every_page(app, client, world, login):
    """The control: the same URLs work for the store's own staff."""
    victim = world["victim"]
    login(victim.staff)
    values = ids_of(victim, world["product"])
    for rule in merchant_rules(app):
        if "GET" not in rule.methods:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{k: v for k, v in values.items()
                                            if k in rule.arguments})
        response = client.get(url)
        assert response.status_code in (200, 302, 303), f"GET {url} -> {response.status_code}"
        if response.status_code == 200 and rule.endpoint != "merchant.index" \
                and response.mimetype == "text/html":
            assert victim.store.name in response.get_data(as_text=True)
