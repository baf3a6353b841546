"""Catalog services: products, options and variants, validation, prices, images, lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Product, ProductImage, ProductVariant, VariantPrice, Warehouse
from app.money import Money
from app.services.catalog import products as catalog
from app.services.catalog import reads as catalog_reads
from app.services.catalog import stores
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.catalog_factories import count, make_shop, png_bytes


@pytest.fixture
def shop(make_org, make_user):
    """A USD store in the US with warehouses in the US and China."""
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    """A second, unrelated store (CNY, China) whose staff must never see `shop`'s data."""
    return make_shop(make_org, make_user, currency="CNY", country="CN")

TEA = {
    "title": "Longjing green tea",
    "title_zh": "西湖龙井",
    "description": "Spring harvest.",
    "category": "tea_coffee",
    "hs_code": "0902.10",
    "origin_country": "cn",
    "weight_grams": 120,
    "options": [{"name": "Grade", "values": ["Premium", "Classic"]},
                {"name": "Size", "values": ["50g", "100g"]}],
    "variants": [
        {"sku": "LJ-P-50", "price": "88.00", "options": {"Grade": "Premium", "Size": "50g"}},
        {"sku": "LJ-P-100", "price": {"amount": "160.00", "currency": "USD"},
         "options": {"Grade": "Premium", "Size": "100g"}, "compare_at_price": "180.00"},
        {"sku": "LJ-C-50", "price": Money.from_decimal("38.50", "USD"),
         "options": {"Grade": "Classic", "Size": "50g"}, "weight_grams": 60},
    ],
}


def error_of(call) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        call()
    return info.value


def test_create_product_builds_variants_from_options(shop):
    product = catalog.create_product(shop.owner, shop.store.id, TEA)
    db.session.commit()

    assert product.status == "draft"
    assert product.hs_code == "090210"
    assert product.origin_country == "CN"
    assert [(o.name, [v.value for v in o.values]) for o in product.options] == [
        ("Grade", ["Premium", "Classic"]), ("Size", ["50g", "100g"])]
    by_sku = {v.sku: v for v in product.variants}
    assert by_sku["LJ-P-100"].price_minor == 16000
    assert by_sku["LJ-P-100"].compare_at_minor == 18000
    assert by_sku["LJ-C-50"].price_minor == 3850
    assert by_sku["LJ-C-50"].effective_weight_grams == 60
    assert by_sku["LJ-P-50"].effective_weight_grams == 120
    assert {v.currency for v in product.variants} == {"USD"}
    assert by_sku["LJ-P-50"].options == {"Grade": "Premium", "Size": "50g"}


def test_options_are_derived_from_variants_when_left_out(shop):
    product = catalog.create_product(shop.owner, shop.store.id, {
        "title": "Tee", "variants": [
            {"sku": "T-RED-S", "price": "10", "options": {"Colour": "red", "Size": "S"}},
            {"sku": "T-RED-M", "price": "10", "options": {"Colour": "red", "Size": "M"}},
            {"sku": "T-BLU-S", "price": "10", "options": {"Colour": "blue", "Size": "S"}},
        ]})
    assert [(o.name, [v.value for v in o.values]) for o in product.options] == [
        ("Colour", ["red", "blue"]), ("Size", ["S", "M"])]


def test_variant_matrix_is_every_combination():
    matrix = catalog.build_variant_matrix([("Colour", ["red", "blue"]), ("Size", ["S", "M"])])
    assert matrix == [{"Colour": "red", "Size": "S"}, {"Colour": "red", "Size": "M"},
                      {"Colour": "blue", "Size": "S"}, {"Colour": "blue", "Size": "M"}]
    assert catalog.build_variant_matrix([]) == [{}]


