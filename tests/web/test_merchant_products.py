"""Merchant portal products: home, list (search, filters, pages, bulk), editor, images."""

from __future__ import annotations

import html as htmllib
import io
import re
import struct
import zlib
from html.parser import HTMLParser

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.models import Product, ProductImage, ProductVariant, VariantPrice
from app.services.catalog import products as catalog
from tests.catalog_factories import count, make_shop, png_bytes


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def owner_client(client, shop, login):
    login(shop.owner)
    return client


# Reading pages like a browser ------------------------------------------------------------------
class FormReader(HTMLParser):
    """The fields a browser would submit from the form marked data-testid=<testid>."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid, self.inside, self.fields = testid, False, []
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "file", "checkbox"):
            self.fields.append((a["name"], htmllib.unescape(a.get("value") or "")))
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.fields.append((a["name"], a.get("value") or "y"))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self.select, self.select_first, self.select_chosen = a["name"], None, False
        elif tag == "option" and self.select:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a and not self.select_chosen:
                self.fields.append((self.select, a.get("value", "")))
                self.select_chosen = True

    def handle_data(self, data):
        if self.textarea:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.select_chosen:
                self.fields.append((self.select, self.select_first or ""))
            self.select = None
        elif tag == "form" and self.inside:
            self.inside = False


def form_values(html: str, testid: str) -> dict[str, str]:
    reader = FormReader(testid)
    reader.feed(html)
    values = dict(reader.fields)
    assert values, f"no form {testid!r} on the page"
    return values


def text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(html: str, name: str) -> list[str]:
    """The error messages shown in the field wrapper of the input called `name`."""
    match = re.search(rf'<div class="field[^"]*">\s*<label[^>]*for="{re.escape(name)}"'
                      rf'.*?(?=<div class="field|</fieldset>|</section>|</form>)', html, re.S)
    assert match, f"no field {name!r} on the page"
    return [htmllib.unescape(e)
            for e in re.findall(r'<p class="error" role="alert">(.*?)</p>', match.group(0))]


def row_errors(html: str, row: int) -> list[str]:
    match = re.search(rf'data-row="{row}">(.*?)</fieldset>', html, re.S)
    assert match, f"no variant row {row}"
    return [htmllib.unescape(e)
            for e in re.findall(r'<p class="error" role="alert">(.*?)</p>', match.group(1))]


def catalog_state(store_id: int):
    """Everything a failed save must leave untouched."""
    db.session.expire_all()
    products = db.session.execute(select(
        Product.id, Product.title, Product.status, Product.hs_code, Product.weight_grams)
        .where(Product.store_id == store_id).order_by(Product.id)).all()
    variants = db.session.execute(select(
        ProductVariant.id, ProductVariant.sku, ProductVariant.price_minor,
        ProductVariant.is_active, ProductVariant.options)
        .where(ProductVariant.store_id == store_id).order_by(ProductVariant.id)).all()
    return products, variants, count(VariantPrice), count(ProductImage)


def corrupt_png() -> bytes:
    return png_bytes()[:60] + b"\x00garbage" * 20


def huge_png() -> bytes:
    """A PNG header claiming 20,000 x 20,000 pixels (a decompression bomb)."""
    data = bytearray(png_bytes())
    ihdr = struct.pack(">II", 20_000, 20_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def new_product_form(client, store_id: int) -> dict[str, str]:
    return form_values(text(client.get(f"/merchant/stores/{store_id}/products/new")),
                       "product-form")


# Home and store picker -------------------------------------------------------------------------
def test_portal_home_counts_products_and_low_stock(owner_client, shop):
    shop.add_product(skus=("A-1",), stock={"A-1": {shop.us: 50}})
    shop.add_product(skus=("B-1", "B-2"), stock={"B-1": {shop.us: 2}})  # both low
    shop.add_product(skus=("C-1",), status="draft")  # low (no stock)
    page = text(owner_client.get(f"/merchant/stores/{shop.store.id}/"))
    assert re.search(r'data-testid="count-active">\s*<strong>2</strong>', page)
    assert re.search(r'data-testid="count-draft">\s*<strong>1</strong>', page)
    assert re.search(r'data-testid="count-low-stock">\s*<strong>3</strong>', page)
    assert "Stock in Brooklyn" in page
    base = f"/merchant/stores/{shop.store.id}"
    for path in ("/orders", "/products", "/csv/", "/shipping"):  # every portal tab
        assert f'href="{base}{path}"' in page, path


def test_store_picker_redirects_to_the_only_store_and_lists_several(
        client, shop, make_org, login):
    login(shop.owner)
    response = client.get("/merchant/")
    assert response.headers["Location"] == f"/merchant/stores/{shop.store.id}/"
    second = make_org("merchant", owner=shop.owner, name="Second Shop")
    page = text(client.get("/merchant/"))
    assert f"/merchant/stores/{shop.store.id}/" in page
    assert f"/merchant/stores/{second.store.id}/" in page


def test_organisation_dashboard_links_to_the_portal(owner_client, shop):
    page = text(owner_client.get(f"/orgs/{shop.store.organization_id}"))
    assert f'href="/merchant/stores/{shop.store.id}/"' in page


# The list --------------------------------------------------------------------------------------
def test_list_searches_by_title_and_sku_and_filters(owner_client, shop):
    tea = shop.add_product(skus=("TEA-50",), title="Longjing tea", category="tea_coffee",
                           stock={"TEA-50": {shop.us: 40}})
    shop.add_product(skus=("MUG-1",), title="Clay mug", status="draft", category="home")
    base = f"/merchant/stores/{shop.store.id}/products"

    def titles(query: str) -> list[str]:
        page = text(owner_client.get(base + query))
        return re.findall(r'data-product="\d+".*?/products/\d+">([^<]+)</a>', page, re.S)

    assert titles("") == ["Clay mug", "Longjing tea"]
    assert titles("?q=longjing") == ["Longjing tea"]
    assert titles("?q=mug-1") == ["Clay mug"]
    assert titles("?status=draft") == ["Clay mug"]
    assert titles("?category=tea_coffee") == ["Longjing tea"]
    assert titles("?low_stock=y") == ["Clay mug"]
    assert "No product matches these filters." in text(owner_client.get(base + "?q=nothing"))
    assert f"/products/{tea.id}" in text(owner_client.get(base + "?q=TEA"))


def test_list_pages_by_keyset(owner_client, shop):
    for n in range(27):
        shop.add_product(skus=(f"P-{n}",), title=f"Product {n}")
    first = text(owner_client.get(f"/merchant/stores/{shop.store.id}/products"))
    assert first.count('data-product="') == 25
    next_url = htmllib.unescape(re.search(r'href="([^"]+)" data-testid="next-page"',
                                          first).group(1))
    second = text(owner_client.get(next_url))
    assert second.count('data-product="') == 2
    assert "Product 0" in second and "Product 0" not in first
    assert 'data-testid="next-page"' not in second


def test_list_runs_the_same_number_of_queries_for_2_or_20_products(owner_client, shop):
    def queries_for_list() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = owner_client.get(f"/merchant/stores/{shop.store.id}/products")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200
        return len(statements)

    for n in range(2):
        shop.add_product(skus=(f"Q-{n}-S", f"Q-{n}-M"), stock={f"Q-{n}-S": {shop.us: 3}})
    few = queries_for_list()
    for n in range(2, 20):
        shop.add_product(skus=(f"Q-{n}-S", f"Q-{n}-M"), stock={f"Q-{n}-S": {shop.cn: 3}})
    assert queries_for_list() == few


def test_bulk_actions_apply_to_all_or_none(owner_client, shop, post_form):
    ready = shop.add_product(skus=("R-1",), status="draft")
    unready = shop.add_product(skus=("U-1",), status="draft", title="No customs code",
                               hs_code=None)
    url = f"/merchant/stores/{shop.store.id}/products/bulk"
    page = f"/merchant/stores/{shop.store.id}/products"
    response = post_form(url, {"action": "active", "product_ids": [ready.id, unready.id]},
                         page=page)
    assert response.status_code == 422
    body = text(response)
    assert "Nothing was changed." in body
    assert "No customs code: Add an HS code before the product goes live" in body
    db.session.expire_all()
    assert {p.status for p in (db.session.get(Product, ready.id),
                               db.session.get(Product, unready.id))} == {"draft"}

    response = post_form(url, {"action": "archived", "product_ids": [ready.id, unready.id]},
                         page=page, follow=True)
    assert "2 products are now archived." in text(response)
    db.session.expire_all()
    assert db.session.get(Product, ready.id).status == "archived"
    assert db.session.get(Product, unready.id).status == "archived"


def test_bulk_action_needs_a_ticked_product(owner_client, shop, post_form):
    response = post_form(f"/merchant/stores/{shop.store.id}/products/bulk",
                         {"action": "active"}, page=f"/merchant/stores/{shop.store.id}/products")
    assert response.status_code == 422
    assert "Tick at least one product." in text(response)


def test_bulk_action_refuses_another_stores_product(owner_client, shop, make_org, make_user,
                                                    post_form):
    other = make_shop(make_org, make_user)
    theirs = other.add_product(skus=("THEIRS",), status="draft")
    mine = shop.add_product(skus=("MINE",), status="draft")
    response = post_form(f"/merchant/stores/{shop.store.id}/products/bulk",
                         {"action": "active", "product_ids": [mine.id, theirs.id]},
                         page=f"/merchant/stores/{shop.store.id}/products")
    assert response.status_code == 422
    assert "No such product in this store." in text(response)
    db.session.expire_all()
    assert db.session.get(Product, theirs.id).status == "draft"
    assert db.session.get(Product, mine.id).status == "draft"


# The editor ------------------------------------------------------------------------------------
def test_create_a_product_with_a_variant_matrix(owner_client, shop):
    url = f"/merchant/stores/{shop.store.id}/products/new"
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Linen shirt", "title_zh": "亚麻衬衫", "category": "fashion",
                 "hs_code": "6205.90", "weight_grams": "300",
                 "restricted_countries": "au, nz",
                 "options-0-name": "Colour", "options-0-values": "Red, Blue",
                 "options-1-name": "Size", "options-1-values": "S, M",
                 "update_matrix": "1"})
    response = owner_client.post(url, data=data)
    assert response.status_code == 200
    page = text(response)
    assert page.count('data-testid="variant-row"') == 4
    assert "Colour: Blue · Size: M" in page
    data = form_values(page, "product-form")
    rows = {htmllib.unescape(re.search(rf'data-row="{i}">\s*<legend>([^<]+?)\s*<', page)
                             .group(1)).strip(): i for i in range(4)}
    for label, sku, price in (("Colour: Red · Size: S", "SH-R-S", "45.00"),
                              ("Colour: Red · Size: M", "SH-R-M", "45.00"),
                              ("Colour: Blue · Size: S", "SH-B-S", "49.50")):
        data[f"variants-{rows[label]}-sku"] = sku
        data[f"variants-{rows[label]}-price"] = price
    data[f"variants-{rows['Colour: Red · Size: S']}-fixed_prices"] = "EUR 42.00, 7000 jpy"
    data["status"] = "active"
    response = owner_client.post(url, data=data)
    assert response.status_code == 303, text(response)[:2000]
    product = db.session.scalar(select(Product).where(Product.title == "Linen shirt"))
    assert response.headers["Location"] == \
        f"/merchant/stores/{shop.store.id}/products/{product.id}"
    assert product.status == "active" and product.hs_code == "620590"
    assert product.restricted_countries == ["AU", "NZ"] and product.title_zh == "亚麻衬衫"
    assert [(o.name, [v.value for v in o.values]) for o in product.options] == \
        [("Colour", ["Red", "Blue"]), ("Size", ["S", "M"])]
    by_sku = {v.sku: v for v in product.variants}
    assert sorted(by_sku) == ["SH-B-S", "SH-R-M", "SH-R-S"]  # the blank row was skipped
    assert by_sku["SH-B-S"].options == {"Colour": "Blue", "Size": "S"}
    assert by_sku["SH-B-S"].price_minor == 4950
    assert {(p.currency, p.price_minor) for p in by_sku["SH-R-S"].fixed_prices} == \
        {("EUR", 4200), ("JPY", 7000)}
    edit = text(owner_client.get(response.headers["Location"]))
    assert "Linen shirt was saved." in edit and 'value="EUR 42.00, JPY 7000"' in edit


def test_editing_options_keeps_existing_variants_and_their_stock(owner_client, shop):
    product = shop.add_product(skus=("CUP-RED", "CUP-BLUE"), price="12.00",
                               stock={"CUP-RED": {shop.us: 7}})
    red = next(v for v in product.variants if v.sku == "CUP-RED")
    url = f"/merchant/stores/{shop.store.id}/products/{product.id}"
    data = form_values(text(owner_client.get(url)), "product-form")
    assert (data["options-0-name"], data["options-0-values"]) == ("Size", "RED, BLUE")
    data.update({"options-0-values": "RED", "options-1-name": "Finish",
                 "options-1-values": "Matte, Gloss", "update_matrix": "1"})
    page = text(owner_client.post(url, data=data))
    data = form_values(page, "product-form")
    rows = [(data[f"variants-{i}-id"], data[f"variants-{i}-sku"], data[f"variants-{i}-price"])
            for i in range(page.count('data-testid="variant-row"'))]
    # The red variant grows into the first new combination and the second inherits its
    # price; blue is no longer a value, so its row goes.
    assert rows == [(str(red.id), "CUP-RED", "12.00"), ("", "", "12.00")]
    data["variants-1-sku"] = "CUP-RED-GLOSS"
    response = owner_client.post(url, data=data)
    assert response.status_code == 303, text(response)[:3000]
    db.session.expire_all()
    variants = {v.sku: v for v in db.session.get(Product, product.id).variants}
    assert variants["CUP-RED"].id == red.id
    assert variants["CUP-RED"].options == {"Size": "RED", "Finish": "Matte"}
    assert variants["CUP-RED-GLOSS"].price_minor == 1200
    assert variants["CUP-RED-GLOSS"].options == {"Size": "RED", "Finish": "Gloss"}
    assert variants["CUP-BLUE"].is_active is False  # kept for orders and the ledger
    assert "7 available" in text(owner_client.get(url))

    # Bringing the value back brings the old variant back with its SKU and price.
    data = form_values(text(owner_client.get(url)), "product-form")
    data.update({"options-1-name": "", "options-1-values": "", "options-0-values": "RED, BLUE",
                 "update_matrix": "1"})
    data = form_values(text(owner_client.post(url, data=data)), "product-form")
    assert [data[f"variants-{i}-sku"] for i in range(2)] == ["CUP-RED", "CUP-BLUE"]


def test_changed_options_without_updating_rows_save_nothing(owner_client, shop):
    product = shop.add_product(skus=("T-S", "T-M"))
    before = catalog_state(shop.store.id)
    url = f"/merchant/stores/{shop.store.id}/products/{product.id}"
    data = form_values(text(owner_client.get(url)), "product-form")
    data["options-0-values"] = "S, M, L"
    data["title"] = "Renamed"
    response = owner_client.post(url, data=data)
    assert response.status_code == 200
    assert "The variant rows now follow the options" in text(response)
    assert text(response).count('data-testid="variant-row"') == 3
    assert catalog_state(shop.store.id) == before


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"variants-0-price": "-5.00"}, "variants-0-price", "Prices must not be negative."),
    ({"variants-0-price": ""}, "variants-0-price", "Enter a price."),
    ({"variants-0-price": "1.999"}, "variants-0-price", "at most 2 decimals"),
    ({"variants-0-fixed_prices": "XYZ 10.00"}, "variants-0-fixed_prices",
     "Unknown currency 'XYZ'"),
    ({"variants-0-fixed_prices": "ten euros"}, "variants-0-fixed_prices",
     "Write each fixed price as a currency code and an amount"),
    ({"variants-0-compare_at": "-1"}, "variants-0-compare_at", "Prices must not be negative."),
    ({"hs_code": "12AB"}, "hs_code", "is not an HS code: use 6 to 10 digits"),
    ({"hs_code": "12345"}, "hs_code", "is not an HS code: use 6 to 10 digits"),
    ({"weight_grams": "-3"}, "weight_grams", "Must not be negative."),
    ({"low_stock_threshold": "-1"}, "low_stock_threshold", "Must not be negative."),
    ({"origin_country": "XX"}, "origin_country", "is not an ISO 3166 two-letter country"),
    ({"restricted_countries": "US, Narnia"}, "restricted_countries", "Not ISO 3166 country"),
    ({"title": ""}, "title", "This field is required."),
    ({"variants-0-sku": "bad sku!"}, "variants-0-sku", "Use letters, digits"),
])
def test_bad_input_is_named_at_its_field_and_nothing_is_written(
        owner_client, shop, change, field, message):
    shop.add_product(skus=("EXISTING",))
    before = catalog_state(shop.store.id)
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Tea tin", "variants-0-sku": "TIN-1", "variants-0-price": "9.00",
                 "hs_code": "732690", "status": "active", **change})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/products/new", data=data)
    assert response.status_code == 422
    errors = field_errors(text(response), field)
    assert any(message in e for e in errors), errors
    assert catalog_state(shop.store.id) == before


def test_a_sku_of_another_product_is_refused_on_its_row(owner_client, shop):
    shop.add_product(skus=("TAKEN-1",))
    product = shop.add_product(skus=("MINE-S", "MINE-M"))
    before = catalog_state(shop.store.id)
    url = f"/merchant/stores/{shop.store.id}/products/{product.id}"
    data = form_values(text(owner_client.get(url)), "product-form")
    data["variants-1-sku"] = "TAKEN-1"
    data["variants-0-price"] = "-1"
    response = owner_client.post(url, data=data)
    assert response.status_code == 422
    page = text(response)
    assert field_errors(page, "variants-1-sku") == [
        "SKU TAKEN-1 is already used by another product of this store."]
    assert field_errors(page, "variants-0-price") == ["Prices must not be negative."]
    assert catalog_state(shop.store.id) == before


def test_two_rows_with_one_sku_are_refused(owner_client, shop):
    before = catalog_state(shop.store.id)
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Socks", "options-0-name": "Size", "options-0-values": "S, M",
                 "update_matrix": "1"})
    data = form_values(text(owner_client.post(
        f"/merchant/stores/{shop.store.id}/products/new", data=data)), "product-form")
    data.update({"variants-0-sku": "SOCK", "variants-0-price": "3.00",
                 "variants-1-sku": "SOCK", "variants-1-price": "3.00"})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/products/new", data=data)
    assert response.status_code == 422
    assert "SKU SOCK is used by variant 1 of this product too." in \
        field_errors(text(response), "variants-1-sku")
    assert catalog_state(shop.store.id) == before


def test_activating_without_hs_code_says_what_is_missing(owner_client, shop):
    before = catalog_state(shop.store.id)
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Mystery box", "variants-0-sku": "BOX", "variants-0-price": "5",
                 "status": "active"})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/products/new", data=data)
    assert response.status_code == 422
    assert "Add an HS code before the product goes live" in \
        field_errors(text(response), "hs_code")[0]
    assert catalog_state(shop.store.id) == before


def test_empty_matrix_is_refused(owner_client, shop):
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Nothing to sell"})
    response = owner_client.post(f"/merchant/stores/{shop.store.id}/products/new", data=data)
    assert response.status_code == 422
    assert "Add at least one variant with a SKU and a price." in text(response)
    assert count(Product) == 0


@pytest.mark.parametrize(("upload", "message"), [
    (corrupt_png(), "The file is not a JPEG, PNG or WebP image, or it is damaged."),
    (b"GIF89a" + b"\x00" * 50, "The file is not a JPEG, PNG or WebP image, or it is damaged."),
    (huge_png(), "The image has too many pixels"),
    (b"\x89PNG" + b"\x00" * (20 * 1024 * 1024), "Images can be at most 20 MB."),
])
def test_bad_images_are_refused_and_nothing_is_written(owner_client, shop, upload, message):
    before = catalog_state(shop.store.id)
    data = new_product_form(owner_client, shop.store.id)
    data.update({"title": "Vase", "variants-0-sku": "VASE", "variants-0-price": "30.00"})
    response = owner_client.post(
        f"/merchant/stores/{shop.store.id}/products/new",
        data={**data, "images": [(io.BytesIO(png_bytes()), "good.png"),
                                 (io.BytesIO(upload), "bad.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 422
    errors = field_errors(text(response), "images")
    assert errors and errors[0].startswith("bad.png: ") and message in errors[0], errors
    assert catalog_state(shop.store.id) == before


def test_images_upload_reorder_and_delete(owner_client, shop, post_form):
    product = shop.add_product(skus=("IMG-1",))
    url = f"/merchant/stores/{shop.store.id}/products/{product.id}"
    data = form_values(text(owner_client.get(url)), "product-form")
    response = owner_client.post(url, data={**data, "images": [
        (io.BytesIO(png_bytes(color=(255, 0, 0))), "red.png"),
        (io.BytesIO(png_bytes(color=(0, 0, 255))), "blue.png")]},
        content_type="multipart/form-data")
    assert response.status_code == 303
    first, second = [i.id for i in catalog.product_of_store(shop.store.id, product.id).images]
    response = post_form(f"{url}/images/{second}/move", {"to": "first"}, page=url, follow=True)
    assert "The cover image was changed." in text(response)
    db.session.expire_all()
    assert [i.id for i in catalog.product_of_store(shop.store.id, product.id).images] == \
        [second, first]
    page = text(response)
    assert page.index(f'data-image="{second}"') < page.index(f'data-image="{first}"')
    response = post_form(f"{url}/images/{second}/delete", {}, page=url, follow=True)
    assert "The image was deleted." in text(response)
    db.session.expire_all()
    assert [i.id for i in catalog.product_of_store(shop.store.id, product.id).images] == [first]


def test_edit_details_and_unpublish(owner_client, shop):
    product = shop.add_product(skus=("ED-1",), title="Old title")
    url = f"/merchant/stores/{shop.store.id}/products/{product.id}"
    data = form_values(text(owner_client.get(url)), "product-form")
    assert data["title"] == "Old title" and data["status"] == "active"
    data.update({"title": "New title", "description_en": "Soft cotton.", "status": "draft",
                 "variants-0-price": "21.50", "variants-0-is_active": "y"})
    assert owner_client.post(url, data=data).status_code == 303
    db.session.expire_all()
    saved = db.session.get(Product, product.id)
    assert (saved.title, saved.description_en, saved.status) == \
        ("New title", "Soft cotton.", "draft")
    assert saved.variants[0].price_minor == 2150
