"""No oversell: N concurrent buyers race for the last 5 units of a SKU on PostgreSQL.

Each buyer is a real thread with its own app context, session and database connection;
all start together at a barrier and call `reserve_stock` for one unit. Every round uses
a fresh SKU with 5 units split over two warehouses. The script prints, per round and in
total, how many reservations succeeded, how many got `insufficient_stock`, any other
error, the ledger check, and the latency of one reservation (barrier to commit).

    .venv/bin/python bench/reserve_race.py [--rounds 20] [--buyers 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter

from _common import DEFAULT_PG, describe, fresh_database, make_app
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--units", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_PG.replace("qiao_bench",
                                                                       "qiao_bench_race"))
    args = parser.parse_args()

    url = fresh_database(args.database_url)
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool})

    from app.core.transaction import commit, rollback
    from app.extensions import db
    from app.models import (
        InventoryLevel,
        Membership,
        Organization,
        Product,
        ProductVariant,
        Store,
        User,
        Warehouse,
    )
    from app.services.inventory.stock import (
        InsufficientStock,
        check_ledger,
        receive_stock,
        reserve_stock,
    )

    with app.app_context():
        user = User(email="bench@example.test", password_hash="x", display_name="Bench")
        org = Organization(kind="merchant", name="Bench", slug="bench")
        store = Store(organization=org, name="Bench", slug="bench", base_currency="USD",
                      origin_country="US")
        warehouses = [Warehouse(store=store, name=f"W{i}", country="US") for i in range(2)]
        db.session.add_all([user, org, Membership(organization=org, user=user, role="owner"),
                            *warehouses])
        commit()
        store_id, user_id = store.id, user.id
        warehouse_ids = [w.id for w in warehouses]

    def new_sku(round_no: int) -> int:
        with app.app_context():
            owner = db.session.get(User, user_id)
            product = Product(store_id=store_id, status="active", title=f"Race {round_no}",
                              hs_code="610910")
            db.session.add(product)
            db.session.flush()
            variant = ProductVariant(product_id=product.id, store_id=store_id,
                                     sku=f"RACE-{round_no}", price_minor=1000, currency="USD")
            db.session.add(variant)
            db.session.flush()
            first = args.units - args.units // 2
            for warehouse_id, units in zip(warehouse_ids, (first, args.units - first),
                                           strict=True):
                if units:
                    receive_stock(owner, store_id, variant.id, warehouse_id, units)
            commit()
            variant_id = variant.id
            db.session.remove()
        return variant_id

    totals: Counter = Counter()
    latencies: list[float] = []
    oversold_rounds = 0
    started = time.perf_counter()
    for round_no in range(args.rounds):
        variant_id = new_sku(round_no)
        barrier = threading.Barrier(args.buyers)
        outcomes: list[str] = []
        lock = threading.Lock()

        def buy(index: int, variant_id: int = variant_id, barrier=barrier, outcomes=outcomes,
                lock=lock, round_no: int = round_no) -> None:
            with app.app_context():
                db.session.connection()  # connect before the start: time the work only
                barrier.wait()
                t0 = time.perf_counter()
                try:
                    reserve_stock(None, variant_id, 1, owner_type="bench",
                                  owner_id=f"{round_no}-{index}")
                    commit()
                    outcome = "reserved"
                except InsufficientStock as exc:
                    rollback()
                    outcome = exc.code
                except Exception as exc:  # noqa: BLE001 - counted and printed
                    rollback()
                    outcome = f"error {type(exc).__name__}"
                finally:
                    db.session.remove()
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    outcomes.append(outcome)
                    latencies.append(elapsed)

        threads = [threading.Thread(target=buy, args=(i,)) for i in range(args.buyers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counts = Counter(outcomes)
        totals.update(counts)
        with app.app_context():
            reserved = db.session.scalar(select(func.sum(InventoryLevel.reserved)).where(
                InventoryLevel.variant_id == variant_id))
            db.session.remove()
        if counts["reserved"] != args.units or reserved != args.units:
            oversold_rounds += 1
        print(f"round {round_no + 1:>2}: {dict(counts)}  reserved units in the database: "
              f"{reserved}")
    elapsed = time.perf_counter() - started

    # For scale: the same call without contention (one buyer at a time).
    solo: list[float] = []
    variant_id = new_sku(args.rounds)
    with app.app_context():
        owner = db.session.get(User, user_id)
        receive_stock(owner, store_id, variant_id, warehouse_ids[0], 1000)
        commit()
        for index in range(200):
            t0 = time.perf_counter()
            reserve_stock(None, variant_id, 1, owner_type="bench", owner_id=f"solo-{index}")
            commit()
            solo.append((time.perf_counter() - t0) * 1000)
        mismatches = check_ledger()
        db.session.remove()
    print()
    print(f"{args.rounds} rounds x {args.buyers} concurrent buyers for the last {args.units} "
          f"units ({url.rsplit('@', 1)[-1]})")
    print(f"outcomes: {dict(totals)}")
    print(f"rounds with a wrong count: {oversold_rounds}")
    print(f"ledger check: {'OK' if not mismatches else f'{len(mismatches)} mismatches'}")
    print(f"one reservation, connected, barrier to commit: {describe(latencies)}")
    print(f"one reservation without contention (200 in a row): {describe(solo)}")
    print(f"wall time of the races: {elapsed:.1f} s")


if __name__ == "__main__":
    main()
