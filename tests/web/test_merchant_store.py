"""Merchant portal store pages: settings, logo and warehouses."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Store, Warehouse
from tests.catalog_factories import make_shop, png_bytes
from tests.web.test_merchant_products import corrupt_png, field_errors, form_values, text


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def owner_client(client, shop, login):
    login(shop.owner)
    return client


def store_row(store_id: int):
    db.session.expire_all()
    store = db.session.get(Store, store_id)
    return (store.name, store.slug, store.description, store.base_currency,
            store.origin_country, list(store.sells_to), store.return_policy, store.logo_path)


def warehouse_rows(store_id: int):
    db.session.expire_all()
    return db.session.execute(select(
        Warehouse.id, Warehouse.name, Warehouse.city, Warehouse.country, Warehouse.is_active)
        .where(Warehouse.store_id == store_id).order_by(Warehouse.id)).all()


def settings_form(client, store_id: int) -> dict[str, str]:
    return form_values(text(client.get(f"/merchant/stores/{store_id}/settings")),
                       "settings-form")


# Settings --------------------------------------------------------------------------------------
def test_save_store_settings(owner_client, shop):
    data = settings_form(owner_client, shop.store.id)
    assert data["base_currency"] == "USD" and data["origin_country"] == "US"
    data.update({"name": "Brooklyn Goods", "slug": "Brooklyn-Goods",
                 "description": "Made in New York.", "sells_to": "gb, jp ,US",
                 "return_policy": "30 days, unworn.", "base_currency": "EUR",
                 "origin_country": "DE"})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/settings", data=data,
                                 follow_redirects=True)
    assert "The store settings were saved." in text(response)
    assert store_row(shop.store.id)[:7] == (
        "Brooklyn Goods", "brooklyn-goods", "Made in New York.", "EUR", "DE",
        ["GB", "JP", "US"], "30 days, unworn.")
    assert 'value="GB, JP, US"' in text(response)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "This field is required."),
    ({"slug": "no spaces here"}, "slug", "lower-case letters, digits and single dashes"),
    ({"slug": "ab"}, "slug", "lower-case letters, digits and single dashes"),
    ({"slug": "TAKEN"}, "slug", "Another store already uses this address."),
    ({"base_currency": "XXY"}, "base_currency", "Unknown currency 'XXY'"),
    ({"origin_country": ""}, "origin_country", "This field is required."),
    ({"sells_to": "US, Atlantis"}, "sells_to", "Not ISO 3166 country codes: Atlantis."),
])
def test_bad_settings_are_named_and_nothing_changes(owner_client, shop, make_org, change,
                                                    field, message):
    other = make_org("merchant")
    if change.get("slug") == "TAKEN":
        change = {"slug": other.store.slug}
    before = store_row(shop.store.id)
    data = {**settings_form(owner_client, shop.store.id), "name": "Changed",
            "description": "Changed too", **change}
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/settings", data=data)
    assert response.status_code == 422
    assert any(message in e for e in field_errors(text(response), field))
    assert store_row(shop.store.id) == before


def test_base_currency_is_locked_once_products_are_priced(owner_client, shop):
    shop.add_product(skus=("PRICED",))
    before = store_row(shop.store.id)
    data = {**settings_form(owner_client, shop.store.id), "base_currency": "JPY"}
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/settings", data=data)
    assert response.status_code == 422
    assert field_errors(text(response), "base_currency") == [
        "The base currency cannot change once products are priced in it."]
    assert store_row(shop.store.id) == before


def test_staff_see_settings_but_cannot_change_them(client, shop, login):
    login(shop.staff)
    page = text(client.get(f"/merchant/stores/{shop.store.id}/settings"))
    assert "Owners and admins change the store settings" in page
    assert "<fieldset disabled>" in page
    before = store_row(shop.store.id)
    data = {**form_values(page, "settings-form"), "name": "Staff rename"}
    response = client.post(f"/merchant/stores/{shop.store.id}/settings", data=data)
    assert response.status_code == 403
    assert store_row(shop.store.id) == before


def test_logo_upload(owner_client, shop):
    page = text(owner_client.get(f"/merchant/stores/{shop.store.id}/settings"))
    token = form_values(page, "logo-form")["csrf_token"]
    response = owner_client.post(
        f"/merchant/stores/{shop.store.id}/logo",
        data={"csrf_token": token, "logo": (io.BytesIO(png_bytes((600, 400))), "logo.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "The logo was updated." in text(response)
    logo = store_row(shop.store.id)[7]
    assert logo and logo.endswith(".webp") and 'data-testid="logo"' in text(response)


@pytest.mark.parametrize(("upload", "message"), [
    (corrupt_png(), "The file is not a JPEG, PNG or WebP image, or it is damaged."),
    (b"\x89PNG" + b"\x00" * (5 * 1024 * 1024), "Images can be at most 5 MB."),
    (None, "Choose an image file."),
])
def test_bad_logo_is_refused(owner_client, shop, upload, message):
    before = store_row(shop.store.id)
    page = text(owner_client.get(f"/merchant/stores/{shop.store.id}/settings"))
    data = {"csrf_token": form_values(page, "logo-form")["csrf_token"]}
    if upload is not None:
        data["logo"] = (io.BytesIO(upload), "logo.png")
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/logo", data=data,
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_errors(text(response), "logo") == [message]
    assert store_row(shop.store.id) == before


# Warehouses ------------------------------------------------------------------------------------
def warehouse_form(client, store_id: int) -> dict[str, str]:
    return form_values(text(client.get(f"/merchant/stores/{store_id}/warehouses")),
                       "warehouse-form")


def test_add_and_edit_a_warehouse(owner_client, shop):
    data = warehouse_form(owner_client, shop.store.id)
    assert data["country"] == "US"  # the store's own country first
    data.update({"name": "Rotterdam", "address_line1": "Europaweg 1", "city": "Rotterdam",
                 "postal_code": "3199 LC", "country": "NL"})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/warehouses", data=data,
                                 follow_redirects=True)
    assert "Rotterdam was added." in text(response)
    added = db.session.scalar(select(Warehouse).where(Warehouse.name == "Rotterdam"))
    assert (added.store_id, added.city, added.country) == (shop.store.id, "Rotterdam", "NL")
    url = f"/merchant/stores/{shop.store.id}/warehouses/{added.id}"
    data = form_values(text(owner_client.get(url)), "warehouse-form")
    assert data["address_line1"] == "Europaweg 1"
    data.update({"name": "Rotterdam Port", "region": "South Holland"})
    response = owner_client.post(url, data=data, follow_redirects=True)
    assert "Rotterdam Port was saved." in text(response)
    db.session.expire_all()
    assert (added.name, added.region) == ("Rotterdam Port", "South Holland")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "This field is required."),
    ({"name": "Shenzhen"}, "name", "Another warehouse has this name."),
    ({"country": ""}, "country", "This field is required."),
    ({"postal_code": "1" * 21}, "postal_code", "Use at most 20 characters."),
])
def test_bad_warehouse_input_changes_nothing(owner_client, shop, change, field, message):
    before = warehouse_rows(shop.store.id)
    data = {**warehouse_form(owner_client, shop.store.id), "name": "Depot", "country": "US",
            **change}
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/warehouses", data=data)
    assert response.status_code in (409, 422)
    assert field_errors(text(response), field) == [message]
    assert warehouse_rows(shop.store.id) == before
    # Renaming an existing warehouse to a taken name is refused the same way.
    url = f"/merchant/stores/{shop.store.id}/warehouses/{shop.us.id}"
    data = {**form_values(text(owner_client.get(url)), "warehouse-form"), **change}
    response = owner_client.post(url, data=data)
    assert response.status_code in (409, 422)
    assert field_errors(text(response), field) == [message]
    assert warehouse_rows(shop.store.id) == before


def test_close_only_an_empty_warehouse_and_reopen_it(owner_client, shop, post_form):
    shop.add_product(skus=("BOX",), stock={"BOX": {shop.us: 2}})
    page = f"/merchant/stores/{shop.store.id}/warehouses"
    response = post_form(f"{page}/{shop.us.id}/close", {}, page=page)
    assert response.status_code == 409
    assert "Brooklyn still holds 2 units: transfer or adjust them first." in text(response)
    response = post_form(f"{page}/{shop.cn.id}/close", {}, page=page, follow=True)
    assert "Shenzhen is closed." in text(response)
    assert [row.is_active for row in warehouse_rows(shop.store.id)] == [True, False]
    response = post_form(f"{page}/{shop.cn.id}/open", {}, page=page, follow=True)
    assert "Shenzhen is open again." in text(response)
    assert [row.is_active for row in warehouse_rows(shop.store.id)] == [True, True]


def test_staff_see_warehouses_but_cannot_add_them(client, shop, login, post_form):
    login(shop.staff)
    page = text(client.get(f"/merchant/stores/{shop.store.id}/warehouses"))
    assert "Brooklyn" in page and 'data-testid="warehouse-form"' not in page
    before = warehouse_rows(shop.store.id)
    response = post_form(f"/merchant/stores/{shop.store.id}/warehouses",
                         {"name": "Sneaky", "country": "US"},
                         page=f"/merchant/stores/{shop.store.id}/warehouses")
    assert response.status_code == 403
    response = post_form(f"/merchant/stores/{shop.store.id}/warehouses/{shop.cn.id}/close",
                         {}, page=f"/merchant/stores/{shop.store.id}/warehouses")
    assert response.status_code == 403
    assert warehouse_rows(shop.store.id) == before
