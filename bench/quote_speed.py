"""Landed-cost quote speed: a 10-item cart from 3 stores, quoted in JPY for Japan.

Builds three stores (USD/US, CNY/CN, GBP/GB), each with a shipping profile, 40 products
of 3 variants with stock, the shipped market rules and fresh ECB sample rates; fills a
shopper's cart with 10 variants (4 + 3 + 3) and times `quotes.create_quote` plus its
commit (prices, rates, shipping, duties and taxes, the stock hold), in-process. Before
each run the previous quote is cancelled outside the timing, as a shopper's new quote
would. Then it times the same through the API (`POST /api/v1/checkout/quotes`, JSON in
and out) and prints the SQL statements of one quote for carts of 1, 10 and 30 items.

    .venv/bin/python bench/quote_speed.py [--runs 300] [--database-url URL]

Default database: a SQLite file in the temp folder. For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_quote
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _common import describe, fresh_database, make_app
from sqlalchemy import event

STORES = (("USD", "US", "25"), ("CNY", "CN", "88"), ("GBP", "GB", "19.50"))
PRODUCTS_PER_STORE = 40
DESTINATIONS = {
    "JP": ("JPY", {"name": "Aiko Tanaka", "line1": "1-1 Chiyoda", "city": "Tokyo",
                   "region": "Tokyo", "postal_code": "100-0001", "country": "JP"}),
    # The EU's flat EUR 3 per subheading; a province's tax and CUSMA preferences.
    "DE": ("EUR", {"name": "Lena Vogel", "line1": "Unter den Linden 1", "city": "Berlin",
                   "postal_code": "10117", "country": "DE"}),
    "CA": ("CAD", {"name": "Sam Lee", "line1": "1 Yonge Street", "city": "Toronto",
                   "region": "ON", "postal_code": "M5E 1W7", "country": "CA"}),
    # The US store's parcel is domestic (New York's sales tax only); the others are imports.
    "US": ("USD", {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "city": "New York",
                   "region": "NY", "postal_code": "10118", "country": "US"}),
}
CURRENCY, ADDRESS = DESTINATIONS["JP"]


def build(app) -> tuple[int, list[list[int]]]:
    """The stores, products, stock, rules and rates; the shopper's id and variant ids."""
    from app.extensions import db
    from app.models import Membership, Organization, Store, User, Warehouse, utcnow
    from app.services import inventory
    from app.services.catalog import products as catalog
    from app.services.fx import conversion as fx
    from app.services.markets.landed_cost import load_market_rules
    from tests.checkout_factories import ECB_SAMPLE, build_profile, default_zones

    with app.app_context():
        load_market_rules()
        fx.import_ecb_rates(ECB_SAMPLE.read_bytes()).as_of = utcnow() - timedelta(hours=1)
        shopper = User(email="shopper@bench.test", password_hash="x", display_name="Shopper")
        db.session.add(shopper)
        variants_per_store = []
        for n, (currency, country, price) in enumerate(STORES):
            owner = User(email=f"owner{n}@bench.test", password_hash="x",
                         display_name=f"Owner {n}")
            org = Organization(kind="merchant", name=f"Store {n}", slug=f"store-{n}")
            store = Store(organization=org, name=f"Store {n}", slug=f"store-{n}",
                          base_currency=currency, origin_country=country)
            db.session.add_all([owner, org, store, Membership(organization=org, user=owner,
                                                              role="owner")])
            warehouse = Warehouse(store=store, name="Main", country=country)
            db.session.add(warehouse)
            db.session.flush()
            build_profile(store, default_zones(country))
            ids = []
            for p in range(PRODUCTS_PER_STORE):
                product = catalog.create_product(owner, store.id, {
                    "title": f"Product {n}-{p}", "hs_code": "090210", "status": "active",
                    "weight_grams": 150, "variants": [
                        {"sku": f"S{n}-{p}-{size}", "price": price, "options": {"Size": size}}
                        for size in ("S", "M", "L")]})
                db.session.flush()
                for variant in product.variants:
                    inventory.receive_stock(owner, store.id, variant.id, warehouse.id, 100_000,
                                            reference=("bench", "seed"))
                    ids.append(variant.id)
            variants_per_store.append(ids)
            db.session.commit()
        shopper_id = shopper.id
        db.session.remove()
    return shopper_id, variants_per_store


