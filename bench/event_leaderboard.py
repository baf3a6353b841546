"""Event leaderboard speed at 10,000 entries (issue 14's figure: under 20 ms), in-process.

Builds USERS users in several regions, one running event with #tea, and ENTRIES published
notes carrying #tea entered into it (Chinese notes from China and English, Japanese and
Chinese notes from elsewhere, Zipf-like likes and collects), plus as many other notes
outside the event. Then times:

- `events.leaderboard(event, board)` for the combined, China and abroad boards (the top 10
  with their notes, authors, images and topics loaded: what the page and the API show),
- `GET /api/v1/events/<id>` (three leaderboards and the event),
- `GET /events/<id>` (the HTML page: three leaderboards and the first 20 entries),
- closing the event (`advance_events`: final ranks written onto every entry),

and prints p50/p95/p99 of wall-clock time and of this process's CPU time (which a busy
machine inflates far less), and the SQL statements per call.

    .venv/bin/python bench/event_leaderboard.py [--entries 10000] [--users 2000]
        [--requests 300] [--database-url sqlite:////tmp/qiao-bench-events.db]

For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_events
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from _common import describe, fresh_database, make_app
from sqlalchemy import event as sa_event
from sqlalchemy import insert

REGIONS = [("CN", "zh"), ("CN", "zh"), ("US", "en"), ("GB", "en"), ("JP", "ja"), ("SG", "zh")]


def build(app, n_users: int, n_entries: int) -> int:
    """Bulk-insert users, notes with #tea (entered) and without; returns the event id."""
    from app.extensions import db
    from app.models import (
        Event,
        EventEntry,
        EventParticipant,
        Note,
        NoteImage,
        NoteTopic,
        Topic,
        User,
    )
    from app.services.social.events import CHINA
    from app.services.social.feed import from_home_clause

    rng = random.Random(11)
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(insert(User), [
            {"id": i + 1, "email": f"u{i}@bench.test", "password_hash": "x",
             "display_name": f"Creator {i}", "bio": "", "languages": [REGIONS[i % 6][1]],
             "home_country": REGIONS[i % 6][0], "email_verified_at": now,
             "is_active_account": True, "session_version": 1, "created_at": now,
             "updated_at": now} for i in range(n_users)])
        tea = Topic(name="tea", note_count=n_entries)
        db.session.add(tea)
        db.session.flush()
        event = Event(title_en="Tea around the world", title_zh="世界各地的茶", prompt_en="Cup.",
                      prompt_zh="茶。", topic_id=tea.id, starts_at=now - timedelta(days=2),
                      ends_at=now + timedelta(days=4), rules="Rules.", prizes="")
        db.session.add(event)
        db.session.flush()
        notes, images, topics = [], [], []
        for i in range(2 * n_entries):
            author = rng.randrange(n_users)
            country, language = REGIONS[author % 6]
            published = now - timedelta(seconds=rng.randrange(2 * 86400))
            likes = max(int(1 / (rng.random() ** 1.2 + 1e-3)) - 1, 0)
            notes.append({"id": i + 1, "author_id": author + 1, "title": f"Cup {i}",
                          "body": "#tea" if i < n_entries else "", "search_grams": "",
                          "status": "published", "language": language, "region": country,
                          "like_count": likes, "collect_count": likes // 3,
                          "comment_count": 0, "hot_score": 0.0, "published_at": published,
                          "created_at": published, "updated_at": published})
            images.append({"note_id": i + 1, "position": 0, "is_cover": True, "width": 1080,
                           "height": 1350, "keys": {"display": f"b/{i}-d", "thumb": f"b/{i}-t"}})
            if i < n_entries:
                topics.append({"note_id": i + 1, "topic_id": tea.id})
        for start in range(0, len(notes), 5000):
            db.session.execute(insert(Note), notes[start:start + 5000])
            db.session.execute(insert(NoteImage), images[start:start + 5000])
        db.session.execute(insert(NoteTopic), topics)
        china = {row.id for row in db.session.execute(
            db.select(Note.id).where(Note.id <= n_entries, from_home_clause(CHINA)))}
        db.session.execute(insert(EventEntry), [
            {"event_id": event.id, "note_id": n["id"], "author_id": n["author_id"],
             "side": "china" if n["id"] in china else "abroad", "created_at": now,
             "score": n["like_count"] + n["collect_count"]}
            for n in notes[:n_entries]])
        db.session.execute(insert(EventParticipant), [
            {"event_id": event.id, "user_id": user_id, "created_at": now}
            for user_id in sorted({n["author_id"] for n in notes[:n_entries]})])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(f"built: {n_users} users, {n_entries} entries "
              f"({len(china)} from China), {n_entries} other notes")
        return event.id


def counting(engine):
    """A list that grows by one per SQL statement while listening."""
    statements: list[int] = []
    return statements, lambda *_args: statements.append(1)


def run(app, args, event_id: int) -> None:
    from app.extensions import db
    from app.models import Event
    from app.services.social import events

    engine = app.extensions["bench_engine"]

    def series(label: str, call, n: int) -> None:
        samples, cpu, queries = [], [], set()
        for _ in range(n):
            statements, count = counting(engine)
            sa_event.listen(engine, "before_cursor_execute", count)
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            sa_event.remove(engine, "before_cursor_execute", count)
            queries.add(len(statements))
        print(f"{label:<46} wall {describe(samples)}\n{'':<46} CPU  {describe(cpu)}  "
              f"(SQL statements: {sorted(queries)})")

    with app.app_context():
        for board in ("combined", "china", "abroad"):
            def one(board=board):
                event = db.session.get(Event, event_id)
                rows = events.leaderboard(event, board)
                assert len(rows) == 10
                db.session.rollback()  # a fresh session each time, as a request has
            for _ in range(5):
                one()
            series(f"leaderboard {board} (top 10, notes loaded)", one, args.requests)
    client = app.test_client()
    for _ in range(5):
        client.get(f"/api/v1/events/{event_id}")

    def api():
        assert client.get(f"/api/v1/events/{event_id}").status_code == 200

    def page():
        assert client.get(f"/events/{event_id}").status_code == 200

    series("GET /api/v1/events/<id> (3 leaderboards)", api, args.requests)
    series("GET /events/<id> (HTML, 3 boards + 20 entries)", page, max(args.requests // 3, 20))
    with app.app_context():
        from app.core.transaction import commit

        started = time.perf_counter()
        closed = events.advance_events(now=datetime.now(UTC) + timedelta(days=5))
        commit()
        print(f"close the event (final ranks on {args.entries} entries): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms ({closed} event)")
        event = db.session.get(Event, event_id)
        series("leaderboard combined after closing (final)",
               lambda: events.leaderboard(event, "combined"), args.requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default="sqlite:////tmp/qiao-bench-events.db")
    args = parser.parse_args()
    url = fresh_database(args.database_url)
    app = make_app(url, RATELIMIT_ENABLED=False)
    with app.app_context():
        from app.extensions import db

        app.extensions["bench_engine"] = db.engine
    started = time.perf_counter()
    event_id = build(app, args.users, args.entries)
    print(f"build: {time.perf_counter() - started:.1f} s  ({url.split('@')[-1]})")
    run(app, args, event_id)


if __name__ == "__main__":
    main()
