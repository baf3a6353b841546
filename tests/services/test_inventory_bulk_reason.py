"""A bulk adjust needs a reason: the service's rule, shown on the merchant form and kept by
the API, whose contract leaves `reason` optional (its rows then say they came through it)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import InventoryLevel, StockMovement
from app.services import inventory
from app.services.errors import ValidationFailed
from tests.catalog_factories import count, make_shop
from tests.web.test_merchant_inventory import count_form
from tests.web.test_merchant_products import field_errors, text


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def tee(shop):
    return shop.add_product(skus=("TEE-S",), stock={"TEE-S": {shop.us: 10}})


def on_hand(product) -> int:
    db.session.expire_all()
    return db.session.scalar(select(InventoryLevel.on_hand).where(
        InventoryLevel.variant_id == product.variants[0].id))


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_the_service_refuses_an_adjust_without_a_reason(shop, tee, reason):
    movements = count(StockMovement)
    with pytest.raises(ValidationFailed) as raised:
        inventory.bulk_set_inventory(shop.staff, shop.store.id, "adjust", [
            {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": -2}], reason=reason)
    assert raised.value.code == "reason_required"
    assert list(raised.value.fields) == ["reason"]
    assert on_hand(tee) == 10 and count(StockMovement) == movements


def test_a_set_needs_no_reason_and_an_adjust_records_its_own(shop, tee):
    inventory.bulk_set_inventory(shop.staff, shop.store.id, "set", [
        {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": 8}])
    inventory.bulk_set_inventory(shop.staff, shop.store.id, "adjust", [
        {"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": -3}], reason="Water damage")
    reasons = db.session.scalars(select(StockMovement.reason).where(
        StockMovement.kind == "adjust").order_by(StockMovement.id)).all()
    assert reasons == ["Bulk inventory set", "Water damage"]
    assert on_hand(tee) == 5


def test_the_form_shows_the_services_error_next_to_the_reason(client, login, shop, tee):
    login(shop.staff)
    movements = count(StockMovement)
    url = f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"
    data, rows = count_form(client, url)
    data.update({f"rows-{rows['TEE-S']}-quantity": "-4", "mode": "adjust", "reason": " "})
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert field_errors(text(response), "reason") == [
        "Say why the stock changes (a delivery, damage, a count)."]
    assert on_hand(tee) == 10 and count(StockMovement) == movements


@pytest.mark.parametrize(("body_reason", "recorded"), [
    ({}, "Stock sync through the API"),
    ({"reason": ""}, "Stock sync through the API"),
    ({"reason": "Nightly sync from the ERP"}, "Nightly sync from the ERP"),
])
def test_the_api_adjusts_without_a_reason_and_says_where_it_came_from(
        client, api_token, shop, tee, body_reason, recorded):
    response = client.post(
        f"/api/v1/stores/{shop.store.id}/inventory",
        headers={**api_token(shop.staff), "Idempotency-Key": "sync-1"},
        json={"mode": "adjust", **body_reason,
              "items": [{"sku": "TEE-S", "warehouse_id": shop.us.id, "quantity": -2}]})
    assert response.status_code == 200, response.get_json()
    assert on_hand(tee) == 8
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())
                                  ).first()
    assert (movement.kind, movement.on_hand_delta, movement.reason) == ("adjust", -2, recorded)


def test_the_openapi_schema_describes_the_optional_reason(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    request = spec["components"]["schemas"]["BulkInventoryRequest"]
    assert "reason" not in request["required"]
    assert "Stock sync through the API" in request["properties"]["reason"]["description"]
