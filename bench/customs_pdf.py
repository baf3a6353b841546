"""CN23 rendering speed for a 10-line order (target: under 300 ms).

Builds one Chinese tea store with 10 products (English and Chinese titles, HS codes,
weights), one paid order of all 10 to Germany with a tracking number, then renders its CN23
through `render_customs_document` (permission check, declaration queries, PDF drawing,
compressed) N times after a warm-up and prints the median and p95. A commercial invoice and
the CN22 label are timed too, for scale.

    .venv/bin/python bench/customs_pdf.py [--runs 200]
        [--database-url sqlite:////tmp/qiao-bench-customs.db]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _common import ROOT, fresh_database, make_app, percentiles

KINDS = ("cn23", "commercial-invoice", "cn22")


def build(app) -> tuple[int, int, int]:
    """The store's owner id, store id and the paid 10-line order's id."""
    from app.core.transaction import commit
    from app.extensions import db
    from app.models import Membership, Organization, Store, User, Warehouse, utcnow
    from app.services import inventory
    from app.services.catalog import products as catalog
    from app.services.checkout import cart, quotes
    from app.services.fx import conversion as fx
    from app.services.markets.landed_cost import load_market_rules
    from app.services.payments import quote_payments as payments
    from app.web.links import site_links
    from tests.checkout_factories import build_profile, default_zones

    with app.app_context():
        owner = User(email="owner@bench.test", password_hash="x", display_name="Owner")
        shopper = User(email="shopper@bench.test", password_hash="x", display_name="Lena",
                       email_verified_at=utcnow())
        org = Organization(kind="merchant", name="西湖茶庄 West Lake Tea", slug="west-lake")
        db.session.add_all([owner, shopper, org,
                            Membership(organization=org, user=owner, role="owner")])
        store = Store(organization=org, name=org.name, slug=org.slug, base_currency="CNY",
                      origin_country="CN")
        db.session.add(store)
        db.session.flush()
        warehouse = Warehouse(store_id=store.id, name="杭州仓", address_line1="龙井路 1 号",
                              city="杭州", postal_code="310000", country="CN")
        db.session.add(warehouse)
        build_profile(store, default_zones("CN"))
        snapshot = fx.import_ecb_rates(
            (ROOT / "tests" / "data" / "ecb-eurofxref-sample.xml").read_bytes())
        snapshot.as_of = utcnow() - timedelta(hours=1)
        load_market_rules()
        db.session.flush()
        variants = []
        for n in range(10):
            product = catalog.create_product(owner, store.id, {
                "title": f"西湖龙井 明前特级 {n + 1} 号", "title_en": f"West Lake Longjing green "
                f"tea, pre-Qingming grade, tin {n + 1}", "hs_code": "090210",
                "origin_country": "CN", "weight_grams": 250 + 10 * n, "status": "active",
                "variants": [{"sku": f"LJ-{n:02d}", "price": str(88 + n)}]})
            db.session.flush()
            inventory.receive_stock(owner, store.id, product.variants[0].id, warehouse.id, 100,
                                    reference=("bench", "seed"))
            variants.append(product.variants[0])
        for variant in variants:
            cart.add_item(cart.open_cart(user=shopper), variant.id, 1, ship_to="DE")
        quote = quotes.create_quote(shopper, "EUR", {
            "name": "Lena Vogel", "line1": "Unter den Linden 1", "line2": "", "city": "Berlin",
            "region": "", "postal_code": "10117", "country": "DE", "phone": ""})
        payment = payments.prepare_payment(shopper, quote.id, links=site_links)
        payment.intent_id = "pi_bench"
        (order,) = payments.fulfil_payment(payment, links=site_links)
        commit()
        ids = owner.id, store.id, order.id
        db.session.remove()
        return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_db = Path(tempfile.gettempdir()) / "qiao-bench-customs.db"
    parser.add_argument("--database-url", default=f"sqlite:///{default_db}")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    app = make_app(fresh_database(args.database_url), PLATFORM_IOSS_NUMBER="IM2760000001")
    owner_id, store_id, order_id = build(app)

    from app.extensions import db
    from app.models import User
    from app.services.logistics.customs_documents import render_customs_document

    with app.app_context():
        owner = db.session.get(User, owner_id)
        for kind in KINDS:
            samples, size = [], 0
            for run in range(args.runs + 5):
                t0 = time.perf_counter()
                document = render_customs_document(owner, store_id, order_id, kind,
                                                   tracking_number="RR473124829CN")
                elapsed = (time.perf_counter() - t0) * 1000
                if run >= 5:  # the first runs load fonts and warm caches
                    samples.append(elapsed)
                size = len(document.content)
                db.session.rollback()
            cuts = percentiles(samples)
            print(f"{kind:>20}, 10 lines: median {cuts['p50']:.1f} ms, p95 {cuts['p95']:.1f} ms"
                  f" ({args.runs} runs, {size:,} bytes)")


if __name__ == "__main__":
    main()