@pytest.mark.parametrize(("price", "code"), [
    ("-1.00", "negative_amount"),
    ({"amount": "-0.01", "currency": "USD"}, "negative_amount"),
    ({"amount": "10.00", "currency": "XYZ"}, "unknown_currency"),
    ({"amount": "10.00", "currency": "EUR"}, "currency_mismatch"),
])
def test_bad_prices_are_refused_with_a_specific_code(shop, price, code):
    payload = {"title": "Mug", "variants": [{"sku": "MUG-1", "price": price}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert error.code == code
    assert list(error.fields) in (["variants.0.price"], ["variants.0.price.currency"])
    assert count(Product) == 0 and count(ProductVariant) == 0


@pytest.mark.parametrize("price", ["10.999", 10.5, "ten", "NaN", True])
def test_prices_must_be_exact_decimal_strings(shop, price):
    payload = {"title": "Mug", "variants": [{"sku": "MUG-1", "price": price}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert "variants.0.price" in error.fields


def test_zero_decimal_currency_takes_whole_amounts(other_shop):
    # other_shop sells in CNY (2 decimals); a JPY store takes whole yen only.
    other_shop.store.base_currency = "JPY"
    product = catalog.create_product(other_shop.owner, other_shop.store.id, {
        "title": "Tea bowl", "variants": [{"sku": "B", "price": "1500"}]})
    assert product.variants[0].price_minor == 1500
    error = error_of(lambda: catalog.create_product(
        other_shop.owner, other_shop.store.id,
        {"title": "Tea cup", "variants": [{"sku": "C", "price": "15.50"}]}))
    assert "no decimals" in error.fields["variants.0.price"][0]


@pytest.mark.parametrize("hs_code", ["12345", "12345678901", "0902AB", "09-02-10"])
def test_invalid_hs_codes_are_refused(shop, hs_code):
    payload = {"title": "Tea", "hs_code": hs_code, "variants": [{"sku": "T1", "price": "1"}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert error.code == "invalid_hs_code"
    assert list(error.fields) == ["hs_code"]
    assert count(Product) == 0


def test_duplicate_sku_within_the_payload_is_named(shop):
    payload = {"title": "Tee", "variants": [
        {"sku": "TEE", "price": "1", "options": {"Size": "S"}},
        {"sku": "TEE", "price": "1", "options": {"Size": "M"}}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert error.code == "duplicate_sku"
    assert list(error.fields) == ["variants.1.sku"]
    assert count(ProductVariant) == 0


def test_duplicate_sku_against_the_store_is_refused_but_other_stores_may_reuse_it(
        shop, other_shop):
    shop.add_product(skus=("SHARED-1",))
    error = error_of(lambda: catalog.create_product(
        shop.owner, shop.store.id, {"title": "Other", "variants": [{"sku": "SHARED-1",
                                                                    "price": "2"}]}))
    assert error.code == "duplicate_sku"
    assert "already used" in error.fields["variants.0.sku"][0]
    assert count(Product) == 1

    catalog.create_product(other_shop.owner, other_shop.store.id,
                           {"title": "Other", "variants": [{"sku": "SHARED-1", "price": "2"}]})
    assert count(Product) == 2


def test_several_problems_are_all_named(shop):
    payload = {"title": "", "weight_grams": -5, "restricted_countries": ["US", "ZZZ"],
               "category": "weapons", "variants": [{"sku": "bad sku", "price": "-1"}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert error.code == "validation_failed"
    assert set(error.fields) == {"title", "weight_grams", "restricted_countries", "category",
                                 "variants.0.sku", "variants.0.price"}


def test_variants_must_match_the_options(shop):
    payload = {"title": "Tee", "options": [{"name": "Size", "values": ["S", "M"]}],
               "variants": [{"sku": "A", "price": "1", "options": {"Size": "XL"}},
                            {"sku": "B", "price": "1", "options": {"Colour": "red"}},
                            {"sku": "C", "price": "1", "options": {"Size": "S"}},
                            {"sku": "D", "price": "1", "options": {"Size": "S"}}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert set(error.fields) == {"variants.0.options", "variants.1.options",
                                 "variants.3.options"}


def test_going_live_needs_an_hs_code(shop):
    payload = {"title": "Tee", "status": "active", "variants": [{"sku": "A", "price": "1"}]}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, payload))
    assert error.code == "not_ready"
    assert "hs_code" in error.fields


def test_status_transitions(shop):
    product = shop.add_product(status="draft")
    catalog.change_product_status(shop.owner, shop.store.id, product.id, "active")
    catalog.archive_product(shop.owner, shop.store.id, product.id)
    assert product.status == "archived"
    error = error_of(lambda: catalog.change_product_status(shop.owner, shop.store.id,
                                                           product.id, "active"))
    assert error.code == "invalid_status_transition"
    catalog.change_product_status(shop.owner, shop.store.id, product.id, "draft")
    assert product.status == "draft"


def test_update_changes_prices_adds_and_deactivates_variants(shop):
    product = shop.add_product(skus=("TEE-S", "TEE-M"))
    small, medium = product.variants
    updated = catalog.update_product(shop.owner, shop.store.id, product.id, {
        "title": "Organic cotton tee",
        "variants": [
            {"id": small.id, "sku": "TEE-S", "price": "21.00", "options": {"Size": "S"}},
            {"sku": "TEE-L", "price": "23.00", "options": {"Size": "L"}},
        ]})
    db.session.commit()
    assert updated.title == "Organic cotton tee"
    by_sku = {v.sku: v for v in updated.variants}
    assert by_sku["TEE-S"].price_minor == 2100
    assert by_sku["TEE-L"].is_active and by_sku["TEE-L"].price_minor == 2300
    assert by_sku["TEE-M"].is_active is False  # left out: off sale, never deleted
    assert by_sku["TEE-M"].id == medium.id
    assert [(o.name, [v.value for v in o.values]) for o in updated.options] == [
        ("Size", ["S", "L"])]

    # Listing it again (by SKU, price kept) reactivates it.
    catalog.update_product(shop.owner, shop.store.id, product.id, {"variants": [
        {"sku": "TEE-S", "options": {"Size": "S"}}, {"sku": "TEE-M", "options": {"Size": "M"}},
        {"sku": "TEE-L", "options": {"Size": "L"}}]})
    assert {v.sku: v.is_active for v in product.variants} == {
        "TEE-S": True, "TEE-M": True, "TEE-L": True}
    assert medium.price_minor == 1999


def test_update_cannot_take_a_sku_of_another_product(shop):
    shop.add_product(skus=("MUG-1",), title="Mug")
    tee = shop.add_product(skus=("TEE-1",))
    error = error_of(lambda: catalog.update_product(
        shop.owner, shop.store.id, tee.id, {"variants": [{"sku": "MUG-1", "price": "1"}]}))
    assert error.code == "duplicate_sku"


def test_a_live_product_cannot_lose_its_hs_code(shop):
    product = shop.add_product()
    error = error_of(lambda: catalog.update_product(shop.owner, shop.store.id, product.id,
                                                    {"hs_code": None}))
    assert "hs_code" in error.fields


def test_fixed_prices(shop):
    product = shop.add_product(skus=("TEE-1",))
    variant = product.variants[0]
    catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "EUR", "18.50")
    catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "JPY", "2900")
    catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "EUR", "17.00")
    db.session.commit()
    prices = {p.currency: p.price_minor for p in db.session.scalars(select(VariantPrice))}
    assert prices == {"EUR": 1700, "JPY": 2900}

    offer = catalog_reads.product_offer(catalog_reads.get_public_product(product.id),
                                        currency="EUR")
    assert offer.variants[0].price == Money(1700, "EUR") and offer.variants[0].price_is_fixed
    offer = catalog_reads.product_offer(catalog_reads.get_public_product(product.id),
                                        currency="GBP")
    assert offer.variants[0].price == Money(1999, "USD")  # no FX yet: the base price
    assert not offer.variants[0].price_is_fixed

    catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "EUR", None)
    assert {p.currency for p in db.session.scalars(select(VariantPrice))} == {"JPY"}
    with pytest.raises(ValidationFailed) as info:
        catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "USD", "1.00")
    assert info.value.code == "currency_mismatch"
    with pytest.raises(ValidationFailed) as info:
        catalog.set_fixed_price(shop.owner, shop.store.id, variant.id, "XXQ", "1.00")
    assert info.value.code == "unknown_currency"


def test_fixed_prices_in_the_payload(shop):
    product = catalog.create_product(shop.owner, shop.store.id, {"title": "Mug", "variants": [
        {"sku": "MUG", "price": "12.00", "fixed_prices": [
            {"amount": "1800", "currency": "JPY"}, {"amount": "11.00", "currency": "EUR"}]}]})
    assert {(p.currency, p.price_minor) for p in product.variants[0].fixed_prices} == {
        ("JPY", 1800), ("EUR", 1100)}
    error = error_of(lambda: catalog.create_product(shop.owner, shop.store.id, {
        "title": "Cup", "variants": [{"sku": "CUP", "price": "1", "fixed_prices": [
            {"amount": "-1", "currency": "EUR"}]}]}))
    assert error.code == "negative_amount"


def test_staff_of_another_store_see_nothing(shop, other_shop):
    product = shop.add_product()
    intruder = other_shop.owner
    for call in (
        lambda: catalog.get_product(intruder, shop.store.id, product.id),
        lambda: catalog.update_product(intruder, shop.store.id, product.id, {"title": "x"}),
        lambda: catalog.create_product(intruder, shop.store.id, TEA),
        lambda: catalog_reads.list_products(intruder, shop.store.id),
        lambda: catalog.set_fixed_price(intruder, shop.store.id, product.variants[0].id,
                                        "EUR", "1"),
        lambda: catalog.add_product_image(intruder, shop.store.id, product.id, png_bytes()),
        lambda: stores.list_warehouses(intruder, shop.store.id),
        lambda: stores.create_warehouse(intruder, shop.store.id, {"name": "X", "country": "US"}),
        lambda: stores.update_store_settings(intruder, shop.store.id, {"name": "Mine"}),
        # Their own store id with our product id: still not found.
        lambda: catalog.get_product(intruder, other_shop.store.id, product.id),
        lambda: catalog.set_fixed_price(intruder, other_shop.store.id,
                                        product.variants[0].id, "EUR", "1"),
    ):
        with pytest.raises(NotFound):
            call()
    assert product.title == "Cotton tee"


def test_list_products_filters_and_pages(shop):
    tea = shop.add_product(skus=("LJ-1",), title="Dragon well tea", title_zh="龙井茶",
                           category="tea_coffee", stock={"LJ-1": {shop.us: 50}})
    draft = shop.add_product(skus=("MUG-1",), title="Mug", status="draft", category="home")
    tee = shop.add_product(skus=("TEE-1",), title="Tee", stock={"TEE-1": {shop.us: 2}})

    def titles(**kwargs):
        return [p.title for p in catalog_reads.list_products(shop.staff, shop.store.id,
                                                             **kwargs).items]

    assert titles() == ["Tee", "Mug", "Dragon well tea"]
    assert titles(status="draft") == ["Mug"]
    assert titles(text="龙井") == ["Dragon well tea"]
    assert titles(text="mug-1") == ["Mug"]
    assert titles(text="100%") == []
    assert titles(category="tea_coffee") == ["Dragon well tea"]
    assert titles(low_stock=True) == ["Tee", "Mug"]  # 2 and 0 units, threshold 5

    first = catalog_reads.list_products(shop.staff, shop.store.id, limit=2)
    assert [p.id for p in first.items] == [tee.id, draft.id]
    second = catalog_reads.list_products(shop.staff, shop.store.id, limit=2,
                                         after=first.next_after)
    assert [p.id for p in second.items] == [tea.id] and second.next_after is None


def test_public_reads_show_only_active_products(shop):
    live = shop.add_product(skus=("A-1",))
    draft = shop.add_product(skus=("B-1",), status="draft")
    assert catalog_reads.get_public_product(live.id).id == live.id
    with pytest.raises(NotFound):
        catalog_reads.get_public_product(draft.id)
    page = catalog_reads.list_catalog(store_id=shop.store.id)
    assert [p.id for p in page.items] == [live.id]


def test_availability_for_a_ship_to_country(shop):
    shop.store.sells_to = ["US", "CA", "GB"]
    product = shop.add_product(skus=("KNIFE-S", "KNIFE-M"), restricted_countries=["GB"],
                               stock={"KNIFE-S": {shop.us: 3}})
    product = catalog_reads.get_public_product(product.id)

    def availability(country):
        offer = catalog_reads.product_offer(product, country=country)
        return {v.variant.sku: v.available for v in offer.variants}

    assert availability("US") == {"KNIFE-S": True, "KNIFE-M": False}  # M has no stock
    assert availability("GB") == {"KNIFE-S": False, "KNIFE-M": False}  # restricted
    assert availability("FR") == {"KNIFE-S": False, "KNIFE-M": False}  # not sold there
    assert availability(None) == {"KNIFE-S": True, "KNIFE-M": False}
    with pytest.raises(ValidationFailed):
        catalog_reads.product_offer(product, country="XX")


def test_product_images_go_through_the_pipeline(shop, app):
    product = shop.add_product()
    image = catalog.add_product_image(shop.owner, shop.store.id, product.id,
                                      png_bytes((1200, 900)), alt_text="Front")
    second = catalog.add_product_image(shop.owner, shop.store.id, product.id, png_bytes())
    assert set(image.keys) == {"thumb", "medium", "large"}
    assert (image.width, image.height) == (1200, 900)
    assert all(key.endswith(".webp") for key in image.keys.values())
    assert [i.position for i in product.images] == [0, 1]

    catalog.reorder_product_images(shop.owner, shop.store.id, product.id, [second.id, image.id])
    assert [i.id for i in sorted(product.images, key=lambda i: i.position)] == [second.id,
                                                                                 image.id]
    with pytest.raises(ValidationFailed) as info:
        catalog.add_product_image(shop.owner, shop.store.id, product.id, b"not an image")
    assert "image" in info.value.fields
    catalog.remove_product_image(shop.owner, shop.store.id, product.id, image.id)
    assert count(ProductImage) == 1


def test_store_settings(shop):
    store = stores.update_store_settings(shop.owner, shop.store.id, {
        "return_policy": "30 days, unworn.", "sells_to": "us, ca ,GB", "description": "Hi"})
    assert store.sells_to == ["CA", "GB", "US"]
    assert store.sells_to_country("ca") and not store.sells_to_country("FR")
    with pytest.raises(ValidationFailed) as info:
        stores.update_store_settings(shop.owner, shop.store.id, {"sells_to": ["US", "Mars"]})
    assert info.value.code == "invalid_country"

    stores.update_store_settings(shop.owner, shop.store.id, {"base_currency": "EUR"})
    assert store.base_currency == "EUR"
    shop.add_product(skus=("EUR-1",), price="1.00")
    with pytest.raises(ValidationFailed) as info:
        stores.update_store_settings(shop.owner, shop.store.id, {"base_currency": "GBP"})
    assert info.value.code == "currency_locked"
    with pytest.raises(Forbidden):  # settings need the admin role
        stores.update_store_settings(shop.staff, shop.store.id, {"name": "Staff shop"})

    stores.set_store_logo(shop.owner, shop.store.id, png_bytes((600, 600)))
    assert store.logo_path.endswith("-logo.webp")


def test_warehouses(shop):
    warehouse = stores.create_warehouse(shop.owner, shop.store.id, {
        "name": "Toronto", "address_line1": "1 King St", "city": "Toronto",
        "postal_code": "M5H 1A1", "country": "ca"})
    assert warehouse.country == "CA"
    assert [w.name for w in stores.list_warehouses(shop.staff, shop.store.id)] == [
        "Brooklyn", "Shenzhen", "Toronto"]
    with pytest.raises(Conflict):
        stores.create_warehouse(shop.owner, shop.store.id, {"name": "Toronto", "country": "CA"})
    with pytest.raises(ValidationFailed) as info:
        stores.create_warehouse(shop.owner, shop.store.id, {"name": "", "country": "QQ"})
    assert set(info.value.fields) == {"name", "country"}
    with pytest.raises(Forbidden):
        stores.create_warehouse(shop.staff, shop.store.id, {"name": "Mine", "country": "US"})

    stores.update_warehouse(shop.owner, shop.store.id, warehouse.id, {"city": "North York"})
    assert warehouse.city == "North York"
    shop.add_product(skus=("W-1",), stock={"W-1": {warehouse: 1}})
    with pytest.raises(Conflict) as conflict:
        stores.set_warehouse_active(shop.owner, shop.store.id, warehouse.id, False)
    assert conflict.value.code == "warehouse_not_empty"
    empty = db.session.scalar(select(Warehouse).where(Warehouse.name == "Shenzhen",
                                                      Warehouse.store_id == shop.store.id))
    stores.set_warehouse_active(shop.owner, shop.store.id, empty.id, False)
    assert [w.name for w in stores.list_warehouses(shop.staff, shop.store.id)] == [
        "Brooklyn", "Toronto"]


def test_demo_catalog_is_seeded_once(make_org, make_user):
    from app.demo.catalog import seed_catalog
    from app.models import InventoryLevel
    from app.services.inventory import check_ledger, low_stock_variants

    tea_owner, brooklyn_owner = make_user(), make_user()
    tea = make_org("merchant", owner=tea_owner, name="Hangzhou Tea House").store
    tea.base_currency, tea.origin_country = "CNY", "CN"
    brooklyn = make_org("merchant", owner=brooklyn_owner, name="Brooklyn Goods").store
    seed_catalog(tea, tea_owner, brooklyn, brooklyn_owner)
    lines = seed_catalog(tea, tea_owner, brooklyn, brooklyn_owner)  # idempotent
    assert lines == [f"{tea.name}: 2 warehouses, 0 new products",
                     f"{brooklyn.name}: 2 warehouses, 0 new products"]
    for store, owner in ((tea, tea_owner), (brooklyn, brooklyn_owner)):
        products = db.session.scalars(select(Product).where(Product.store_id == store.id)).all()
        assert len(products) == 30 and {p.status for p in products} == {"active"}
        assert len({p.category for p in products}) >= 6
        assert any(p.hs_code[:2] in ("61", "62") for p in products)  # apparel
        assert all(p.images for p in products)
        warehouses = db.session.scalars(select(Warehouse).where(
            Warehouse.store_id == store.id)).all()
        assert len(warehouses) == 2
        stocked = {level.warehouse_id for level in db.session.scalars(
            select(InventoryLevel).join(ProductVariant).where(
                ProductVariant.store_id == store.id))}
        assert stocked == {w.id for w in warehouses}
        assert store.sells_to and store.return_policy
        assert low_stock_variants(owner, store.id).items  # one low-stock SKU each
        assert any(len(p.variants) >= 4 and len(p.options) == 2 for p in products)
    assert all(p.title_zh for p in db.session.scalars(select(Product).where(
        Product.store_id == brooklyn.id)))
    assert all(p.title_en for p in db.session.scalars(select(Product).where(
        Product.store_id == tea.id)))
    assert count(VariantPrice) > 0
    assert {v.currency for v in db.session.scalars(select(ProductVariant).where(
        ProductVariant.store_id == tea.id))} == {"CNY"}
    assert check_ledger() == []


def test_ensure_ships_to_names_the_reason(shop):
    shop.store.sells_to = ["US", "GB"]
    product = shop.add_product(skus=("KNIFE-1",), restricted_countries=["GB"])
    catalog_reads.ensure_ships_to(product, "us")
    for country, words in (("GB", "cannot be shipped"), ("FR", "does not ship")):
        with pytest.raises(ValidationFailed) as info:
            catalog_reads.ensure_ships_to(product, country)
        assert info.value.code == "restricted_destination" and words in info.value.message
