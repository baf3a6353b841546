"""Discover with personalisation at scale (issue 14's figure), in-process.

Builds the data set of bench/notes_feed_search.py (USERS users, NOTES published notes in
English and Chinese over six regions), then adds what a personal feed reads: TOPICS topics
(one to three per note, Zipf-like, so a few are huge and most are small), stores whose
products 8 % of notes tag, and for every user an interest profile as months of use leave
it (their strongest topics, creators, stores and languages, a few turned-down creators and
topics, a few dismissed notes). Then it times, through the Flask test client:

- `GET /api/v1/feed` anonymous (today's Discover, the baseline),
- `GET /api/v1/feed` with the tokens of SAMPLE users chosen at random (personal Discover),
- the same, pages 2-6 reached by cursor,
- `feed.discover()` itself, anonymous and personal (no HTTP, token or ads around it),

printing p50/p95/p99 and the SQL statements per request (the personal requests must cost
what the anonymous ones do, plus the token's own lookup), and finally the write path: one
like through the service, profile upsert included.

    .venv/bin/python bench/personal_discover.py [--notes 100000] [--users 10000]
        [--topics 2000] [--requests 300] [--database-url sqlite:////tmp/qiao-bench-personal.db]

For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_personal
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import describe, fresh_database, make_app
from notes_feed_search import build as build_notes
from notes_feed_search import timed
from sqlalchemy import insert

STORES = 60
PRODUCTS_PER_STORE = 5
SAMPLE = 200


class Zipf:
    """Ranks 0..size-1 drawn with weight 1/(rank+1): with 2,000 topics the biggest carries
    about 12 % of the draws, the 100th about 0.1 %.
    """

    def __init__(self, size: int) -> None:
        self.ranks = range(size)
        total, self.cumulative = 0.0, []
        for rank in self.ranks:
            total += 1 / (rank + 1)
            self.cumulative.append(total)

    def draw(self, rng: random.Random) -> int:
        return rng.choices(self.ranks, cum_weights=self.cumulative)[0]


def build_personal(app, n_users: int, n_notes: int, n_topics: int) -> None:
    """Topics, store tags and an interest profile for every user (bulk inserts)."""
    from app.extensions import db
    from app.models import (
        FeedDismissal,
        InterestWeight,
        NoteProductTag,
        NoteTopic,
        Organization,
        Product,
        Store,
        Topic,
    )

    rng = random.Random(11)
    topic_rank = Zipf(n_topics)
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(insert(Topic), [{"id": i + 1, "name": f"topic{i}", "note_count": 0}
                                           for i in range(n_topics)])
        pairs = set()
        for note_id in range(1, n_notes + 1):
            for _ in range(rng.randint(1, 3)):
                pairs.add((note_id, topic_rank.draw(rng) + 1))
        rows = [{"note_id": n, "topic_id": t} for n, t in sorted(pairs)]
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(NoteTopic), rows[start:start + 20_000])
        db.session.execute(db.text(
            "UPDATE topics SET note_count = (SELECT count(*) FROM note_topics "
            "WHERE note_topics.topic_id = topics.id)"))

        organizations, stores, products = [], [], []
        for i in range(STORES):
            organizations.append({"id": i + 1, "kind": "merchant", "name": f"Shop {i}",
                                  "slug": f"shop-{i}", "created_at": now, "updated_at": now})
            stores.append({"id": i + 1, "organization_id": i + 1, "name": f"Shop {i}",
                           "slug": f"shop-{i}",
                           "base_currency": "USD", "origin_country": "US",
                           "created_at": now, "updated_at": now})
            for j in range(PRODUCTS_PER_STORE):
                products.append({"id": i * PRODUCTS_PER_STORE + j + 1, "store_id": i + 1,
                                 "title": f"Product {i}-{j}", "status": "active",
                                 "created_at": now, "updated_at": now})
        db.session.execute(insert(Organization), organizations)
        db.session.execute(insert(Store), stores)
        db.session.execute(insert(Product), products)
        tags = [{"note_id": note_id, "image_position": 0, "x": 50.0, "y": 50.0,
                 "product_id": rng.randrange(len(products)) + 1, "is_affiliate": False,
                 "click_count": 0, "created_at": now, "updated_at": now}
                for note_id in rng.sample(range(1, n_notes + 1), n_notes * 8 // 100)]
        db.session.execute(insert(NoteProductTag), tags)

        weights, dismissals = [], []
        for user_id in range(1, n_users + 1):
            seen = set()

            def add(kind, target_id=0, language="", weight=1.0, user_id=user_id, seen=seen):
                if (kind, target_id, language) not in seen:
                    seen.add((kind, target_id, language))
                    weights.append({"user_id": user_id, "kind": kind, "target_id": target_id,
                                    "language": language, "weight": weight, "updated_at": now})

            for _ in range(rng.randint(3, 25)):
                add("topic", topic_rank.draw(rng) + 1, weight=rng.uniform(0.5, 20))
            for _ in range(rng.randint(2, 40)):
                add("creator", rng.randrange(n_users) + 1, weight=rng.uniform(0.5, 20))
            for _ in range(rng.randint(0, 4)):
                add("store", rng.randrange(STORES) + 1, weight=rng.uniform(0.5, 10))
            for language in rng.sample(["en", "zh"], rng.randint(1, 2)):
                add("language", language=language, weight=rng.uniform(0.5, 30))
            for _ in range(rng.randint(0, 3)):
                add("creator", rng.randrange(n_users) + 1, weight=-rng.uniform(0.5, 4))
                add("topic", topic_rank.draw(rng) + 1, weight=-rng.uniform(0.5, 4))
            dismissals += [{"user_id": user_id, "note_id": note_id, "created_at": now}
                           for note_id in {rng.randrange(n_notes) + 1
                                           for _ in range(rng.randint(0, 5))}]
            if len(weights) > 20_000:
                db.session.execute(insert(InterestWeight), weights)
                weights.clear()
        if weights:
            db.session.execute(insert(InterestWeight), weights)
        db.session.execute(insert(FeedDismissal), dismissals)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


def tokens_for(app, user_ids: list[int]) -> list[str]:
    from app.extensions import db
    from app.models import User
    from app.services.accounts.api_tokens import issue_login_token

    with app.app_context():
        secrets = [issue_login_token(db.session.get(User, i))[1] for i in user_ids]
        db.session.commit()
    return secrets


def run(app, args, secrets: list[str]) -> None:
    client = app.test_client()
    rng = random.Random(5)
    bearers = [{"Authorization": f"Bearer {s}"} for s in secrets]
    for headers in bearers:  # each token's first use records it (one UPDATE): not timed
        timed(client, "/api/v1/me", headers)
    for _ in range(5):
        timed(client, "/api/v1/feed")
        timed(client, "/api/v1/feed", bearers[0])

    def series(label: str, requests) -> None:
        samples, queries = [], set()
        for url, headers in requests:
            ms, _body, n = timed(client, url, headers)
            samples.append(ms)
            queries.add(n)
        print(f"{label:<46} {describe(samples)}  (SQL statements per request: "
              f"{sorted(queries)})")

    def paired(labels: tuple[str, str], requests: list[tuple]) -> None:
        """Two kinds of request taken in turns, so both meet the same load on the box."""
        samples: tuple[list, list] = ([], [])
        queries: tuple[set, set] = (set(), set())
        for pair in requests:
            for side, (url, headers) in enumerate(pair):
                ms, _body, count = timed(client, url, headers)
                samples[side].append(ms)
                queries[side].add(count)
        for side, label in enumerate(labels):
            print(f"{label:<46} {describe(samples[side])}  (SQL statements per request: "
                  f"{sorted(queries[side])})")

    n = args.requests
    paired(("discover, first page, anonymous (today)", "discover, first page, personal"),
           [((f"/api/v1/feed?lang={rng.choice(['en', 'zh'])}", None),
             ("/api/v1/feed", rng.choice(bearers))) for _ in range(n)])
    deep = []
    for headers in rng.sample(bearers, min(len(bearers), max(n // 5, 5))):
        url = "/api/v1/feed"
        for _page in range(5):
            _ms, body, _n = timed(client, url, headers)
            if not body["next_cursor"]:
                break
            url = f"/api/v1/feed?cursor={body['next_cursor']}"
            deep.append((url, headers))
    series("discover, pages 2-6 by cursor, personal", deep[:n])

    # The service alone (no HTTP, no token, no ads): what personalising adds to Discover.
    from app.extensions import db
    from app.models import User
    from app.services.social import engagement, feed

    with app.app_context():
        viewers = [db.session.get(User, rng.randrange(1, args.users + 1)) for _ in range(n)]
        samples: tuple[list, list] = ([], [])
        for viewer in viewers:  # anonymous and personal in turns, as above
            language, region = rng.choice((("en", "US"), ("zh", "CN")))
            for side, person in enumerate((None, viewer)):
                started = time.perf_counter()
                feed.discover(feed.Audience(person, language, region, region), None, 20,
                              app.config["DISCOVER_FOREIGN_SHARE"],
                              app.config["DISCOVER_EXPLORE_SHARE"])
                samples[side].append((time.perf_counter() - started) * 1000)
        db.session.rollback()
        for side, label in enumerate(("feed.discover(), anonymous (today)",
                                      "feed.discover(), personal")):
            print(f"{label:<46} {describe(samples[side])}")

    # The write path: a like updates the note's counters and the liker's profile.

    samples = []
    with app.app_context():
        for _ in range(min(n, 200)):
            user = db.session.get(User, rng.randrange(1, args.users + 1))
            note_id = rng.randrange(1, args.notes + 1)
            started = time.perf_counter()
            engagement.like_note(user, note_id)
            db.session.commit()
            samples.append((time.perf_counter() - started) * 1000)
    print(f"{'like a note (service + commit, profile upsert)':<46} {describe(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=f"sqlite:///{Path(tempfile.gettempdir())}"
                                                  "/qiao-bench-personal.db")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data a previous run built (same --database-url)")
    args = parser.parse_args()
    if args.reuse:
        url = args.database_url
        app = make_app(url)
        print(f"reusing the data in {url}")
    else:
        url = fresh_database(args.database_url)
        app = make_app(url)
        started = time.perf_counter()
        build_notes(app, args.users, args.notes)
        build_personal(app, args.users, args.notes, args.topics)
        print(f"built {args.users:,} users with interest profiles, {args.notes:,} notes and "
              f"{args.topics:,} topics in {time.perf_counter() - started:.1f} s on "
              f"{url.split(':')[0]}")
    from app.extensions import db

    with app.app_context():
        app.extensions["bench_engine"] = db.engine
    sample = random.Random(9).sample(range(1, args.users + 1), min(SAMPLE, args.users))
    run(app, args, tokens_for(app, sample))


if __name__ == "__main__":
    main()
