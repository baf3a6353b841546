"""Inventory API: warehouses, the bulk endpoint (all or nothing, Idempotency-Key), stock lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import InventoryLevel, StockMovement
from app.services.inventory import check_ledger
from tests.catalog_factories import count, make_shop


@pytest.fixture
def shop(make_org, make_user):
    """A USD store in the US with warehouses in the US and China."""
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    """A second, unrelated store (CNY, China) whose staff must never see `shop`'s data."""
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def error_of(response) -> dict:
    return response.get_json()["error"]


@pytest.fixture
def headers(shop, api_token):
    return api_token(shop.staff)


def on_hand(shop, sku) -> dict[str, int]:
    from app.models import ProductVariant

    variant = db.session.scalar(select(ProductVariant).where(
        ProductVariant.store_id == shop.store.id, ProductVariant.sku == sku))
    rows = db.session.scalars(select(InventoryLevel).where(
        InventoryLevel.variant_id == variant.id)
        .execution_options(populate_existing=True))
    return {row.warehouse.name: row.on_hand for row in rows}


def test_list_warehouses(client, shop, headers):
    response = client.get(f"/api/v1/stores/{shop.store.id}/warehouses", headers=headers)
    assert response.status_code == 200
    items = response.get_json()
    assert [(w["id"], w["name"], w["country"]) for w in items] == [
        (shop.us.id, "Brooklyn", "US"), (shop.cn.id, "Shenzhen", "CN")]


def test_create_warehouse_needs_the_admin_role(client, shop, headers, api_token):
    url = f"/api/v1/stores/{shop.store.id}/warehouses"
    body = {"name": "Los Angeles", "city": "Los Angeles", "country": "us"}
    assert client.post(url, json=body, headers=headers).status_code == 403
    response = client.post(url, json=body, headers=api_token(shop.owner))
    assert response.status_code == 201
    assert response.get_json()["country"] == "US"


def bulk(client, shop, headers, body, key="key-1"):
    return client.post(f"/api/v1/stores/{shop.store.id}/inventory", json=body,
                       headers={**headers, "Idempotency-Key": key})


def test_bulk_needs_an_idempotency_key(client, shop, headers):
    shop.add_product(skus=("A-1",))
    response = client.post(f"/api/v1/stores/{shop.store.id}/inventory", headers=headers,
                           json={"mode": "set", "items": [
                               {"sku": "A-1", "warehouse_id": shop.us.id, "quantity": 5}]})
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_required"
    assert count(StockMovement) == 0


def test_bulk_set_then_adjust(client, shop, headers):
    shop.add_product(skus=("A-1", "A-2"))
    response = bulk(client, shop, headers, {"mode": "set", "items": [
        {"sku": "A-1", "warehouse_id": shop.us.id, "quantity": 12},
        {"sku": "A-2", "warehouse_id": shop.cn.id, "quantity": 4}]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"mode": "set", "items": [
        {"sku": "A-1", "warehouse_id": shop.us.id, "on_hand": 12, "reserved": 0,
         "available": 12},
        {"sku": "A-2", "warehouse_id": shop.cn.id, "on_hand": 4, "reserved": 0,
         "available": 4}]}
    response = bulk(client, shop, headers, {"mode": "adjust", "reason": "Cycle count", "items": [
        {"sku": "A-1", "warehouse_id": shop.us.id, "quantity": -2}]}, key="key-2")
    assert response.status_code == 200
    assert on_hand(shop, "A-1") == {"Brooklyn": 10}
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())).first()
    assert (movement.reference_type, movement.reference_id) == ("bulk_inventory", "key-2")
    assert movement.actor_id == shop.staff.id and movement.reason == "Cycle count"
    assert check_ledger() == []


def test_bulk_replay_returns_the_first_response_without_applying_twice(client, shop, headers):
    shop.add_product(skus=("A-1",))
    body = {"mode": "adjust", "items": [{"sku": "A-1", "warehouse_id": shop.us.id,
                                         "quantity": 5}]}
    first = bulk(client, shop, headers, body)
    again = bulk(client, shop, headers, body)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert on_hand(shop, "A-1") == {"Brooklyn": 5}

    changed = bulk(client, shop, headers, {**body, "mode": "set"})
    assert changed.status_code == 409
    assert error_of(changed)["code"] == "idempotency_key_reused"
    assert on_hand(shop, "A-1") == {"Brooklyn": 5}


def test_bulk_is_all_or_nothing_and_names_each_bad_item(client, shop, other_shop, headers):
    shop.add_product(skus=("A-1", "A-2"), stock={"A-2": {shop.us: 3}})
    other_shop.add_product(skus=("THEIRS-1",))
    body = {"mode": "adjust", "items": [
        {"sku": "A-1", "warehouse_id": shop.us.id, "quantity": 10},          # fine
        {"sku": "THEIRS-1", "warehouse_id": shop.us.id, "quantity": 1},      # another store's
        {"sku": "A-1", "warehouse_id": other_shop.us.id, "quantity": 1},     # another store's
        {"sku": "A-2", "warehouse_id": shop.us.id, "quantity": -4},          # 3 - 4 < 0
        {"sku": "A-2", "warehouse_id": shop.cn.id, "quantity": "lots"},      # not a number
    ]}
    response = bulk(client, shop, headers, body)
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"items.1.sku", "items.2.warehouse_id", "items.3.quantity",
                           "items.4.quantity"}
    assert on_hand(shop, "A-1") == {} and on_hand(shop, "A-2") == {"Brooklyn": 3}

    # A failed attempt is not remembered: the same key works once the body is fixed.
    fixed = {"mode": "adjust", "items": [body["items"][0]]}
    response = bulk(client, shop, headers, fixed)
    assert response.status_code == 200
    assert on_hand(shop, "A-1") == {"Brooklyn": 10}
    assert check_ledger() == []


@pytest.mark.parametrize("body", [
    {"mode": "set"},
    {"mode": "set", "items": []},
    {"mode": "sum", "items": [{"sku": "A-1", "warehouse_id": 1, "quantity": 1}]},
    {"mode": "set", "items": "A-1"},
    {"mode": "set", "items": [{"sku": "A-1", "warehouse_id": 1, "quantity": 1}], "reason": 5},
])
def test_bulk_rejects_malformed_bodies(client, shop, headers, body):
    shop.add_product(skus=("A-1",))
    response = bulk(client, shop, headers, body)
    assert response.status_code == 422
    assert count(StockMovement) == 0


def test_inventory_list_for_a_warehouse(client, shop, headers):
    shop.add_product(skus=("A-1", "A-2"), stock={"A-2": {shop.cn: 7}})
    url = f"/api/v1/stores/{shop.store.id}/inventory?warehouse_id={shop.cn.id}&limit=1"
    page = client.get(url, headers=headers).get_json()
    assert [(i["sku"], i["on_hand"]) for i in page["items"]] == [("A-1", 0)]
    rest = client.get(f"{url}&cursor={page['next_cursor']}", headers=headers).get_json()
    assert [(i["sku"], i["on_hand"], i["available"]) for i in rest["items"]] == [("A-2", 7, 7)]
    missing = client.get(f"/api/v1/stores/{shop.store.id}/inventory", headers=headers)
    assert missing.status_code == 422