def fill_cart(app, shopper_id: int, variant_ids: list[int]) -> None:
    from app.extensions import db
    from app.models import User
    from app.services.checkout import cart as carts

    with app.app_context():
        user = db.session.get(User, shopper_id)
        carts.clear_cart(user)
        for variant_id in variant_ids:
            carts.add_item(carts.open_cart(user=user), variant_id, 1)
        db.session.commit()
        db.session.remove()


def time_service(app, shopper_id: int, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU milliseconds per create_quote + commit, and one quote's statements.

    CPU time (this process) is what the quote costs the app server; on a busy machine
    wall time also holds the time spent waiting for a core.
    """
    from app.extensions import db
    from app.models import User
    from app.services.checkout import quotes

    samples, cpu, statements = [], [], []

    def count(*_args):
        statements.append(1)

    with app.app_context():
        for run in range(runs + 20):
            user = db.session.get(User, shopper_id)
            quotes.cancel_open_quotes(user.id)
            db.session.commit()
            db.session.expire_all()
            if run == 20:
                event.listen(db.engine, "before_cursor_execute", count)
            t0, c0 = time.perf_counter(), time.process_time()
            quotes.create_quote(db.session.get(User, shopper_id), CURRENCY, ADDRESS)
            db.session.commit()
            elapsed = (time.perf_counter() - t0) * 1000
            used = (time.process_time() - c0) * 1000
            if run == 20:
                event.remove(db.engine, "before_cursor_execute", count)
            if run >= 20:  # after the warm-up
                samples.append(elapsed)
                cpu.append(used)
        db.session.remove()
    return samples, cpu, len(statements)


def time_api(app, shopper_id: int, runs: int) -> list[float]:
    """Milliseconds per POST /api/v1/checkout/quotes (token auth, JSON in and out)."""
    from app.extensions import db
    from app.models import User
    from app.services.accounts.api_tokens import issue_login_token
    from app.services.checkout import quotes

    with app.app_context():
        _token, secret = issue_login_token(db.session.get(User, shopper_id))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    samples = []
    for run in range(runs + 20):
        with app.app_context():
            quotes.cancel_open_quotes(shopper_id)
            db.session.commit()
            db.session.remove()
        t0 = time.perf_counter()
        response = client.post("/api/v1/checkout/quotes", headers=headers,
                               json={"currency": CURRENCY, "shipping_address": ADDRESS})
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 201, response.get_json()
        if run >= 20:
            samples.append(elapsed)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--to", choices=sorted(DESTINATIONS), default="JP",
                        help="Destination: JP (yen), DE (euro, flat duty), CA (Ontario HST), "
                        "US (New York sales tax, one parcel domestic).")
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-quote.db'}")
    args = parser.parse_args()
    global CURRENCY, ADDRESS
    CURRENCY, ADDRESS = DESTINATIONS[args.to]
    url = fresh_database(args.database_url)
    app = make_app(url, QUOTE_TTL_MINUTES=15)
    started = time.perf_counter()
    shopper_id, per_store = build(app)
    print(f"built 3 stores x {PRODUCTS_PER_STORE} products x 3 variants in "
          f"{time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    ten = per_store[0][:4] + per_store[1][:3] + per_store[2][:3]
    for label, items in (("1 item", per_store[0][:1]), ("10 items, 3 stores", ten),
                         ("30 items, 3 stores", [v for ids in per_store for v in ids[:10]])):
        fill_cart(app, shopper_id, items)
        _wall, _cpu, statements = time_service(app, shopper_id, 5)
        print(f"statements per quote, {label}: {statements}")
    fill_cart(app, shopper_id, ten)
    samples, cpu, _ = time_service(app, shopper_id, args.runs)
    print(f"create_quote + commit, 10 items from 3 stores: {describe(samples)}")
    print(f"  the same, CPU time of this process:          {describe(cpu)}")
    print(f"POST /api/v1/checkout/quotes, same cart:       "
          f"{describe(time_api(app, shopper_id, args.runs))}")


if __name__ == "__main__":
    main()
