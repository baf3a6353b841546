"""Payment and refund races over the API, on SQLite and PostgreSQL: one intent, no over-refund.

Per round and database: a fresh tea store, a shopper with a quote, and 10 real threads
(each its own test client and pooled connection) calling
`POST /api/v1/checkout/quotes/{id}/payment` at the same moment; then the quote of another
shopper holding 2 units is paid, and 10 threads ask at once for a refund of one unit of
that line through `POST /api/v1/stores/{id}/orders/{id}/refunds`. Prints, per round, the
status counts, the intents created at the sandbox, the distinct answers, the refunds
created at the sandbox, the refusal codes and whether refunded <= captured; then totals.
Then "the 47-second request": a refund with amount "1e999997" (answered 422 before any
big-number work) timed alone and beside 20 product reads, whose latency is compared with
the same reads alone.

    .venv/bin/python bench/payment_races.py [--rounds 5] [--calls 10]
        [--sqlite-url sqlite:////tmp/qiao-bench-races.db]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_races]
        [--skip-postgres]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time
from collections import Counter

from _common import DEFAULT_PG, fresh_database, make_app


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def payment_round(app, sandbox, calls: int, tag: str) -> dict:
    """`calls` payment calls at once on one quote."""
    from tests.payment_race import at_once, intents_created, seed_quote

    shop = seed_quote(app, tag=tag)
    sandbox.proxy.requests.clear()
    url = f"/api/v1/checkout/quotes/{shop.quote_id}/payment"
    answers = at_once(app, calls, lambda client, _i: client.post(url, headers=shop.shopper))
    return {"statuses": Counter(a.status for a in answers),
            "intents": intents_created(sandbox),
            "answers": len({repr(sorted((a.body or {}).items())) for a in answers})}


def refund_round(app, sandbox, calls: int, tag: str) -> dict:
    """`calls` refunds of one unit at once on a paid 2-unit line."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Payment
    from tests.payment_race import at_once, pay, refunds_created, seed_quote

    shop = seed_quote(app, units=2, tag=tag)
    order_id, line_id = pay(app, shop, sandbox)
    sandbox.proxy.requests.clear()
    url = f"/api/v1/stores/{shop.store_id}/orders/{order_id}/refunds"
    body = {"lines": [{"order_line_id": line_id, "quantity": 1}]}
    answers = at_once(app, calls, lambda client, _i: client.post(url, json=body,
                                                                 headers=shop.owner))
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.quote_id == shop.quote_id))
        within = payment.refunded_minor <= payment.amount_minor
        db.session.remove()
    return {"statuses": Counter(a.status for a in answers),
            "codes": Counter(a.body["error"]["code"] for a in answers if a.status >= 400),
            "refunds": refunds_created(sandbox), "within": within}


def huge_amount(app, sandbox, tag: str) -> None:
    """The refund with amount "1e999997", alone and beside product reads."""
    from tests.payment_race import pay, seed_quote

    shop = seed_quote(app, tag=tag)
    order_id, _line_id = pay(app, shop, sandbox)
    client = app.test_client()
    url = f"/api/v1/stores/{shop.store_id}/orders/{order_id}/refunds"
    body = {"amount": {"amount": "1e999997", "currency": "JPY"}}
    product = f"/api/v1/products/{_product_of(app, shop.variant_id)}?currency=JPY&country=JP"

    def timed(send) -> tuple[int, float]:
        started = time.perf_counter()
        status = send().status_code
        return status, (time.perf_counter() - started) * 1000

    alone = [timed(lambda: client.post(url, json=body, headers=shop.owner)) for _ in range(20)]
    reads_alone = [timed(lambda: client.get(product))[1] for _ in range(20)]
    beside: list[float] = []

    def reader() -> None:
        reader_client = app.test_client()
        beside.extend(timed(lambda: reader_client.get(product))[1] for _ in range(20))

    thread = threading.Thread(target=reader)
    thread.start()
    during = [timed(lambda: client.post(url, json=body, headers=shop.owner)) for _ in range(20)]
    thread.join()
    print(f"  refund amount \"1e999997\": statuses {dict(Counter(s for s, _ in alone + during))}"
          f"; alone median {statistics.median(ms for _, ms in alone):.1f} ms, "
          f"max {max(ms for _, ms in alone):.1f} ms")
    print(f"  product reads: alone median {statistics.median(reads_alone):.1f} ms; beside "
          f"those refunds median {statistics.median(beside):.1f} ms, "
          f"max {max(beside):.1f} ms")


def _product_of(app, variant_id: int) -> int:
    from app.extensions import db
    from app.models import ProductVariant

    with app.app_context():
        product_id = db.session.get(ProductVariant, variant_id).product_id
        db.session.remove()
    return product_id


def run(label: str, url: str, args, sandbox_url: str, sandbox) -> None:
    """Every round on one database, then the huge-amount check."""
    from app.providers.payments import reset_payment_provider
    from tests.localstripe_server import WEBHOOK_SECRET

    app = make_app(fresh_database(url), STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=sandbox_url,
                   STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        reset_payment_provider()
    print(f"{label}:")
    pay_total: Counter = Counter()
    refund_total: Counter = Counter()
    wrong = 0
    for number in range(1, args.rounds + 1):
        paid = payment_round(app, sandbox, args.calls, f"p{number}")
        refunded = refund_round(app, sandbox, args.calls, f"r{number}")
        pay_total.update(paid["statuses"])
        refund_total.update(refunded["statuses"])
        good = (paid["statuses"] == {201: args.calls} and paid["intents"] == 1
                and paid["answers"] == 1 and refunded["statuses"].get(201) == 2
                and refunded["refunds"] == 2 and refunded["within"]
                and not any(s >= 500 for s in refunded["statuses"]))
        wrong += not good
        print(f"  round {number}: payment {dict(paid['statuses'])}, {paid['intents']} intent(s) "
              f"at the sandbox, {paid['answers']} distinct answer(s); refunds "
              f"{dict(refunded['statuses'])} {dict(refunded['codes'])}, "
              f"{refunded['refunds']} at the sandbox, refunded <= captured: "
              f"{refunded['within']}")
    print(f"  total: payment {dict(pay_total)}; refunds {dict(refund_total)}; "
          f"rounds with a wrong count: {wrong}")
    huge_amount(app, sandbox, "huge")
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--sqlite-url", default="sqlite:////tmp/qiao-bench-races.db")
    parser.add_argument("--postgres-url", default=DEFAULT_PG.replace("qiao_bench",
                                                                       "qiao_bench_races"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    from app import sandbox
    from tests.localstripe_server import IdempotencyProxy, Sandbox

    port = free_port()
    process = sandbox.start(port, persist=False)
    proxy = IdempotencyProxy(f"http://127.0.0.1:{port}")
    stand_in = Sandbox(f"http://127.0.0.1:{port}", proxy)
    try:
        run("SQLite", args.sqlite_url, args, proxy.url, stand_in)
        if not args.skip_postgres:
            run("PostgreSQL", args.postgres_url, args, proxy.url, stand_in)
    finally:
        proxy.server.shutdown()
        sandbox.stop(process)


if __name__ == "__main__":
    main()
