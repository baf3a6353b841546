"""Product read speed with 10,000 products and 50,000 variants, in-process.

Builds the data set (100 stores x 100 products x 5 variants, each variant with a fixed
price, stock in two warehouses and its ledger rows, some active reservations), then
times GET requests through the Flask test client: the public product read (default
`/api/v1/products/{id}?currency=EUR&country=US`, or any `--path` with `{id}`, e.g. the
storefront product page once it exists) and a store's catalog page. Prints p50/p95/p99.

    .venv/bin/python bench/product_read.py [--database-url URL] [--requests 1000]
        [--path "/api/v1/products/{id}?currency=EUR&country=US"]

Default database: a SQLite file in the temp folder (the embedded default). For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_read
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import describe, fresh_database, make_app
from sqlalchemy import event, insert

STORES = 100
PRODUCTS_PER_STORE = 100
SIZES = ["XS", "S", "M", "L", "XL"]


def build(app) -> dict[str, int]:
    """Insert the data set with bulk statements; returns row counts."""
    from app.extensions import db
    from app.models import (
        InventoryLevel,
        Membership,
        Organization,
        Product,
        ProductImage,
        ProductOption,
        ProductOptionValue,
        ProductVariant,
        Reservation,
        StockMovement,
        Store,
        User,
        VariantPrice,
        Warehouse,
    )

    now = datetime.now(UTC)
    later = now + timedelta(days=1)
    stamp = {"created_at": now, "updated_at": now}
    rows: dict[type, list[dict]] = {model: [] for model in (
        User, Organization, Membership, Store, Warehouse, Product, ProductImage, ProductOption,
        ProductOptionValue, ProductVariant, VariantPrice, InventoryLevel, Reservation,
        StockMovement)}
    ids = {"product": 0, "variant": 0, "level": 0, "option": 0, "value": 0, "price": 0,
           "movement": 0, "reservation": 0, "warehouse": 0, "image": 0}
    for s in range(1, STORES + 1):
        rows[User].append({"id": s, "email": f"m{s}@example.test", "password_hash": "x",
                           "display_name": f"Merchant {s}", "languages": [],
                           "is_active_account": True, "session_version": 1, "bio": "", **stamp})
        rows[Organization].append({"id": s, "kind": "merchant", "name": f"Store {s}",
                                   "slug": f"store-{s}", **stamp})
        rows[Membership].append({"id": s, "organization_id": s, "user_id": s, "role": "owner",
                                 **stamp})
        rows[Store].append({"id": s, "organization_id": s, "name": f"Store {s}",
                            "slug": f"store-{s}", "description": "", "base_currency": "USD",
                            "origin_country": "US", "return_policy": "", "sells_to": [],
                            **stamp})
        warehouses = []
        for country in ("US", "CN"):
            ids["warehouse"] += 1
            warehouses.append(ids["warehouse"])
            rows[Warehouse].append({
                "id": ids["warehouse"], "store_id": s, "name": f"W-{country}",
                "address_line1": "", "address_line2": "", "city": "", "region": "",
                "postal_code": "", "country": country, "is_active": True, **stamp})
        for p in range(PRODUCTS_PER_STORE):
            ids["product"] += 1
            pid = ids["product"]
            rows[Product].append({
                "id": pid, "store_id": s, "status": "active" if p % 20 else "draft",
                "title": f"Product {pid}", "title_zh": f"商品 {pid}",
                "description": "A fine thing. " * 20, "category": "home", "brand_name": "Brand",
                "hs_code": "610910", "origin_country": "US", "weight_grams": 300,
                "restricted_countries": ["AU"] if p % 7 == 0 else [],
                "low_stock_threshold": 5, **stamp})
            ids["image"] += 1
            rows[ProductImage].append({
                "id": ids["image"], "product_id": pid, "position": 0, "width": 800,
                "height": 800, "alt_text": "", "keys": {
                    name: f"products/{s}/{pid}/bench-{name}.webp"
                    for name in ("thumb", "medium", "large")}, **stamp})
            ids["option"] += 1
            rows[ProductOption].append({"id": ids["option"], "product_id": pid, "name": "Size",
                                        "position": 0})
            for position, size in enumerate(SIZES):
                ids["value"] += 1
                rows[ProductOptionValue].append({"id": ids["value"], "option_id": ids["option"],
                                                 "value": size, "position": position})
                ids["variant"] += 1
                vid = ids["variant"]
                rows[ProductVariant].append({
                    "id": vid, "product_id": pid, "store_id": s, "sku": f"P{pid}-{size}",
                    "price_minor": 1000 + vid % 5000, "currency": "USD",
                    "options": {"Size": size}, "is_active": True, "position": position,
                    **stamp})
                ids["price"] += 1
                rows[VariantPrice].append({"id": ids["price"], "variant_id": vid,
                                           "currency": "EUR", "price_minor": 900 + vid % 5000,
                                           **stamp})
                for warehouse_id in warehouses:
                    ids["level"] += 1
                    on_hand = (vid * 7 + warehouse_id) % 40
                    reserved = 1 if on_hand and vid % 10 == 0 else 0
                    rows[InventoryLevel].append({
                        "id": ids["level"], "variant_id": vid, "warehouse_id": warehouse_id,
                        "on_hand": on_hand, "reserved": reserved, **stamp})
                    if on_hand:
                        ids["movement"] += 1
                        rows[StockMovement].append({
                            "id": ids["movement"], "level_id": ids["level"], "kind": "receive",
                            "on_hand_delta": on_hand, "reserved_delta": 0, "reason": "",
                            "reservation_id": None, "created_at": now})
                    if reserved:
                        ids["reservation"] += 1
                        rows[Reservation].append({
                            "id": ids["reservation"], "level_id": ids["level"], "quantity": 1,
                            "owner_type": "bench", "owner_id": str(ids["reservation"]),
                            "expires_at": later, "state": "active", **stamp})
                        ids["movement"] += 1
                        rows[StockMovement].append({
                            "id": ids["movement"], "level_id": ids["level"], "kind": "reserve",
                            "on_hand_delta": 0, "reserved_delta": 1, "reason": "",
                            "reservation_id": ids["reservation"], "created_at": now})
    with app.app_context():
        for model, batch in rows.items():
            for start in range(0, len(batch), 5000):
                db.session.execute(insert(model.__table__), batch[start:start + 5000])
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            for table in ("users", "organizations", "memberships", "stores", "warehouses",
                          "products", "product_images", "product_options",
                          "product_option_values", "product_variants", "variant_prices",
                          "inventory_levels", "stock_movements", "reservations"):
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
            db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.session.remove()
    return {model.__tablename__: len(batch) for model, batch in rows.items()}


def time_requests(app, paths: list[str]) -> tuple[list[float], int]:
    """Milliseconds per GET (after a warm-up) and the queries of the last request."""
    from app.extensions import db

    client = app.test_client()
    for path in paths[:50]:
        assert client.get(path).status_code == 200, path
    samples = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    queries = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: queries.append(1))
    client.get(paths[-1])
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-read.db'}")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--path", default="/api/v1/products/{id}?currency=EUR&country=US")
    args = parser.parse_args()

    url = fresh_database(args.database_url)
    app = make_app(url)
    t0 = time.perf_counter()
    counts = build(app)
    print(f"data set built in {time.perf_counter() - t0:.1f} s on {url.rsplit('@', 1)[-1]}: "
          f"{counts['products']:,} products, {counts['product_variants']:,} variants, "
          f"{counts['inventory_levels']:,} stock levels, {counts['stock_movements']:,} ledger "
          f"rows, {counts['reservations']:,} active reservations")

    rng = random.Random(42)
    total = STORES * PRODUCTS_PER_STORE
    live = [pid for pid in range(1, total + 1) if (pid - 1) % PRODUCTS_PER_STORE % 20]
    product_paths = [args.path.format(id=rng.choice(live)) for _ in range(args.requests)]
    samples, queries = time_requests(app, product_paths)
    print(f"product read {args.path}: {describe(samples)} ({queries} SQL statements)")

    catalog_paths = [f"/api/v1/stores/{rng.randint(1, STORES)}/catalog?limit=20&currency=EUR"
                     f"&country=US" for _ in range(max(args.requests // 5, 60))]
    samples, queries = time_requests(app, catalog_paths)
    print(f"store catalog page (20 products): {describe(samples)} ({queries} SQL statements)")


if __name__ == "__main__":
    main()
