"""Catalog API: merchant product CRUD, public product reads, the store catalog, query counts."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.core.transaction import commit
from app.extensions import db
from app.models import Product
from app.services.catalog import products as catalog
from tests.catalog_factories import count, make_shop, png_bytes


@pytest.fixture
def shop(make_org, make_user):
    """A USD store in the US with warehouses in the US and China."""
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    """A second, unrelated store (CNY, China) whose staff must never see `shop`'s data."""
    return make_shop(make_org, make_user, currency="CNY", country="CN")

CREATE = {
    "title": "Silk scarf",
    "title_zh": "真丝围巾",
    "description": "Hand-rolled edges.",
    "hs_code": "621410",
    "origin_country": "CN",
    "weight_grams": 80,
    "status": "active",
    "variants": [
        {"sku": "SCARF-RED", "price": {"amount": "49.00", "currency": "USD"},
         "options": {"Colour": "red"},
         "fixed_prices": [{"amount": "7000", "currency": "JPY"}]},
        {"sku": "SCARF-BLUE", "price": {"amount": "45.50", "currency": "USD"},
         "options": {"Colour": "blue"}, "compare_at_price": {"amount": "55.00",
                                                             "currency": "USD"}},
    ],
}


def error_of(response) -> dict:
    return response.get_json()["error"]


@pytest.fixture
def owner_headers(shop, api_token):
    return api_token(shop.owner)


@pytest.fixture
def intruder_headers(other_shop, api_token):
    return api_token(other_shop.owner)


