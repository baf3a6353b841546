"""No oversell at checkout: 200 shoppers pay for the last 20 units at once, on PostgreSQL.

Each shopper is a real thread with its own app context and pooled connection (a pool of
30, as a server would have). All start together and go through the whole checkout: quote
(reserving the stock), payment intent on localstripe, card confirmation, orders. Every
round uses a fresh store. Prints per round the outcomes, the paid orders and the ledger
check, then the latency of one shopper's checkout for the winners and the losers.

    .venv/bin/python bench/checkout_race.py [--rounds 3] [--shoppers 200] [--units 20]
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
from collections import Counter

from _common import DEFAULT_PG, describe, fresh_database, make_app


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_PG.replace("qiao_bench",
                                                                       "qiao_bench_checkout"))
    args = parser.parse_args()

    from app import sandbox
    from tests.localstripe_server import WEBHOOK_SECRET, IdempotencyProxy, Sandbox

    port = free_port()
    process = sandbox.start(port, persist=False)
    proxy = IdempotencyProxy(f"http://127.0.0.1:{port}")
    try:
        app = make_app(fresh_database(args.database_url),
                       SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0,
                                                  "pool_timeout": 120},
                       STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=proxy.url,
                       STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
        run_rounds(app, Sandbox(f"http://127.0.0.1:{port}", proxy), args)
    finally:
        proxy.server.shutdown()
        sandbox.stop(process)


def race_round(app, sandbox, shopper_ids: list[int], winners_ms: list[float],
               losers_ms: list[float]) -> Counter:
    """Every shopper checks out at once; returns the outcomes and appends the latencies."""
    from app.core.transaction import rollback
    from app.extensions import db
    from app.services.errors import DomainError
    from tests.checkout_race import check_out

    barrier = threading.Barrier(len(shopper_ids))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def shop(shopper_id: int) -> None:
        with app.app_context():
            barrier.wait(timeout=60)
            started = time.perf_counter()
            try:
                outcome = check_out(shopper_id, sandbox)
            except DomainError as exc:
                rollback()
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 - counted and printed
                rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                outcomes[outcome] += 1
                (winners_ms if outcome == "paid" else losers_ms).append(elapsed)

    threads = [threading.Thread(target=shop, args=(i,)) for i in shopper_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def run_rounds(app, sandbox, args) -> None:
    """Race `args.rounds` times and print what happened."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Order
    from app.services.inventory.stock import check_ledger
    from tests.checkout_race import seed_last_units

    totals: Counter = Counter()
    winners_ms: list[float] = []
    losers_ms: list[float] = []
    wrong_rounds = 0
    for round_number in range(1, args.rounds + 1):
        _variant, shopper_ids = seed_last_units(app, units=args.units, shoppers=args.shoppers,
                                                tag=f"round{round_number}")
        started = time.perf_counter()
        outcomes = race_round(app, sandbox, shopper_ids, winners_ms, losers_ms)
        wall = time.perf_counter() - started
        with app.app_context():
            paid = db.session.scalar(select(func.count(Order.id)).where(
                Order.status == "paid", Order.user_id.in_(shopper_ids)))
            ledger = "OK" if not check_ledger() else "MISMATCH"
        if outcomes != Counter({"paid": args.units,
                                "insufficient_stock": args.shoppers - args.units}) \
                or paid != args.units:
            wrong_rounds += 1
        totals.update(outcomes)
        print(f"round {round_number}: {dict(outcomes)}; paid orders {paid}; ledger {ledger}; "
              f"{wall:.1f} s")
    print(f"total: {dict(totals)}; rounds with a wrong count: {wrong_rounds}")
    print(f"checkout that paid (quote to orders): {describe(winners_ms)}")
    print(f"checkout told out of stock:           {describe(losers_ms)}")


if __name__ == "__main__":
    main()
