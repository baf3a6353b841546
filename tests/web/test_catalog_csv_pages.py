"""Catalog CSV pages: upload and check, report, import with progress, export, access."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import CatalogImport, Product, ProductVariant
from tests.catalog_factories import count, make_shop

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def other(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def staff_client(client, shop, login):
    login(shop.staff)
    return client


def base(shop) -> str:
    return f"/merchant/stores/{shop.store.id}/csv"


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(post_form, shop, content: bytes, filename="catalog.csv", **kwargs):
    return post_form(f"{base(shop)}/imports", {"file": (io.BytesIO(content), filename)},
                     page=f"{base(shop)}/", content_type="multipart/form-data", **kwargs)


def uploaded(post_form, shop, name: str) -> CatalogImport:
    response = upload(post_form, shop, (DATA / name).read_bytes(), name)
    assert response.status_code == 303, text(response)[:500]
    import_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(CatalogImport, import_id)


def start(post_form, shop, catalog_import, **data):
    page = f"{base(shop)}/imports/{catalog_import.id}"
    return post_form(f"{page}/start", data, page=page)


# Upload and check -----------------------------------------------------------------------------
def test_the_page_offers_upload_export_and_lists_imports(staff_client, shop, post_form):
    uploaded(post_form, shop, "catalog_utf8.csv")
    page = text(staff_client.get(f"{base(shop)}/"))
    assert 'data-testid="upload-form"' in page and 'data-testid="export-form"' in page
    assert "catalog_utf8.csv" in page and "Ready to import" in page


def test_a_valid_upload_is_checked_and_offers_the_import(staff_client, shop, post_form):
    checked = uploaded(post_form, shop, "catalog_gbk.csv")
    page = text(staff_client.get(f"{base(shop)}/imports/{checked.id}"))
    assert "Every row is valid." in page
    assert "Import 3 rows" in page
    assert "GBK/GB18030" in page
    assert count(Product) == 0  # checking changes nothing


def test_a_bad_header_is_refused_on_the_upload_form(staff_client, shop, post_form):
    response = upload(post_form, shop, b"title,sku\nTea,T-1\n")
    assert response.status_code == 422
    assert "Missing required columns: product_handle, price" in text(response)
    response = upload(post_form, shop, "龙井".encode("utf-16"))
    assert response.status_code == 422
    assert "CSV UTF-8" in text(response)
    assert count(CatalogImport) == 0


def test_uploading_needs_a_file(staff_client, shop, post_form):
    response = post_form(f"{base(shop)}/imports", {}, page=f"{base(shop)}/")
    assert response.status_code == 422
    assert "Choose a CSV file." in text(response)


def test_the_report_lists_each_bad_row_and_downloads(staff_client, shop, post_form):
    checked = uploaded(post_form, shop, "catalog_errors.csv")
    page = text(staff_client.get(f"{base(shop)}/imports/{checked.id}"))
    assert "6 rows have errors." in page
    report = re.search(r'data-testid="report">(.*?)</table>', page, re.S).group(1)
    assert re.search(r">8</td><td><code>stock:Atlantis</code></td><td>No warehouse named "
                     r"Atlantis", report)
    assert "Import the 1 valid row only" in page
    download = staff_client.get(f"{base(shop)}/imports/{checked.id}/report.csv")
    assert download.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "message"] and len(rows) == 7


def test_status_json_reports_state_and_progress(staff_client, shop, post_form):
    checked = uploaded(post_form, shop, "catalog_utf8.csv")
    status = staff_client.get(f"{base(shop)}/imports/{checked.id}/status").get_json()
    assert status["state"] == "ready" and status["total_rows"] == 3
    assert status["processed_rows"] == 0 and status["finished"] is True
    # A running import, as a worker leaves it between two progress reports.
    checked.state, checked.processed_rows = "importing", 2
    db.session.commit()
    status = staff_client.get(f"{base(shop)}/imports/{checked.id}/status").get_json()
    assert (status["state"], status["processed_rows"], status["finished"]) == \
        ("importing", 2, False)
    page = text(staff_client.get(f"{base(shop)}/imports/{checked.id}"))
    assert 'value="2"' in page and "2 of 3 rows imported" in page


# Import ---------------------------------------------------------------------------------------
def test_importing_shows_the_counts(staff_client, shop, post_form):
    checked = uploaded(post_form, shop, "catalog_utf8_bom.csv")
    response = start(post_form, shop, checked)
    assert response.status_code == 303
    page = text(staff_client.get(response.headers["Location"]))
    assert "Imported: 3 created, 0 updated, 0 unchanged." in page
    assert count(ProductVariant) == 3
    again = uploaded(post_form, shop, "catalog_utf8_bom.csv")
    start(post_form, shop, again)
    page = text(staff_client.get(f"{base(shop)}/imports/{again.id}"))
    assert "Imported: 0 created, 0 updated, 3 unchanged." in page


def test_a_file_with_errors_imports_only_when_asked(staff_client, shop, post_form):
    checked = uploaded(post_form, shop, "catalog_errors.csv")
    response = start(post_form, shop, checked)
    page = text(staff_client.get(response.headers["Location"]))
    assert "This file has errors" in page
    assert count(ProductVariant) == 0
    start(post_form, shop, checked, valid_rows_only="1")
    page = text(staff_client.get(f"{base(shop)}/imports/{checked.id}"))
    assert "Imported: 1 created" in page and "6 rows were skipped." in page
    assert [v.sku for v in db.session.scalars(select(ProductVariant))] == ["OK-1"]


# Export ---------------------------------------------------------------------------------------
def test_export_downloads_utf8_with_bom_or_gbk(staff_client, shop):
    shop.add_product(skus=("TEA-1",), title="Longjing", title_zh="龙井", stock={
        "TEA-1": {shop.us: 4}})
    response = staff_client.get(f"{base(shop)}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.data.startswith(b"\xef\xbb\xbf")
    row = next(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert (row["sku"], row["title_zh"], row["stock:Brooklyn"]) == ("TEA-1", "龙井", "4")
    gbk = staff_client.get(f"{base(shop)}/export.csv?encoding=gbk")
    assert "龙井".encode("gbk") in gbk.data and not gbk.data.startswith(b"\xef\xbb\xbf")


# Access ---------------------------------------------------------------------------------------
def test_pages_need_a_login(client, shop):
    response = client.get(f"{base(shop)}/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_another_stores_staff_gets_404_on_every_route(app, client, shop, other, login,
                                                     post_form):
    login(shop.staff)
    checked = uploaded(post_form, shop, "catalog_utf8.csv")
    intruder = app.test_client()
    login(other.staff, target=intruder)
    own_page = f"/merchant/stores/{other.store.id}/csv/"
    for store_id in (shop.store.id, other.store.id):  # theirs, and ours with their import id
        prefix = f"/merchant/stores/{store_id}/csv"
        for path in ("/imports/{id}", "/imports/{id}/status", "/imports/{id}/report.csv"):
            assert intruder.get(prefix + path.format(id=checked.id)).status_code == 404, path
        response = post_form(f"{prefix}/imports/{checked.id}/start", {}, page=own_page,
                             target=intruder)
        assert response.status_code == 404
    for path in ("/", "/export.csv"):
        assert intruder.get(f"{base(shop)}{path}").status_code == 404
    response = post_form(f"{base(shop)}/imports",
                         {"file": (io.BytesIO(b"product_handle,title,sku,price\n"), "x.csv")},
                         page=own_page, content_type="multipart/form-data", target=intruder)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(CatalogImport, checked.id).state == "ready"
    assert count(Product) == 0 and count(CatalogImport) == 1
    own = text(intruder.get(own_page))
    assert "catalog_utf8.csv" not in own  # their history lists only their own imports


def test_every_csv_page_string_has_a_chinese_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from app import ROOT

    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None}
    method_map = [("app/merchant/csv_*.py", "python"), ("templates/merchant/csv/**.html",
                                                         "jinja2")]
    messages = {m if isinstance(m, str) else m[0] for _f, _l, m, _c, _x in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=keywords)}
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert {"Import products from a CSV", "%(num)d row has errors."} <= messages
    assert sorted(m for m in messages if m not in catalog or not catalog[m].string) == []
