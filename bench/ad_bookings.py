"""No double booking: N brands book the same guaranteed slot-days at once on PostgreSQL.

Each brand is a real thread with its own app context, session and database connection;
all start together at a barrier and hold + pay the same three days of Discover's first
sponsored card in Japan (one transaction, as the API's `pay: true`). Every round uses
fresh days. The script prints, per round and in total, how many bookings were paid, how
many got `placement_unavailable`, any other error, whether more than one live booking
covers a day, and the latency of one booking attempt (barrier to commit).

    .venv/bin/python bench/ad_bookings.py [--rounds 10] [--brands 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from datetime import timedelta

from _common import DEFAULT_PG, describe, fresh_database, make_app
from sqlalchemy.pool import NullPool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--database-url", default=DEFAULT_PG.replace("qiao_bench",
                                                                       "qiao_bench_bookings"))
    args = parser.parse_args()

    url = fresh_database(args.database_url)
    app = make_app(url, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool})

    from app.core.transaction import commit, rollback
    from app.extensions import db
    from app.models import Membership, Organization, User, utcnow
    from app.services.ads import bookings, placements
    from app.services.errors import DomainError
    from tests.ad_placement_factories import add_traffic, fund_brand

    brands = []
    with app.app_context():
        add_traffic("JP", 1000)
        for i in range(args.brands):
            owner = User(email=f"bench-brand{i}@example.test", password_hash="x",
                         display_name=f"Brand {i}")
            org = Organization(kind="brand", name=f"Brand {i}", slug=f"bench-brand-{i}")
            db.session.add_all([owner, org, Membership(organization=org, user=owner,
                                                       role="owner")])
            db.session.flush()
            _account, campaign = fund_brand(org, balance_minor=10_000_000)
            brands.append((owner.id, org.id, campaign.id))
        commit()
        db.session.remove()

    totals: Counter = Counter()
    latencies: list[float] = []
    double_booked = 0
    for round_number in range(args.rounds):
        now = utcnow()
        start = now.date() + timedelta(days=2 + 3 * round_number)
        end = start + timedelta(days=2)
        barrier = threading.Barrier(args.brands)
        outcomes: Counter = Counter()
        lock = threading.Lock()

        def attempt(index: int, start=start, end=end, now=now, barrier=barrier,
                    outcomes=outcomes, lock=lock) -> None:
            owner_id, org_id, campaign_id = brands[index]
            with app.app_context():
                barrier.wait()
                began = time.perf_counter()
                try:
                    owner = db.session.get(User, owner_id)
                    booking = bookings.book_placement(
                        owner, org_id, campaign_id=campaign_id, slot_code="discover_first",
                        country="JP", start=start, end=end, now=now)
                    placements.pay_placement(owner, booking, now=now)
                    commit()
                    outcome = "paid"
                except DomainError as exc:
                    rollback()
                    outcome = exc.code
                except Exception as exc:  # noqa: BLE001 - counted and printed
                    rollback()
                    outcome = f"error: {type(exc).__name__}"
                finally:
                    db.session.remove()
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    outcomes[outcome] += 1
                    latencies.append(elapsed)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(args.brands)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with app.app_context():
            slot = placements.get_slot("discover_first")
            live = max(placements.count_live_bookings(slot.id, "JP", day, now)
                       for day in placements.run_days(start, end))
            db.session.remove()
        double_booked += live > 1
        totals.update(outcomes)
        print(f"round {round_number + 1}: {dict(outcomes)}; most live bookings on a day: {live}")

    print(f"\n{args.rounds} rounds x {args.brands} brands: {dict(totals)}")
    print(f"rounds with a day booked twice: {double_booked}")
    print(f"one booking attempt (barrier to commit): {describe(latencies)}")


if __name__ == "__main__":
    main()