# Merchant CRUD ----------------------------------------------------------------------------
def test_create_product(client, shop, owner_headers):
    response = client.post(f"/api/v1/stores/{shop.store.id}/products", json=CREATE,
                           headers=owner_headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "active" and body["store_id"] == shop.store.id
    assert body["title_zh"] == "真丝围巾"
    assert body["options"] == [{"name": "Colour", "values": ["red", "blue"]}]
    red, blue = body["variants"]
    assert isinstance(red["id"], int) and isinstance(blue["id"], int)
    assert red["price"] == {"amount": "49.00", "currency": "USD"}
    assert red["fixed_prices"] == [{"amount": "7000", "currency": "JPY"}]
    assert blue["compare_at_price"] == {"amount": "55.00", "currency": "USD"}
    assert red["inventory"] == [] and red["available"] == 0


def test_create_product_names_each_bad_field(client, shop, owner_headers):
    bad = {**CREATE, "hs_code": "12", "variants": [
        {"sku": "A", "price": {"amount": "-1.00", "currency": "USD"}, "options": {"C": "x"}},
        {"sku": "A", "price": {"amount": "1.00", "currency": "QQQ"}, "options": {"C": "y"}},
    ]}
    response = client.post(f"/api/v1/stores/{shop.store.id}/products", json=bad,
                           headers=owner_headers)
    assert response.status_code == 422
    error = error_of(response)
    assert set(error["fields"]) == {"hs_code", "variants.0.price", "variants.1.sku",
                                    "variants.1.price"}
    assert count(Product) == 0


def test_duplicate_sku_in_the_store_is_422(client, shop, owner_headers):
    shop.add_product(skus=("SCARF-RED",))
    response = client.post(f"/api/v1/stores/{shop.store.id}/products", json=CREATE,
                           headers=owner_headers)
    assert response.status_code == 422
    assert error_of(response)["code"] == "duplicate_sku"
    assert list(error_of(response)["fields"]) == ["variants.0.sku"]


def test_list_get_and_patch(client, shop, owner_headers, api_token):
    first = shop.add_product(skus=("A-1",), title="Alpha")
    shop.add_product(skus=("B-1",), title="Beta", status="draft")
    third = shop.add_product(skus=("C-1",), title="Gamma", stock={"C-1": {shop.us: 40}})
    staff = api_token(shop.staff)
    url = f"/api/v1/stores/{shop.store.id}/products"

    page = client.get(f"{url}?limit=2", headers=staff).get_json()
    assert [p["title"] for p in page["items"]] == ["Gamma", "Beta"]
    rest = client.get(f"{url}?limit=2&cursor={page['next_cursor']}", headers=staff).get_json()
    assert [p["title"] for p in rest["items"]] == ["Alpha"] and rest["next_cursor"] is None
    assert [p["title"] for p in client.get(f"{url}?status=draft", headers=staff)
            .get_json()["items"]] == ["Beta"]
    assert [p["title"] for p in client.get(f"{url}?q=gam", headers=staff)
            .get_json()["items"]] == ["Gamma"]
    assert [p["title"] for p in client.get(f"{url}?low_stock=true", headers=staff)
            .get_json()["items"]] == ["Beta", "Alpha"]
    assert client.get(f"{url}?status=sold", headers=staff).status_code == 422
    assert client.get(f"{url}?cursor=garbage", headers=staff).status_code == 400

    one = client.get(f"{url}/{third.id}", headers=staff).get_json()
    assert one["variants"][0]["inventory"] == [
        {"warehouse_id": shop.us.id, "warehouse_name": "Brooklyn", "on_hand": 40,
         "reserved": 0, "available": 40}]

    response = client.patch(f"{url}/{first.id}", headers=owner_headers, json={
        "title": "Alpha II", "restricted_countries": ["AU"],
        "variants": [{"sku": "A-1", "price": {"amount": "25.00", "currency": "USD"}}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "Alpha II" and body["restricted_countries"] == ["AU"]
    assert body["variants"][0]["price"] == {"amount": "25.00", "currency": "USD"}

    response = client.patch(f"{url}/{first.id}", headers=owner_headers,
                            json={"status": "published"})
    assert response.status_code == 422 and "status" in error_of(response)["fields"]


def test_reading_needs_a_token_and_writing_the_write_scope(client, shop):
    from app.services.accounts.api_tokens import create_personal_token

    url = f"/api/v1/stores/{shop.store.id}/products"
    assert client.get(url).status_code == 401
    _token, secret = create_personal_token(shop.owner, "read only", ["read"], None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(url, headers=headers).status_code == 200
    response = client.post(url, json=CREATE, headers=headers)
    assert response.status_code == 403 and error_of(response)["code"] == "insufficient_scope"


def test_another_stores_staff_get_404_everywhere(client, shop, other_shop, intruder_headers):
    product = shop.add_product(skus=("A-1",))
    base = f"/api/v1/stores/{shop.store.id}"
    theirs = f"/api/v1/stores/{other_shop.store.id}"
    calls = [
        ("get", f"{base}/products", None),
        ("post", f"{base}/products", CREATE),
        ("get", f"{base}/products/{product.id}", None),
        ("patch", f"{base}/products/{product.id}", {"title": "Mine now"}),
        ("get", f"{base}/warehouses", None),
        ("post", f"{base}/warehouses", {"name": "Sneaky", "country": "US"}),
        ("get", f"{base}/inventory?warehouse_id={shop.us.id}", None),
        ("get", f"{theirs}/inventory?warehouse_id={shop.us.id}", None),
        ("get", f"{theirs}/products/{product.id}", None),
        ("patch", f"{theirs}/products/{product.id}", {"title": "Mine now"}),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, json=body, headers=intruder_headers)
        assert response.status_code == 404, (method, url, response.get_json())
        assert error_of(response)["code"] == "not_found"
        assert "Cotton tee" not in response.get_data(as_text=True)
    response = client.post(f"{base}/inventory", headers={**intruder_headers,
                                                         "Idempotency-Key": "k1"},
                           json={"mode": "set", "items": [
                               {"sku": "A-1", "warehouse_id": shop.us.id, "quantity": 99}]})
    assert response.status_code == 404
    assert product.title == "Cotton tee" and count(Product) == 1


# Public reads -----------------------------------------------------------------------------
def test_public_product_prices_and_availability(client, shop):
    shop.store.sells_to = ["US", "JP", "GB"]
    product = shop.add_product(skus=("SCARF-RED", "SCARF-BLUE"), restricted_countries=["GB"],
                               stock={"SCARF-RED": {shop.us: 2}})
    red = next(v for v in product.variants if v.sku == "SCARF-RED")
    catalog.set_fixed_price(shop.owner, shop.store.id, red.id, "JPY", "3000")
    db.session.commit()

    body = client.get(f"/api/v1/products/{product.id}?currency=JPY&country=JP").get_json()
    assert body["currency"] == "JPY" and body["country"] == "JP"
    variants = {v["sku"]: v for v in body["variants"]}
    assert variants["SCARF-RED"]["price"] == {"amount": "3000", "currency": "JPY"}
    assert variants["SCARF-RED"]["price_is_fixed"] is True
    assert variants["SCARF-BLUE"]["price"] == {"amount": "19.99", "currency": "USD"}
    assert variants["SCARF-RED"]["available"] is True
    assert variants["SCARF-BLUE"]["available"] is False  # no stock
    assert body["available"] is True and body["store"]["id"] == shop.store.id
    assert "inventory" not in variants["SCARF-RED"]  # merchants' numbers stay private

    for country in ("GB", "FR"):  # restricted; not sold there
        body = client.get(f"/api/v1/products/{product.id}?country={country}").get_json()
        assert body["available"] is False
        assert [v["available"] for v in body["variants"]] == [False, False]

    response = client.get(f"/api/v1/products/{product.id}?currency=BTC")
    assert response.status_code == 422 and error_of(response)["code"] == "unknown_currency"
    assert client.get(f"/api/v1/products/{product.id}?country=XX").status_code == 422


def test_public_product_hides_drafts_and_archived(client, shop):
    draft = shop.add_product(skus=("D-1",), status="draft")
    gone = shop.add_product(skus=("G-1",))
    catalog.archive_product(shop.owner, shop.store.id, gone.id)
    db.session.commit()
    for product in (draft, gone):
        response = client.get(f"/api/v1/products/{product.id}")
        assert response.status_code == 404
    assert client.get("/api/v1/products/999999").status_code == 404


def test_public_store_catalog_paginates(client, shop):
    ids = [shop.add_product(skus=(f"P-{n}",), title=f"Product {n}").id for n in range(3)]
    shop.add_product(skus=("DRAFT-1",), status="draft")
    catalog.add_product_image(shop.owner, shop.store.id, ids[2], png_bytes())
    db.session.commit()
    url = f"/api/v1/stores/{shop.store.id}/catalog?limit=2&currency=USD"
    page = client.get(url).get_json()
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    assert page["items"][0]["from_price"] == {"amount": "19.99", "currency": "USD"}
    assert page["items"][0]["image"]["urls"]["thumb"].startswith("/media/")
    assert page["items"][1]["image"] is None
    rest = client.get(f"{url}&cursor={page['next_cursor']}").get_json()
    assert [item["id"] for item in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    assert client.get("/api/v1/stores/999999/catalog").status_code == 404


def test_openapi_documents_the_catalog(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/stores/{store_id}/products",
                 "/api/v1/stores/{store_id}/products/{product_id}",
                 "/api/v1/stores/{store_id}/warehouses", "/api/v1/stores/{store_id}/inventory",
                 "/api/v1/products/{product_id}"):
        assert path in document["paths"], path
    bulk = document["paths"]["/api/v1/stores/{store_id}/inventory"]["post"]
    header = next(p for p in bulk["parameters"] if p["name"] == "Idempotency-Key")
    assert header["required"] is True
    assert document["paths"]["/api/v1/products/{product_id}"]["get"]["security"] == []


# Query counts -----------------------------------------------------------------------------
def count_queries(client, url, headers=None) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.get_json()
    return len([s for s in statements if not s.upper().startswith(("SAVEPOINT", "RELEASE"))])


def product_with_variants(shop, n: int, prefix: str):
    options = [{"name": "Size", "values": [f"S{i}" for i in range(n)]}]
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": f"{prefix} product", "hs_code": "610910", "status": "active",
        "options": options,
        "variants": [{"sku": f"{prefix}-{i}", "price": "5.00", "options": {"Size": f"S{i}"},
                      "fixed_prices": [{"amount": "700", "currency": "JPY"}]}
                     for i in range(n)]})
    commit()  # as a route does: the jobs it queued (screening) run now, not in a later request
    for variant in product.variants:
        from app.services import inventory

        inventory.receive_stock(shop.owner, shop.store.id, variant.id, shop.us.id, 3)
    catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes())
    commit()
    return product


def test_public_product_read_uses_a_constant_number_of_queries(client, shop):
    small = product_with_variants(shop, 2, "SMALL")
    large = product_with_variants(shop, 40, "LARGE")
    small_count = count_queries(client, f"/api/v1/products/{small.id}?currency=JPY&country=US")
    large_count = count_queries(client, f"/api/v1/products/{large.id}?currency=JPY&country=US")
    assert small_count == large_count
    assert small_count <= 10


def test_store_catalog_uses_a_constant_number_of_queries(client, shop):
    product_with_variants(shop, 2, "ONE")
    few = count_queries(client, f"/api/v1/stores/{shop.store.id}/catalog?country=US")
    for n in range(4):
        product_with_variants(shop, 10, f"MORE{n}")
    many = count_queries(client, f"/api/v1/stores/{shop.store.id}/catalog?country=US")
    assert few == many


def test_merchant_product_list_uses_a_constant_number_of_queries(client, shop, api_token):
    headers = api_token(shop.owner)
    product_with_variants(shop, 2, "FIRST")
    url = f"/api/v1/stores/{shop.store.id}/products"
    few = count_queries(client, url, headers)
    for n in range(3):
        product_with_variants(shop, 8, f"MORE{n}")
    assert count_queries(client, url, headers) == few


def test_unknown_fields_are_refused(client, shop, owner_headers):
    body = {**CREATE, "price_minor": 100,
            "variants": [{**CREATE["variants"][0], "stock": 5}]}
    response = client.post(f"/api/v1/stores/{shop.store.id}/products", json=body,
                           headers=owner_headers)
    assert response.status_code == 422
    assert error_of(response)["code"] == "unknown_field"
    assert set(error_of(response)["fields"]) == {"price_minor", "variants.0.stock"}
    assert count(Product) == 0
