"""Catalog CSV: reading files in every encoding, row-by-row reports, upserts, export."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    CatalogImport,
    InventoryLevel,
    Product,
    ProductVariant,
    StockMovement,
    VariantPrice,
)
from app.services import inventory
from app.services.catalog import csv_import as catalog_csv_import
from app.services.catalog import products as catalog
from app.services.catalog.csv_format import decode_upload, error_report_csv, export_catalog_csv
from app.services.errors import Conflict, NotFound, ValidationFailed
from tests.catalog_factories import count, make_shop

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


def upload(shop, content: bytes | str, filename: str = "catalog.csv", actor=None
           ) -> CatalogImport:
    """Upload a file and let the (in-process) validation job run."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    created = catalog_csv_import.start_catalog_import(actor or shop.staff, shop.store.id,
                                                      filename, data)
    commit()
    db.session.refresh(created)
    return created


def run_import(shop, upload_row: CatalogImport, *, valid_rows_only=False, actor=None
               ) -> CatalogImport:
    catalog_csv_import.begin_catalog_import(actor or shop.staff, shop.store.id, upload_row.id,
                                            valid_rows_only=valid_rows_only)
    commit()
    db.session.expire_all()
    return db.session.get(CatalogImport, upload_row.id)


def import_file(shop, content, **kwargs) -> CatalogImport:
    done = run_import(shop, upload(shop, content), **kwargs)
    assert done.state == "done", done.errors
    return done


def export_text(shop, encoding="utf-8") -> str:
    data = b"".join(export_catalog_csv(shop.staff, shop.store.id, encoding=encoding))
    return data.decode("utf-8-sig" if encoding == "utf-8" else "gb18030")


def errors_of(upload_row) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in upload_row.errors}


def variant(sku: str) -> ProductVariant:
    db.session.expire_all()
    return db.session.scalar(select(ProductVariant).where(ProductVariant.sku == sku))


def on_hand(shop, sku: str) -> dict[str, int]:
    found = variant(sku)
    names = {w.id: w.name for w in shop.warehouses}
    return {names[lv.warehouse_id]: lv.on_hand for lv in db.session.scalars(
        select(InventoryLevel).where(InventoryLevel.variant_id == found.id))}


def csv_text(*rows: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


# Encodings ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, encoding", [("catalog_utf8.csv", "utf-8"),
                                            ("catalog_utf8_bom.csv", "utf-8-sig"),
                                            ("catalog_gbk.csv", "gb18030")])
def test_utf8_with_and_without_bom_and_gbk_import_the_same_chinese(shop, name, encoding):
    checked = upload(shop, (DATA / name).read_bytes(), name)
    assert checked.encoding == encoding
    assert checked.state == "ready", checked.errors
    assert checked.total_rows == 3
    done = run_import(shop, checked)
    assert (done.state, done.created_count, done.updated_count, done.unchanged_count) == \
        ("done", 3, 0, 0)
    tea = variant("LJ-50").product
    assert tea.title_zh == "龙井绿茶"
    assert tea.status == "active"
    assert [(o.name, [v.value for v in o.values]) for o in tea.options] == \
        [("重量", ["50克", "100克"])]
    assert variant("LJ-100").options == {"重量": "100克"}
    assert variant("LJ-50").price_minor == 1250
    assert {p.currency: p.price_minor for p in variant("LJ-50").fixed_prices} == {"EUR": 1190}
    assert on_hand(shop, "LJ-50") == {"Brooklyn": 10, "Shenzhen": 5}
    assert on_hand(shop, "LJ-100") == {"Brooklyn": 4}
    assert variant("PE-357").product.status == "draft"


def test_undecodable_files_are_refused_with_a_specific_message(shop):
    for data in ("title,sku\n".encode("utf-16"), b"\x80\x81\xff\xfe,price\n",
                 b"PK\x03\x04\x00\x00binary"):
        with pytest.raises(ValidationFailed) as caught:
            upload(shop, data)
        assert caught.value.code == "undecodable_file"
        assert "CSV UTF-8" in caught.value.fields["file"][0]
    assert count(CatalogImport) == 0


def test_decoding_prefers_utf8_and_falls_back_to_gbk():
    assert decode_upload("龙井".encode()) == ("龙井", "utf-8")
    assert decode_upload(codecs.BOM_UTF8 + "龙井".encode()) == ("龙井", "utf-8-sig")
    assert decode_upload("龙井".encode("gbk")) == ("龙井", "gb18030")


