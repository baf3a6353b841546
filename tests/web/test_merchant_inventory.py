"""Merchant portal inventory: warehouse counts, adjust, transfer, history, low stock."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import InventoryLevel, Product, StockMovement
from app.services import inventory
from tests.catalog_factories import count, make_shop
from tests.web.test_merchant_products import field_errors, form_values, text


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def staff_client(client, shop, login):
    """Stock is everyday work: a staff member (not only the owner) does it."""
    login(shop.staff)
    return client


@pytest.fixture
def tee(shop):
    return shop.add_product(skus=("TEE-S", "TEE-M"),
                            stock={"TEE-S": {shop.us: 10, shop.cn: 4}, "TEE-M": {shop.us: 3}})


def variant(product, sku):
    return next(v for v in product.variants if v.sku == sku)


def levels(product) -> dict[tuple[str, int], tuple[int, int]]:
    """(sku, warehouse id) -> (on_hand, reserved), read fresh."""
    db.session.expire_all()
    ids = {v.id: v.sku for v in product.variants}
    return {(ids[lv.variant_id], lv.warehouse_id): (lv.on_hand, lv.reserved)
            for lv in db.session.scalars(select(InventoryLevel).where(
                InventoryLevel.variant_id.in_(ids)))}


def row_html(page: str, sku: str) -> str:
    match = re.search(rf'<tr data-sku="{re.escape(sku)}".*?</tr>', page, re.S)
    assert match, f"no row for {sku}"
    return match.group(0)


def cell(row: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', row).group(1).strip()


def count_form(client, url: str) -> tuple[dict[str, str], dict[str, str]]:
    page = text(client.get(url))
    data = form_values(page, "count-form")
    rows = {data[name]: name.split("-")[1] for name in data if name.endswith("-sku")}
    return data, rows


# The warehouse page ---------------------------------------------------------------------------
def test_inventory_opens_the_first_warehouse(staff_client, shop, tee):
    response = staff_client.get(f"/merchant/stores/{shop.store.id}/inventory")
    assert response.headers["Location"] == \
        f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"


def test_inventory_without_warehouses_asks_for_one(client, make_org, make_user, login):
    owner = make_user()
    org = make_org("merchant", owner=owner)
    login(owner)
    page = text(client.get(f"/merchant/stores/{org.store.id}/inventory"))
    assert "this store has no open warehouse yet" in page


def test_warehouse_page_shows_on_hand_reserved_and_available(staff_client, shop, tee):
    inventory.reserve_stock(None, variant(tee, "TEE-S").id, 4, owner_type="test",
                            owner_id="cart-1", warehouse_id=shop.us.id, allow_split=False)
    commit()
    page = text(staff_client.get(f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"))
    row = row_html(page, "TEE-S")
    assert cell(row, "on-hand") == "10" and cell(row, "available") == "6"
    assert "<td class=\"num\">4</td>" in row
    assert cell(row_html(page, "TEE-M"), "available") == "3"
    search = text(staff_client.get(
        f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}?q=tee-m"))
    assert 'data-sku="TEE-M"' in search and 'data-sku="TEE-S"' not in search


def test_stock_count_sets_every_typed_row(staff_client, shop, tee):
    url = f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"
    data, rows = count_form(staff_client, url)
    data.update({f"rows-{rows['TEE-S']}-quantity": "12", f"rows-{rows['TEE-M']}-quantity": "0",
                 "mode": "set", "reason": "Monthly count"})
    response = staff_client.post(url, data=data)
    assert response.status_code == 303
    assert levels(tee)[("TEE-S", shop.us.id)] == (12, 0)
    assert levels(tee)[("TEE-M", shop.us.id)] == (0, 0)
    reasons = db.session.scalars(select(StockMovement.reason).where(
        StockMovement.kind == "adjust")).all()
    assert reasons == ["Monthly count", "Monthly count"]
    assert "2 SKUs were updated together." in text(staff_client.get(url))
    assert inventory.check_ledger(shop.store.id) == []


@pytest.mark.parametrize(("mode", "values", "reason", "problem"), [
    ("set", {"TEE-S": "8", "TEE-M": "-2"}, "", ("TEE-M", "Stock cannot be negative.")),
    ("set", {"TEE-S": "8", "TEE-M": "lots"}, "", ("TEE-M", "Must be a whole number.")),
    ("adjust", {"TEE-S": "+5", "TEE-M": "-4"}, "Breakage",
     ("TEE-M", "On hand is 3: this would leave -1.")),
])
def test_a_bad_row_changes_nothing(staff_client, shop, tee, mode, values, reason, problem):
    before, movements = levels(tee), count(StockMovement)
    url = f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"
    data, rows = count_form(staff_client, url)
    data.update({f"rows-{rows[sku]}-quantity": value for sku, value in values.items()})
    data.update({"mode": mode, "reason": reason})
    response = staff_client.post(url, data=data)
    assert response.status_code == 422
    sku, message = problem
    assert message in row_html(text(response), sku)
    assert levels(tee) == before and count(StockMovement) == movements


def test_bulk_changes_need_a_reason(staff_client, shop, tee):
    before = levels(tee)
    url = f"/merchant/stores/{shop.store.id}/inventory/{shop.us.id}"
    data, rows = count_form(staff_client, url)
    data.update({f"rows-{rows['TEE-S']}-quantity": "5", "mode": "adjust", "reason": ""})
    response = staff_client.post(url, data=data)
    assert response.status_code == 422
    assert "Say why the stock changes" in field_errors(text(response), "reason")[0]
    data["mode"], data[f"rows-{rows['TEE-S']}-quantity"] = "set", ""
    response = staff_client.post(url, data=data)
    assert "Type a number next to at least one SKU." in text(response)
    assert levels(tee) == before


# One SKU: adjust, transfer, history ------------------------------------------------------------
def test_adjust_requires_a_reason_then_applies(staff_client, shop, tee, post_form):
    tee_s = variant(tee, "TEE-S")
    url = f"/merchant/stores/{shop.store.id}/stock/{tee_s.id}"
    before, movements = levels(tee), count(StockMovement)
    response = post_form(f"{url}/adjust", {"adjust-warehouse_id": shop.us.id,
                                           "adjust-quantity": "-2", "adjust-reason": ""}, page=url)
    assert response.status_code == 422
    assert field_errors(text(response), "adjust-reason") == ["This field is required."]
    assert levels(tee) == before and count(StockMovement) == movements

    response = post_form(f"{url}/adjust", {"adjust-warehouse_id": shop.us.id,
                                           "adjust-quantity": "-11",
                                           "adjust-reason": "Damaged"}, page=url)
    assert response.status_code == 409
    assert field_errors(text(response), "adjust-quantity") == ["At most 10 can be removed."]
    assert levels(tee) == before

    response = post_form(f"{url}/adjust", {"adjust-warehouse_id": shop.us.id,
                                           "adjust-quantity": "-2",
                                           "adjust-reason": "Damaged in transit"},
                         page=url, follow=True)
    assert "Brooklyn now has 8 of TEE-S on hand." in text(response)
    assert levels(tee)[("TEE-S", shop.us.id)] == (8, 0)


def test_transfer_conserves_stock_and_writes_two_ledger_rows(staff_client, shop, tee,
                                                              post_form):
    tee_s = variant(tee, "TEE-S")
    url = f"/merchant/stores/{shop.store.id}/stock/{tee_s.id}"
    movements = count(StockMovement)
    response = post_form(f"{url}/transfer", {"transfer-from_warehouse_id": shop.us.id,
                                             "transfer-to_warehouse_id": shop.cn.id,
                                             "transfer-quantity": "6",
                                             "transfer-reason": "Restock Shenzhen"}, page=url,
                         follow=True)
    assert "Brooklyn has 4 and Shenzhen has 10 of TEE-S on hand." in text(response)
    after = levels(tee)
    assert after[("TEE-S", shop.us.id)] == (4, 0) and after[("TEE-S", shop.cn.id)] == (10, 0)
    rows = db.session.scalars(select(StockMovement).where(StockMovement.id > 0)
                              .order_by(StockMovement.id.desc()).limit(2)).all()
    assert count(StockMovement) == movements + 2
    assert sorted((m.kind, m.on_hand_delta) for m in rows) == \
        [("transfer_in", 6), ("transfer_out", -6)]
    assert rows[0].reference_id == rows[1].reference_id and rows[0].actor_id == shop.staff.id
    assert inventory.check_ledger(shop.store.id) == []


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"transfer-quantity": "11"}, "transfer-quantity", "At most 10 can be moved."),
    ({"transfer-quantity": "0"}, "transfer-quantity", "Must be at least 1."),
    ({"transfer-to_warehouse_id": "FROM"}, "transfer-to_warehouse_id",
     "Choose another warehouse."),
])
def test_a_refused_transfer_moves_nothing(staff_client, shop, tee, post_form, values, field,
                                          message):
    tee_s = variant(tee, "TEE-S")
    url = f"/merchant/stores/{shop.store.id}/stock/{tee_s.id}"
    before, movements = levels(tee), count(StockMovement)
    data = {"transfer-from_warehouse_id": shop.us.id, "transfer-to_warehouse_id": shop.cn.id,
            "transfer-quantity": "2", **values}
    if data["transfer-to_warehouse_id"] == "FROM":
        data["transfer-to_warehouse_id"] = shop.us.id
    response = post_form(f"{url}/transfer", data, page=url)
    assert response.status_code in (409, 422)
    assert field_errors(text(response), field) == [message]
    assert levels(tee) == before and count(StockMovement) == movements


def test_history_lists_ledger_rows_newest_first_and_pages(staff_client, shop, tee):
    tee_m = variant(tee, "TEE-M")
    for n in range(27):
        inventory.adjust_stock(shop.staff, shop.store.id, tee_m.id, shop.cn.id, 1,
                               reason=f"Found unit {n}")
    commit()
    url = f"/merchant/stores/{shop.store.id}/stock/{tee_m.id}"
    page = text(staff_client.get(url))
    history = re.search(r'data-testid="history">.*?</table>', page, re.S).group(0)
    assert history.count("<tr data-kind=") == 25
    first = re.search(r'<tr data-kind="adjust">(.*?)</tr>', history, re.S).group(1)
    assert "Found unit 26" in first and "+1" in first and shop.staff.display_name in first
    assert "Shenzhen" in first and "Adjusted" in first
    older = htmllib.unescape(re.search(r'href="([^"]+)" data-testid="next-page"',
                                       page).group(1))
    rest = text(staff_client.get(older))
    assert rest.count("<tr data-kind=") == 3  # two more adjustments and the seed receipt
    assert "Received" in rest and "test <code>seed</code>" in rest  # an unknown kind as stored
    only_us = text(staff_client.get(f"{url}?warehouse={shop.us.id}"))
    assert only_us.count("<tr data-kind=") == 1


# Low stock --------------------------------------------------------------------------------------
def test_low_stock_list_and_threshold(staff_client, shop, tee, post_form):
    url = f"/merchant/stores/{shop.store.id}/low-stock"
    page = text(staff_client.get(url))
    assert 'data-sku="TEE-M"' in page and 'data-sku="TEE-S"' not in page  # 3 <= 5 < 14
    response = post_form(f"/merchant/stores/{shop.store.id}/products/{tee.id}/threshold",
                         {"low_stock_threshold": "20"}, page=url, follow=True)
    assert "low stock now means 20 or fewer available" in text(response)
    assert 'data-sku="TEE-S"' in text(response)
    response = post_form(f"/merchant/stores/{shop.store.id}/products/{tee.id}/threshold",
                         {"low_stock_threshold": "-1"}, page=url)
    assert response.status_code == 422
    assert "Must not be negative." in row_html(text(response), "TEE-S")
    db.session.expire_all()
    assert db.session.get(Product, tee.id).low_stock_threshold == 20
