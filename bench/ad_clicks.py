"""100 concurrent clickers on a CPC campaign with 50 clicks of budget left, on PostgreSQL.

Each round seeds a campaign (bid 1.00, budget 100.00, 50.00 already spent) and 100
shoppers who each saw its card (a recorded impression), then starts 100 real threads at
a barrier; each records its click (`app.services.ads.record_click`) and commits, through
a pool of 32 connections (the server is shared; an app server pools the same way). It
prints per round the clicks billed (must be 50 or 51, never more) and bucketed
`over_budget`, the campaign's final spend, and the latency of one click under the
stampede.

    .venv/bin/python bench/ad_clicks.py [--rounds 5] [--clickers 100] [--left 50]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_adclicks]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from datetime import timedelta

from _common import describe, fresh_database, make_app

BID = 100


def seed(app, round_no: int, clickers: int, left: int):
    from app.core.transaction import commit
    from app.extensions import db
    from app.models import (
        AdAccount,
        Campaign,
        CampaignNote,
        Note,
        Organization,
        User,
        utcnow,
    )
    from app.services import ads
    from tests.ad_delivery_factories import BROWSER, tokens_for

    with app.app_context():
        org = Organization(kind="brand", name=f"Brand {round_no}", slug=f"brand-{round_no}")
        author = User(email=f"author{round_no}@example.test", password_hash="x",
                      display_name="Author")
        db.session.add_all([org, author])
        db.session.flush()
        account = AdAccount(organization_id=org.id, currency="USD", balance_minor=0)
        note = Note(author_id=author.id, title="Serum", body="", status="published",
                    published_at=utcnow(), hot_score=0.0)
        db.session.add_all([account, note])
        db.session.flush()
        budget = 100 * BID
        campaign = Campaign(organization_id=org.id, account_id=account.id,
                            name=f"Round {round_no}", objective="traffic", pricing="cpc",
                            bid_minor=BID, budget_minor=budget,
                            spent_minor=budget - left * BID, currency="USD",
                            starts_at=utcnow() - timedelta(days=1),
                            ends_at=utcnow() + timedelta(days=5), status="active",
                            countries=[], languages=[], topics=[])
        campaign.campaign_notes = [CampaignNote(note_id=note.id)]
        users = [User(email=f"r{round_no}c{i}@example.test", password_hash="x",
                      display_name=f"Clicker {i}") for i in range(clickers)]
        db.session.add_all([campaign, *users])
        commit()
        cards = []
        for user in users:
            viewer = ads.AdViewer(user.id, None, "JP", "ja")
            impression, click = tokens_for(campaign, viewer, price_micros=BID * 10**6)
            requester = ads.Requester(user.id, None, BROWSER)
            ads.record_impression(impression, requester)
            cards.append((requester, click))
        commit()
        return campaign.id, cards


def race(app, cards) -> tuple[Counter, list[float]]:
    from app.core.transaction import commit, rollback
    from app.extensions import db
    from app.services import ads

    barrier = threading.Barrier(len(cards))
    outcomes: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        requester, click = cards[index]
        with app.app_context():
            barrier.wait(timeout=60)
            started = time.perf_counter()
            try:
                outcome = ads.record_click(click, requester)
                commit()
                result = "billed" if outcome.is_billable else outcome.invalid_reason
            except Exception as exc:  # noqa: BLE001 - counted and shown
                rollback()
                result = f"error {type(exc).__name__}"
            finally:
                db.session.remove()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                outcomes[result] += 1
                latencies.append(elapsed)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cards))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clickers", type=int, default=100)
    parser.add_argument("--left", type=int, default=50)
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                                "qiao_bench_adclicks")
    args = parser.parse_args()
    app = make_app(fresh_database(args.database_url),
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 32, "max_overflow": 0,
                                              "pool_timeout": 120})
    from app.extensions import db
    from app.models import Campaign

    totals: Counter = Counter()
    all_latencies: list[float] = []
    wrong = 0
    for round_no in range(1, args.rounds + 1):
        campaign_id, cards = seed(app, round_no, args.clickers, args.left)
        outcomes, latencies = race(app, cards)
        with app.app_context():
            campaign = db.session.get(Campaign, campaign_id)
            spent, budget, status = campaign.spent_minor, campaign.budget_minor, \
                campaign.status
        billed = outcomes["billed"]
        ok = args.left <= billed <= args.left + 1 and spent <= budget + BID
        wrong += not ok
        totals.update(outcomes)
        all_latencies += latencies
        print(f"round {round_no}: {dict(outcomes)}; spent {spent} of {budget} "
              f"({status}){'' if ok else '  <-- WRONG'}")
    print(f"total: {dict(totals)}; rounds with more than one click over budget: {wrong}")
    print(f"one click under the stampede: {describe(all_latencies)}")


if __name__ == "__main__":
    main()