# Wrong columns --------------------------------------------------------------------------------
def test_missing_required_columns_are_named(shop):
    with pytest.raises(ValidationFailed) as caught:
        upload(shop, "title,sku\nTea,T-1\n")
    assert caught.value.code == "missing_columns"
    assert "Missing required columns: product_handle, price" in caught.value.fields["file"][0]


def test_unknown_columns_are_named(shop):
    with pytest.raises(ValidationFailed) as caught:
        upload(shop, "product_handle,title,sku,price,colour,price_XYZ\nt,Tea,T-1,1.00,red,\n")
    messages = " ".join(caught.value.fields["file"])
    assert "Unknown columns: colour" in messages
    assert "price_XYZ: XYZ is not an ISO 4217 currency code" in messages


def test_a_header_without_rows_is_refused(shop):
    with pytest.raises(ValidationFailed) as caught:
        upload(shop, "product_handle,title,sku,price\n\n")
    assert caught.value.code == "empty_file"


# Row errors -----------------------------------------------------------------------------------
def test_every_bad_row_is_reported_with_its_column(shop):
    checked = upload(shop, (DATA / "catalog_errors.csv").read_bytes())
    assert checked.state == "invalid"
    assert errors_of(checked) == {(3, "price"), (4, "stock:Brooklyn"), (5, "currency"),
                                  (6, "sku"), (7, "hs_code"), (8, "stock:Atlantis")}
    messages = {e["row"]: e["message"] for e in checked.errors}
    assert "must not be negative" in messages[3]
    assert "cannot be negative" in messages[4]
    assert "Unknown currency 'XYZ'" in messages[5]
    assert "also on row 2" in messages[6]
    assert "6 to 10 digits" in messages[7]
    assert "No warehouse named Atlantis" in messages[8]
    assert catalog_csv_import.valid_row_count(checked) == 1


def test_a_file_with_errors_changes_nothing(shop):
    checked = upload(shop, (DATA / "catalog_errors.csv").read_bytes())
    with pytest.raises(Conflict) as caught:
        catalog_csv_import.begin_catalog_import(shop.staff, shop.store.id, checked.id)
    assert caught.value.code == "import_has_errors"
    assert count(Product) == 0


def test_only_the_valid_rows_are_imported_when_asked(shop):
    checked = upload(shop, (DATA / "catalog_errors.csv").read_bytes())
    done = run_import(shop, checked, valid_rows_only=True)
    assert (done.state, done.created_count) == ("done", 1)
    assert [v.sku for v in db.session.scalars(select(ProductVariant))] == ["OK-1"]
    assert on_hand(shop, "OK-1") == {"Brooklyn": 3}
    assert len(done.errors) == 6  # the report still says what was skipped


def test_the_catalog_rules_apply_to_rows(shop):
    """Rules that live in the catalog service (an active product needs an HS code) are
    reported at validation, on every row of that product."""
    checked = upload(shop, csv_text(
        ["product_handle", "title", "status", "sku", "price", "option1_name", "option1_value"],
        ["a", "No HS code", "active", "A-1", "1.00", "Size", "S"],
        ["a", "No HS code", "active", "A-2", "2.00", "Size", "M"],
        ["b", "Fine", "draft", "B-1", "1.00", "", ""],
        ["c", "Two without options", "draft", "C-1", "1.00", "", ""],
        ["c", "Two without options", "draft", "C-2", "1.00", "", ""]))
    assert errors_of(checked) == {(2, "hs_code"), (3, "hs_code"), (6, "option1_value")}
    assert "HS code" in checked.errors[0]["message"]
    assert count(Product) == 0  # the check was a dry run


def test_rows_of_one_product_must_agree(shop):
    checked = upload(shop, csv_text(
        ["product_handle", "title", "sku", "price", "option1_name", "option1_value"],
        ["tee", "Tee", "TEE-S", "1.00", "Size", "S"],
        ["tee", "Tee!", "TEE-M", "1.00", "Size", "M"],
        ["tee", "Tee", "TEE-L", "1.00", "Colour", "red"]))
    assert errors_of(checked) == {(3, "title"), (4, "option1_value")}


def test_stock_below_the_reserved_units_is_refused(shop):
    product = shop.add_product(skus=("TEE-S",), stock={"TEE-S": {shop.us: 5}})
    inventory.reserve_stock(None, product.variants[0].id, 3, owner_type="test", owner_id=1,
                            warehouse_id=shop.us.id)
    commit()
    checked = upload(shop, csv_text(["product_handle", "title", "sku", "price",
                                     "stock:Brooklyn"],
                                    ["tee", "Cotton tee", "TEE-S", "19.99", "2"]))
    assert errors_of(checked) == {(2, "stock:Brooklyn")}
    assert "3 units are reserved" in checked.errors[0]["message"]


