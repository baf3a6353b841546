"""Bulk "mark shipped" speed: one CSV of many orders, checked and shipped in one go.

    .venv/bin/python bench/bulk_shipping.py [--orders 200]
        [--database-url sqlite:////tmp/qiao-bench-bulk.db]

Builds `--orders` paid orders of one store (two lines each, stock held for them through
the real payment fulfilment), writes the CSV a merchant would (one row per line, two
rows per parcel), then times: the upload that ships everything (every row checked, then
one `create_shipment` per parcel, one commit), and the same file uploaded again (every
row reported as already shipped, nothing written). Prints rows/second for both.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import timedelta

from _common import fresh_database, make_app


def build(app, orders: int) -> str:
    """Paid orders with held stock; the CSV that ships them all."""
    from app.extensions import db
    from app.models import Membership, Organization, Payment, Store, User, Warehouse, utcnow
    from app.services import inventory
    from app.services.catalog import products as catalog
    from app.services.checkout import cart, quotes
    from app.services.fx import conversion as fx
    from app.services.logistics import order_reference
    from app.services.markets.landed_cost import load_market_rules
    from app.services.payments.quote_payments import fulfil_payment
    from app.web.links import site_links
    from tests.checkout_factories import ECB_SAMPLE, address_for, build_profile, default_zones

    with app.app_context(), app.test_request_context():
        load_market_rules()
        fx.import_ecb_rates(ECB_SAMPLE.read_bytes()).as_of = utcnow() - timedelta(hours=1)
        owner = User(email="owner@bench.test", password_hash="x", display_name="Owner")
        org = Organization(kind="merchant", name="Store", slug="store")
        store = Store(organization=org, name="Store", slug="store", base_currency="USD",
                      origin_country="US")
        warehouse = Warehouse(store=store, name="Main", country="US")
        db.session.add_all([owner, org, store, warehouse,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        build_profile(store, default_zones("US"))
        product = catalog.create_product(owner, store.id, {
            "title": "Tea", "hs_code": "090210", "status": "active", "weight_grams": 150,
            "variants": [{"sku": "TEA-S", "price": "10", "options": {"size": "S"}},
                         {"sku": "TEA-L", "price": "18", "options": {"size": "L"}}],
            "options": [{"name": "size", "values": ["S", "L"]}]})
        db.session.flush()
        for variant in product.variants:
            inventory.receive_stock(owner, store.id, variant.id, warehouse.id, orders * 3,
                                    reference=("bench", "seed"))
        db.session.commit()
        lines = ["order,sku,quantity,carrier,tracking_number"]
        for n in range(orders):
            shopper = User(email=f"s{n}@bench.test", password_hash="x", display_name=f"S{n}")
            db.session.add(shopper)
            db.session.flush()
            shopper_cart = cart.open_cart(user=shopper)
            for variant in product.variants:
                cart.add_item(shopper_cart, variant.id, 1, ship_to="JP")
            quote = quotes.create_quote(shopper, "USD", address_for("JP"))
            payment = Payment(quote_id=quote.id, idempotency_key=str(uuid.uuid4()),
                              intent_id=f"pi_{uuid.uuid4().hex[:16]}", state="created",
                              currency="USD", amount_minor=quote.total_minor)
            db.session.add(payment)
            db.session.flush()
            order = fulfil_payment(payment, links=site_links)[0]
            db.session.commit()
            for line in order.lines:
                lines.append(f"{order_reference(order)},{line.sku},{line.quantity},"
                             f"yunexpress,YT{n:016d}")
        return "\n".join(lines) + "\n"


def upload(app, data: bytes) -> tuple[float, float, int, int]:
    """Seconds to check and ship, seconds to commit (queued e-mails included), shipments
    created and problems of one upload."""
    from app.core.transaction import commit, rollback
    from app.extensions import db
    from app.models import User
    from app.services.logistics import bulk_shipping
    from app.web.links import site_links

    with app.app_context(), app.test_request_context():
        owner = db.session.query(User).filter_by(email="owner@bench.test").one()
        store_id = 1
        started = time.perf_counter()
        try:
            result = bulk_shipping.ship_from_csv(owner, store_id, data, links=site_links)
        except bulk_shipping.BulkShippingRejected as exc:
            rollback()
            return time.perf_counter() - started, 0.0, 0, len(exc.problems)
        shipped = time.perf_counter()
        commit()
        return shipped - started, time.perf_counter() - shipped, len(result.shipments), 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--database-url", default="sqlite:////tmp/qiao-bench-bulk.db")
    args = parser.parse_args()
    app = make_app(fresh_database(args.database_url))
    text = build(app, args.orders)
    rows = text.count("\n") - 1
    data = text.encode()
    print(f"{args.orders} orders, {rows} rows, {len(data) / 1024:.0f} KB "
          f"({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]})")
    seconds, committing, shipped, problems = upload(app, data)
    print(f"first upload: {shipped} shipments checked and made in {seconds:.2f} s "
          f"({rows / seconds:.0f} rows/s, {problems} problems); commit and the in-process "
          f"e-mail jobs {committing:.2f} s")
    seconds, _committing, shipped, problems = upload(app, data)
    print(f"same file again: {problems} rows reported, {shipped} shipped, in {seconds:.2f} s "
          f"({rows / seconds:.0f} rows/s)")


if __name__ == "__main__":
    main()
