"""Storefront page speed with 10,000 products and 50,000 variants, in-process.

Builds the data set of bench/product_read.py (100 stores x 100 products x 5 variants,
fixed EUR prices, stock in two warehouses, ledger rows, active reservations), adds a
fresh USD->JPY rate, then times the HTML storefront through the Flask test client:
the product page for three viewers (base-currency USD, fixed-price EUR, FX-converted
JPY), a store page, /shop and a /shop search. Prints p50/p95/p99 and the SQL statements
of one request.

    .venv/bin/python bench/product_page.py [--database-url URL] [--requests 1000]

Default database: a SQLite file in the temp folder (the embedded default). For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_page
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _common import describe, fresh_database, make_app
from product_read import PRODUCTS_PER_STORE, STORES, build
from sqlalchemy import event

VIEWERS = {  # display currency and ship-to country kept in the guest's session
    "USD/US (base price)": {"currency": "USD", "ship_to_country": "US"},
    "EUR/DE (fixed price)": {"currency": "EUR", "ship_to_country": "DE"},
    "JPY/JP (converted)": {"currency": "JPY", "ship_to_country": "JP"},
}


def add_rate(app) -> None:
    """A fresh admin rate USD->JPY, so JPY viewers get converted prices."""
    from app.extensions import db
    from app.models import User
    from app.services.fx import conversion as fx

    with app.app_context():
        fx.set_manual_rate(db.session.get(User, 1), "USD", "JPY", "150")
        db.session.commit()
        db.session.remove()


def time_pages(app, paths: list[str], preferences: dict[str, str]) -> tuple[list[float], int]:
    """Milliseconds per GET for a guest with `preferences` (after a warm-up), and the SQL
    statements of one request."""
    from app.extensions import db

    client = app.test_client()
    with client.session_transaction() as session:
        session["preferences"] = preferences
    for path in paths[:50]:
        assert client.get(path).status_code == 200, path
    samples = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with app.app_context():
        engine = db.engine
    queries: list[int] = []

    def count(*_args) -> None:
        queries.append(1)

    event.listen(engine, "before_cursor_execute", count)
    client.get(paths[-1])
    event.remove(engine, "before_cursor_execute", count)
    return samples, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-page.db'}")
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    url = fresh_database(args.database_url)
    app = make_app(url)
    t0 = time.perf_counter()
    counts = build(app)
    add_rate(app)
    print(f"data set built in {time.perf_counter() - t0:.1f} s on {url.rsplit('@', 1)[-1]}: "
          f"{counts['products']:,} products, {counts['product_variants']:,} variants")

    rng = random.Random(42)
    live = [pid for pid in range(1, STORES * PRODUCTS_PER_STORE + 1)
            if (pid - 1) % PRODUCTS_PER_STORE % 20]
    for label, preferences in VIEWERS.items():
        paths = [f"/products/{rng.choice(live)}" for _ in range(args.requests)]
        samples, queries = time_pages(app, paths, preferences)
        print(f"product page, {label}: {describe(samples)} ({queries} SQL statements)")

    pages = max(args.requests // 5, 60)
    lists = {
        "store page (24 products)": [f"/stores/store-{rng.randint(1, STORES)}"
                                     for _ in range(pages)],
        "/shop (24 products, all stores)": ["/shop"] * pages,
        "/shop?q=... (title search)": [f"/shop?q=Product+{rng.randint(1, 999)}"
                                      for _ in range(pages)],
    }
    for label, paths in lists.items():
        samples, queries = time_pages(app, paths, VIEWERS["JPY/JP (converted)"])
        print(f"{label}, JPY/JP: {describe(samples)} ({queries} SQL statements)")


if __name__ == "__main__":
    main()
