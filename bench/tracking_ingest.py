"""Tracking webhook throughput: events per second through POST /api/v1/webhooks/tracking.

    .venv/bin/python bench/tracking_ingest.py [--events 5000] [--batch 100] [--shipments 200]
        [--database-url URL [URL ...]]

Builds one paid order with `--shipments` shipments, then posts `--events` signed events
in batches of `--batch` through the Flask test client, one worker: about 60 % new events,
20 % redeliveries of events already sent (duplicates) and 20 % older scans arriving after
newer ones (out of order). Prints, per database (by default a SQLite file, then
PostgreSQL), events/second, the outcome counts and the SQL statements per delivery.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from _common import fresh_database, make_app

SECRET = "bench-secret"


def build(app, shipments: int) -> list[tuple[int, str]]:
    """One paid order with many shipments; (shipment id, tracking number) of each."""
    from app.extensions import db
    from app.models import Membership, Organization, Payment, Store, User, Warehouse, utcnow
    from app.models.logistics import Shipment
    from app.services import inventory
    from app.services.catalog import products as catalog
    from app.services.checkout import cart, quotes
    from app.services.fx import conversion as fx
    from app.services.markets.landed_cost import load_market_rules
    from app.services.orders.lifecycle import create_orders_for_quote
    from tests.checkout_factories import ECB_SAMPLE, address_for, build_profile, default_zones

    with app.app_context():
        load_market_rules()
        fx.import_ecb_rates(ECB_SAMPLE.read_bytes()).as_of = utcnow() - timedelta(hours=1)
        shopper = User(email="shopper@bench.test", password_hash="x", display_name="Shopper")
        owner = User(email="owner@bench.test", password_hash="x", display_name="Owner")
        org = Organization(kind="merchant", name="Store", slug="store")
        store = Store(organization=org, name="Store", slug="store", base_currency="USD",
                      origin_country="US")
        warehouse = Warehouse(store=store, name="Main", country="US")
        db.session.add_all([shopper, owner, org, store, warehouse,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        build_profile(store, default_zones("US"))
        product = catalog.create_product(owner, store.id, {
            "title": "Tea", "hs_code": "090210", "status": "active", "weight_grams": 150,
            "variants": [{"sku": "TEA", "price": "10"}]})
        db.session.flush()
        variant = product.variants[0]
        inventory.receive_stock(owner, store.id, variant.id, warehouse.id, 10,
                                reference=("bench", "seed"))
        db.session.commit()
        cart.add_item(cart.open_cart(user=shopper), variant.id, 1, ship_to="JP")
        quote = quotes.create_quote(shopper, "USD", address_for("JP"))
        payment = Payment(quote_id=quote.id, idempotency_key=str(uuid.uuid4()),
                          state="succeeded", currency="USD", amount_minor=quote.total_minor)
        db.session.add(payment)
        db.session.flush()
        order = create_orders_for_quote(quote, payment)[0]
        rows = []
        for n in range(shipments):
            shipment = Shipment(order_id=order.id, store_id=store.id,
                                warehouse_id=warehouse.id, carrier="yunexpress",
                                tracking_number=f"YT{n:016d}")
            db.session.add(shipment)
            rows.append(shipment)
        db.session.commit()
        return [(s.id, s.tracking_number) for s in rows]


def events(parcels: list[tuple[int, str]], total: int, seed: int = 7) -> list[dict]:
    """A stream with new events, redeliveries and out-of-order scans."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=30)
    sent: list[dict] = []
    stream = []
    statuses = ("info_received", "in_transit", "customs", "in_transit", "out_for_delivery")
    for i in range(total):
        roll = rng.random()
        if sent and roll < 0.2:
            stream.append(dict(rng.choice(sent)))  # a redelivery
            continue
        _sid, number = rng.choice(parcels)
        # Out of order: dated well before the newest scans already sent.
        at = start + timedelta(minutes=i if roll >= 0.4 else max(i - 5000, 0) // 2)
        status = rng.choice(statuses)
        event = {"carrier": "yunexpress", "tracking_number": number,
                 "occurred_at": at.astimezone().isoformat(), "status": status,
                 "sub_status": "released" if status == "customs" else "",
                 "location": f"Hub {i % 50}", "carrier_code": status.upper(),
                 "description": f"Scan {i}"}
        stream.append(event)
        sent.append(event)
    return stream


def run(url: str, args: argparse.Namespace) -> None:
    """Build a fresh database at `url`, post the stream, print the figures."""
    from sqlalchemy import event

    from app.extensions import db

    url = fresh_database(url)
    app = make_app(url, TRACKING_WEBHOOK_SECRET=SECRET,
                   TRACKING_WEBHOOK_MAX_EVENTS=max(args.batch, 1))
    parcels = build(app, args.shipments)
    stream = events(parcels, args.events)
    client = app.test_client()
    counts: dict[str, int] = {}
    statements: list[int] = []
    with app.app_context():
        engine = db.engine

    def count(*_args) -> None:
        statements[-1] += 1

    event.listen(engine, "before_cursor_execute", count)
    started, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(stream), args.batch):
        raw = json.dumps({"events": stream[offset:offset + args.batch]}).encode()
        signature = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        statements.append(0)
        response = client.post("/api/v1/webhooks/tracking", data=raw, headers={
            "Content-Type": "application/json", "X-Qiao-Signature": signature})
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        for name, value in response.json["counts"].items():
            counts[name] = counts.get(name, 0) + value
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(engine, "before_cursor_execute", count)
    print(f"database: {url.split('@')[-1]}")
    print(f"{len(stream)} events in batches of {args.batch} over {len(parcels)} shipments: "
          f"{elapsed:.2f} s, {len(stream) / elapsed:.0f} events/s")
    # The bench process's own CPU time moves less with the machine's load than wall time.
    print(f"CPU time of this process: {cpu:.2f} s ({len(stream) / cpu:.0f} events per CPU "
          "second)")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    # Includes the e-mails delivered in-process after each commit (no broker here).
    print(f"SQL statements per delivery: min {min(statements)}, "
          f"median {statistics.median(statements):.0f}, max {max(statements)}")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    """Run the bench on each database named."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--shipments", type=int, default=200)
    parser.add_argument("--database-url", nargs="+", default=[
        "sqlite:////tmp/qiao-bench-tracking.db",
        "postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_tracking"])
    args = parser.parse_args()
    for url in args.database_url:
        run(url, args)


if __name__ == "__main__":
    main()
