"""Catalog CSV import speed: 10,000 rows (variants) with stock in two warehouses.

Generates a file of 2,500 products x 4 sizes (English and Chinese titles, HS codes, a
fixed EUR price, stock in two warehouses), then times, in-process with jobs run eagerly
as in the embedded default: the upload with its row-by-row check (a dry run of every
row), the import (products through app.services.catalog.products, stock through the inventory
ledger), the same file again (nothing changes), a file changing every price and stock
level (every product updated), and an export of the whole catalog
followed by importing that export (nothing changes).

    .venv/bin/python bench/csv_import.py [--rows 10000] [--database-url URL]

Default database: a SQLite file in the temp folder (the embedded default). For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_csv
"""

from __future__ import annotations

import argparse
import csv
import io
import tempfile
import time
from pathlib import Path

from _common import fresh_database, make_app

SIZES = ("S", "M", "L", "XL")


def make_file(rows: int, *, cents: int = 99, stock_shift: int = 0) -> bytes:
    """A CSV of `rows` variants, four sizes per product (prices and stock can vary)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["product_handle", "title", "title_zh", "description", "hs_code", "status",
                     "weight_grams", "sku", "option1_name", "option1_value", "price",
                     "price_EUR", "stock:Brooklyn", "stock:Shenzhen"])
    for index in range(rows):
        product, size = divmod(index, len(SIZES))
        writer.writerow([f"tee-{product}", f"Cotton tee {product}", f"棉T恤 {product}",
                         "Soft cotton, made in Hangzhou.", "610910", "active", "180",
                         f"TEE-{product}-{SIZES[size]}", "Size", SIZES[size],
                         f"{19 + size}.{cents}", f"{18 + size}.50",
                         str(index % 50 + stock_shift), str(index % 7 + stock_shift)])
    return buffer.getvalue().encode("utf-8-sig")


def setup(app) -> tuple[int, int]:
    """A merchant store with two warehouses; returns (owner id, store id)."""
    from app.extensions import db
    from app.models import Membership, Organization, Store, User, Warehouse

    with app.app_context():
        owner = User(email="merchant@example.test", password_hash="x", display_name="M")
        org = Organization(kind="merchant", name="Bench", slug="bench")
        store = Store(organization=org, name="Bench", slug="bench", base_currency="USD",
                      origin_country="US")
        db.session.add_all([owner, org, store, Membership(organization=org, user=owner,
                                                          role="owner")])
        db.session.flush()
        db.session.add_all([Warehouse(store_id=store.id, name="Brooklyn", country="US"),
                            Warehouse(store_id=store.id, name="Shenzhen", country="CN")])
        db.session.commit()
        ids = owner.id, store.id
        db.session.remove()
        return ids


def timed_import(app, owner_id: int, store_id: int, data: bytes) -> dict:
    """Upload (check) and import one file; seconds per phase and the counts."""
    from app.core.transaction import commit
    from app.extensions import db
    from app.models import CatalogImport, User
    from app.services.catalog import csv_import as catalog_csv_import

    with app.app_context():
        owner = db.session.get(User, owner_id)
        t0 = time.perf_counter()
        upload = catalog_csv_import.start_catalog_import(owner, store_id, "bench.csv", data)
        commit()  # the check runs here, in-process
        t1 = time.perf_counter()
        import_id = upload.id
        state = db.session.get(CatalogImport, import_id).state
        assert state == "ready", db.session.get(CatalogImport, import_id).errors[:5]
        catalog_csv_import.begin_catalog_import(owner, store_id, import_id)
        commit()  # the import runs here, in-process
        t2 = time.perf_counter()
        db.session.expire_all()
        done = db.session.get(CatalogImport, import_id)
        assert done.state == "done", done.errors[:5]
        result = {"check": t1 - t0, "import": t2 - t1, "created": done.created_count,
                  "updated": done.updated_count, "unchanged": done.unchanged_count}
        db.session.remove()
        return result


def export(app, owner_id: int, store_id: int) -> tuple[bytes, float]:
    """The store's export and the seconds it took."""
    from app.extensions import db
    from app.models import User
    from app.services.catalog.csv_format import export_catalog_csv

    with app.app_context():
        t0 = time.perf_counter()
        data = b"".join(export_catalog_csv(db.session.get(User, owner_id), store_id))
        elapsed = time.perf_counter() - t0
        db.session.remove()
        return data, elapsed


def report(label: str, result: dict) -> None:
    print(f"{label:<28} check {result['check']:6.1f} s   import {result['import']:6.1f} s   "
          f"total {result['check'] + result['import']:6.1f} s   created {result['created']}, "
          f"updated {result['updated']}, unchanged {result['unchanged']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-csv.db'}")
    args = parser.parse_args()
    app = make_app(fresh_database(args.database_url))
    owner_id, store_id = setup(app)
    data = make_file(args.rows)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB, on "
          f"{args.database_url.split(':', 1)[0]}")
    report("new catalog", timed_import(app, owner_id, store_id, data))
    report("same file again", timed_import(app, owner_id, store_id, data))
    report("every price and stock new", timed_import(
        app, owner_id, store_id, make_file(args.rows, cents=49, stock_shift=3)))
    exported, seconds = export(app, owner_id, store_id)
    print(f"{'export':<28} {seconds:6.1f} s   {len(exported) / 1e6:.1f} MB")
    report("import of the export", timed_import(app, owner_id, store_id, exported))


if __name__ == "__main__":
    main()