def test_status_changes_follow_the_catalog_rules(shop):
    shop.add_product(skus=("OLD-1",), title="Old", status="archived")
    checked = upload(shop, csv_text(["product_handle", "title", "hs_code", "status", "sku",
                                     "price"],
                                    ["old", "Old", "610910", "active", "OLD-1", "19.99"]))
    assert errors_of(checked) == {(2, "status")}
    assert "archived product cannot become active" in checked.errors[0]["message"]


def test_stock_reserved_after_the_check_fails_the_whole_import(shop):
    """The data can change between the check and the import: then nothing changes."""
    product = shop.add_product(skus=("TEE-S",), stock={"TEE-S": {shop.us: 5}})
    checked = upload(shop, csv_text(
        ["product_handle", "title", "sku", "price", "stock:Brooklyn"],
        ["tee", "Cotton tee", "TEE-S", "21.00", "2"],
        ["new", "New", "NEW-1", "1.00", "4"]))
    assert checked.state == "ready"
    inventory.reserve_stock(None, product.variants[0].id, 3, owner_type="test", owner_id=1,
                            warehouse_id=shop.us.id)
    commit()
    done = run_import(shop, checked)
    assert done.state == "failed"
    assert errors_of(done) == {(2, "stock:Brooklyn")}
    assert "3 units are reserved" in done.errors[0]["message"]
    assert variant("TEE-S").price_minor == 1999 and variant("NEW-1") is None
    assert on_hand(shop, "TEE-S") == {"Brooklyn": 5}


def test_a_sku_taken_meanwhile_is_named_and_the_batch_redone(shop, monkeypatch):
    """A SKU created by someone else after the lookup fails the batched flush; the batch
    is redone product by product through the catalog, which names the row."""
    checked = upload(shop, csv_text(["product_handle", "title", "sku", "price"],
                                    ["a", "A", "A-1", "1.00"], ["b", "B", "B-1", "2.00"]))
    shop.add_product(skus=("B-1",), title="Someone else's")
    monkeypatch.setattr(catalog_csv_import, "existing_variants", lambda store_id, skus: {})
    catalog_csv_import.begin_catalog_import(shop.staff, shop.store.id, checked.id,
                                            valid_rows_only=False)
    done = catalog_csv_import.run_catalog_import(checked.id, shop.staff.id)
    assert done.state == "failed"
    assert errors_of(done) == {(3, "sku")}
    assert variant("A-1") is None


# Upserts -------------------------------------------------------------------------------------
def test_reimporting_the_same_file_changes_nothing(shop):
    content = (DATA / "catalog_utf8.csv").read_bytes()
    import_file(shop, content)
    movements = count(StockMovement)
    stamp = variant("LJ-50").product.updated_at
    again = import_file(shop, content)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert count(StockMovement) == movements
    assert count(Product) == 2
    assert variant("LJ-50").product.updated_at == stamp


def test_import_updates_by_sku_and_records_stock_in_the_ledger(shop):
    import_file(shop, (DATA / "catalog_utf8.csv").read_bytes())
    done = import_file(shop, csv_text(
        ["product_handle", "title", "sku", "price", "stock:Brooklyn"],
        ["x", "Longjing green tea", "LJ-50", "13.00", "7"],
        ["x", "Longjing green tea", "LJ-100", "22.00", "4"],
        ["new", "Oolong", "OO-1", "9.00", "2"]))
    assert (done.created_count, done.updated_count, done.unchanged_count) == (1, 1, 1)
    assert variant("LJ-50").price_minor == 1300
    assert variant("LJ-50").product.title_zh == "龙井绿茶"  # no column: untouched
    assert on_hand(shop, "LJ-50") == {"Brooklyn": 7, "Shenzhen": 5}
    movement = db.session.scalars(select(StockMovement).order_by(StockMovement.id.desc())
                                  ).first()
    assert (movement.reference_type, movement.reference_id) == ("catalog_import",
                                                                 str(done.id))
    assert movement.actor_id == shop.staff.id
    assert inventory.check_ledger(shop.store.id) == []


