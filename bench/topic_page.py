"""Topic page speed at scale (issue 14's figure: both sides' counts at 100,000 notes), in-process.

Builds USERS users in China and abroad and NOTES published notes (Chinese and English),
each with one to three of 500 topics drawn Zipf-like, plus two linked names of one big topic:
#tea on TEA_SHARE of the notes (most written abroad) and #茶 on CHA_SHARE (most written in
China), some notes carrying both, QUESTION_SHARE of the notes asking one side and
HIDDEN_SHARE hidden in the US (the bench's guest shops from there). Then it
times, through the Flask test client:

- `GET /topics/tea` (the HTML page: both names, the all / from China / from abroad counts,
  the first 20 cards), and the same page switched to each side and to its questions,
- `GET /topics/<a small topic>`,
- `GET /api/v1/topics/茶` (both sides' note and question counts of the linked group),
- `GET /api/v1/topics/tea/notes?side=china`,
- and, for scale, `GET /` (the home page, whose idle figure bench/README.md keeps),

and prints p50/p95/p99 and the SQL statements per request.

    .venv/bin/python bench/topic_page.py [--notes 100000] [--users 10000] [--requests 300]
        [--database-url sqlite:////tmp/qiao-bench-topics.db] [--reuse]

For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_topics
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from _common import describe, fresh_database, make_app
from sqlalchemy import event, insert, select

TEA_SHARE = 0.05
CHA_SHARE = 0.03
QUESTION_SHARE = 0.02
HIDDEN_SHARE = 0.003  # hidden in the US by moderation: a page there subtracts them
TOPICS = 500


def build(app, n_users: int, n_notes: int) -> None:
    """Bulk-insert users, notes with a cover image, topics and the notes' topics."""
    from app.extensions import db
    from app.models import Note, NoteImage, NoteTopic, Topic, User
    from app.services.social.notes import hot_score
    from app.services.social.topic_counts import recount_groups

    rng = random.Random(14)
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(insert(User), [
            {"id": i + 1, "email": f"u{i}@bench.test", "password_hash": "x",
             "display_name": f"Creator {i}", "bio": "",
             "languages": ["zh"] if i % 2 else ["en"],
             "home_country": "CN" if i % 2 else rng.choice(("US", "GB", "SG", "JP")),
             "email_verified_at": now, "is_active_account": True, "session_version": 1,
             "created_at": now, "updated_at": now} for i in range(n_users)])
        names = [f"topic{i}" for i in range(TOPICS)] + ["tea", "茶"]
        db.session.execute(insert(Topic), [{"id": i + 1, "name": name, "note_count": 0}
                                           for i, name in enumerate(names)])
        tea_id, cha_id = TOPICS + 1, TOPICS + 2
        notes, images, tagged = [], [], []
        for i in range(n_notes):
            author = rng.randrange(n_users)
            from_china = author % 2 == 1
            published = now - timedelta(seconds=rng.randrange(90 * 86400))
            likes = max(int(1 / (rng.random() ** 1.2 + 1e-3)) - 1, 0)
            asks = None
            if rng.random() < QUESTION_SHARE:
                asks = "abroad" if from_china else "china"
            notes.append({
                "id": i + 1, "author_id": author + 1, "title": f"Note {i}", "body": "",
                "search_grams": "", "status": "published",
                "language": "zh" if from_china else "en",
                "region": "CN" if from_china else "US", "like_count": likes,
                "collect_count": 0, "comment_count": 0, "question_to": asks,
                "hidden_markets": ",US," if rng.random() < HIDDEN_SHARE else "",
                "hot_score": hot_score(likes, 0, 0, published), "published_at": published,
                "created_at": published, "updated_at": published})
            images.append({"note_id": i + 1, "position": 0, "is_cover": True, "width": 1080,
                           "height": 1350, "keys": {"display": f"notes/b/{i}-d.webp",
                                                    "thumb": f"notes/b/{i}-t.webp"}})
            chosen = {min(int(rng.paretovariate(0.8)) - 1, TOPICS - 1) + 1
                      for _ in range(rng.randint(1, 3))}
            # #tea mostly from abroad, #茶 mostly from China; some notes carry both.
            if rng.random() < TEA_SHARE * (0.6 if from_china else 1.4):
                chosen.add(tea_id)
            if rng.random() < CHA_SHARE * (1.4 if from_china else 0.6):
                chosen.add(cha_id)
            tagged += [{"note_id": i + 1, "topic_id": t} for t in chosen]
            if len(notes) == 5000:
                db.session.execute(insert(Note), notes)
                db.session.execute(insert(NoteImage), images)
                db.session.execute(insert(NoteTopic), tagged)
                notes, images, tagged = [], [], []
        if notes:
            db.session.execute(insert(Note), notes)
            db.session.execute(insert(NoteImage), images)
            db.session.execute(insert(NoteTopic), tagged)
        counted = (select(db.func.count()).where(NoteTopic.topic_id == Topic.id)
                   .scalar_subquery())
        db.session.execute(db.update(Topic).values(note_count=counted))
        db.session.execute(db.update(Topic).where(Topic.id == cha_id)
                           .values(canonical_id=tea_id))
        # The side counters the services keep as notes come and go, counted once here.
        recount_groups(range(1, TOPICS + 2))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


def timed(client, url: str) -> tuple[float, int]:
    """One GET: milliseconds and SQL statements."""
    statements = []
    engine = client.application.extensions["bench_engine"]

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return elapsed, len(statements)


def run(app, requests: int) -> None:
    from app.extensions import db
    from app.models import Topic
    from app.services.social import topics

    client = app.test_client()
    with app.app_context():
        tea = topics.find_topic("tea")
        header = topics.topic_page(tea)
        small = db.session.scalar(select(Topic).where(Topic.note_count.between(150, 400))
                                  .order_by(Topic.id).limit(1))
        print(f"#tea + #茶: {header.counts.all:,} notes ({header.counts.china:,} from China, "
              f"{header.counts.abroad:,} from abroad); #{small.name}: {small.note_count} notes")
        small_name = small.name
    for _ in range(5):  # warm-up
        timed(client, "/topics/tea")
        timed(client, "/api/v1/topics/tea")

    def series(label: str, url: str) -> None:
        samples, queries = [], set()
        for _ in range(requests):
            ms, n = timed(client, url)
            samples.append(ms)
            queries.add(n)
        print(f"{label:<46} {describe(samples)}  (SQL statements per request: "
              f"{sorted(queries)})")

    # For scale on a loaded machine: the home page, whose idle figure bench/README.md keeps.
    series("/ (home page, HTML, 20 cards; for scale)", "/")
    series("/topics/tea (HTML, counts + 20 cards)", "/topics/tea")
    series("/topics/tea?side=china", "/topics/tea?side=china")
    series("/topics/tea?side=abroad", "/topics/tea?side=abroad")
    series("/topics/tea?view=questions", "/topics/tea?view=questions")
    series(f"/topics/{small_name} (a small topic)", f"/topics/{small_name}")
    series("/api/v1/topics/茶 (note and question counts)", f"/api/v1/topics/{quote('茶')}")
    series("/api/v1/topics/tea/notes?side=china", "/api/v1/topics/tea/notes?side=china")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-topics.db'}")
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
        build(app, args.users, args.notes)
        print(f"built {args.users:,} users and {args.notes:,} notes in "
              f"{time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    from app.extensions import db

    with app.app_context():
        app.extensions["bench_engine"] = db.engine
    run(app, args.requests)


if __name__ == "__main__":
    main()