def test_a_sku_of_another_product_in_the_same_handle_is_refused(shop):
    shop.add_product(skus=("A-1",), title="A")
    shop.add_product(skus=("B-1",), title="B")
    checked = upload(shop, csv_text(["product_handle", "title", "sku", "price"],
                                    ["ab", "A", "A-1", "1.00"], ["ab", "A", "B-1", "1.00"]))
    assert errors_of(checked) == {(3, "sku")}
    assert "belongs to another product (B)" in checked.errors[0]["message"]


# Export ---------------------------------------------------------------------------------------
def test_export_then_import_changes_nothing(shop):
    shop.add_product(skus=("TEE-S", "TEE-M"), stock={"TEE-S": {shop.us: 3, shop.cn: 1}},
                     title_zh="棉T恤", restricted_countries=["RU", "KP"],
                     description="=SUM(A1) is not a formula")
    tee = variant("TEE-S")
    catalog.set_fixed_price(shop.owner, shop.store.id, tee.id, "EUR", "18.50")
    archived = shop.add_product(skus=("OLD-1",), status="archived", title="Old")
    archived.variants[0].is_active = False
    commit()
    exported = export_text(shop)
    rows = list(csv.DictReader(io.StringIO(exported)))
    tee_row = next(r for r in rows if r["sku"] == "TEE-S")
    assert tee_row["price_EUR"] == "18.50"
    assert (tee_row["stock:Brooklyn"], tee_row["stock:Shenzhen"]) == ("3", "1")
    assert tee_row["description"] == "'=SUM(A1) is not a formula"
    done = import_file(shop, exported.encode("utf-8-sig"))
    assert (done.created_count, done.updated_count, done.unchanged_count) == (0, 0, 3)
    assert variant("TEE-S").product.description == "=SUM(A1) is not a formula"
    assert variant("OLD-1").is_active is False


def test_export_in_gbk_round_trips_chinese(shop):
    shop.add_product(skus=("TEA-1",), title="龙井", title_zh="龙井绿茶")
    exported = b"".join(export_catalog_csv(shop.staff, shop.store.id, encoding="gbk"))
    assert "龙井绿茶".encode("gbk") in exported
    done = import_file(shop, exported)
    assert done.unchanged_count == 1


def test_error_report_lists_rows_columns_and_messages(shop):
    checked = upload(shop, (DATA / "catalog_errors.csv").read_bytes())
    report = list(csv.reader(io.StringIO(error_report_csv(checked).decode("utf-8-sig"))))
    assert report[0] == ["row", "column", "message"]
    assert ["3", "price"] == report[1][:2]
    assert len(report) == 7


# Progress and access --------------------------------------------------------------------------
def test_progress_is_reported_while_rows_are_applied(shop, monkeypatch):
    monkeypatch.setattr(catalog_csv_import, "PROGRESS_EVERY", 2)
    rows = [["product_handle", "title", "sku", "price"],
            *[[f"p{i}", f"Product {i}", f"P-{i}", "1.00"] for i in range(7)]]
    checked = upload(shop, csv_text(*rows))
    catalog_csv_import.begin_catalog_import(shop.staff, shop.store.id, checked.id)
    seen: list[int] = []
    done = catalog_csv_import.run_catalog_import(checked.id, shop.staff.id,
                                                 on_progress=seen.append)
    assert seen == [2, 4, 6, 7]
    assert (done.state, done.processed_rows, done.created_count) == ("done", 7, 7)


def test_another_stores_staff_cannot_see_or_start_an_import(shop, make_org, make_user):
    checked = upload(shop, (DATA / "catalog_utf8.csv").read_bytes())
    other = make_shop(make_org, make_user)
    with pytest.raises(NotFound):
        catalog_csv_import.get_catalog_import(other.owner, shop.store.id, checked.id)
    with pytest.raises(NotFound):
        catalog_csv_import.get_catalog_import(other.owner, other.store.id, checked.id)
    with pytest.raises(NotFound):
        catalog_csv_import.begin_catalog_import(other.owner, other.store.id, checked.id)
    with pytest.raises(NotFound):
        export_catalog_csv(other.owner, shop.store.id)
    assert count(VariantPrice) == 0


def test_progress_of_a_running_import_is_visible_in_process_on_sqlite(shop):
    """SQLite has one writer (the import), so progress is kept in the serving process."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL publishes progress through its own connection")
    checked = upload(shop, (DATA / "catalog_utf8.csv").read_bytes())
    catalog_csv_import.begin_catalog_import(shop.staff, shop.store.id, checked.id)
    progress = catalog_csv_import.ImportProgress(checked.id)
    progress(2)
    assert catalog_csv_import.processed_rows(checked) == 2
    progress.close()
    assert catalog_csv_import.processed_rows(checked) == 0
