"""Feed, search and image-pipeline speed at scale (issue 4's figures), in-process.

Builds USERS users and NOTES published notes (English and Chinese titles and bodies,
several regions, Zipf-like like counts, publication times over 90 days), then times
through the Flask test client:

- `GET /api/v1/feed` (Discover) first pages and deeper pages reached by cursor,
- `GET /api/v1/feed?tab=following` for a user following 200 authors,
- `GET /` (the HTML home page),
- `GET /api/v1/search?q=...` for English words and 2- and 3-character Chinese words,

and prints p50/p95/p99 and the SQL statements per request; finally it times the image
pipeline on a 12-megapixel JPEG.

    .venv/bin/python bench/notes_feed_search.py [--notes 100000] [--users 10000]
        [--requests 300] [--database-url sqlite:////tmp/qiao-bench-notes.db]

For PostgreSQL:
    --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_notes
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import describe, fresh_database, make_app
from sqlalchemy import event, insert

SYLLABLES = ("ka mi to ra ne lo su vi de ba po li ta me no ri sa ve mo du fa gi "
             "lu pe ze co").split()
REGIONS = [("US", "en"), ("GB", "en"), ("CN", "zh"), ("CN", "zh"), ("SG", "en"), ("JP", "ja")]
# Real words planted with a known share of notes, so searches hit realistic result sizes.
PLANTED = {"en": [("lipsticks", 0.01), ("green tea", 0.005), ("vintage denim jacket", 0.002)],
           "zh": [("口红", 0.01), ("龙井茶", 0.005), ("茶", 0.02)]}


def vocabulary(rng: random.Random) -> dict[str, list[str]]:
    """3,000 made-up English-like words and 2,000 two-character Chinese words."""
    english = sorted({"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
                      for _ in range(3500)})[:3000]
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 2500) if chr(c) not in "茶口红龙井"]
    chinese = sorted({rng.choice(han) + rng.choice(han) for _ in range(2200)})[:2000]
    return {"en": english, "zh": chinese}


def sentence(rng: random.Random, words: list[str], language: str, count: int) -> str:
    # Zipf-like: low indexes (common words) come up far more often.
    picked = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(count)]
    for term, share in PLANTED[language]:
        if rng.random() < share:
            picked.insert(rng.randrange(len(picked) + 1), term)
    return ("" if language == "zh" else " ").join(picked).capitalize()


def build(app, n_users: int, n_notes: int) -> dict:
    """Bulk-insert users, notes, cover images and follows."""
    from app.extensions import db
    from app.models import Follow, Note, NoteImage, User
    from app.models.notes import cjk_grams
    from app.services.social.notes import hot_score

    rng = random.Random(7)
    words = vocabulary(rng)
    now = datetime.now(UTC)
    with app.app_context():
        users = []
        for i in range(n_users):
            country, language = REGIONS[i % len(REGIONS)]
            users.append({"id": i + 1, "email": f"u{i}@bench.test", "password_hash": "x",
                          "display_name": f"Creator {i}", "bio": "", "languages": [language],
                          "home_country": country, "email_verified_at": now,
                          "is_active_account": True, "session_version": 1,
                          "created_at": now, "updated_at": now})
        db.session.execute(insert(User), users)
        batch_notes, batch_images = [], []
        for i in range(n_notes):
            author = rng.randrange(n_users)
            country, language = REGIONS[author % len(REGIONS)]
            language = "en" if language == "ja" else language
            published = now - timedelta(seconds=rng.randrange(90 * 86400))
            likes = max(int(1 / (rng.random() ** 1.2 + 1e-3)) - 1, 0)
            title = sentence(rng, words[language], language, rng.randint(2, 5))
            body = sentence(rng, words[language], language, rng.randint(8, 40))
            batch_notes.append({
                "id": i + 1, "author_id": author + 1, "title": title, "body": body,
                "search_grams": cjk_grams(f"{title}\n{body}"), "status": "published",
                "language": language, "region": country, "like_count": likes,
                "collect_count": 0, "comment_count": 0,
                "hot_score": hot_score(likes, 0, 0, published), "published_at": published,
                "created_at": published, "updated_at": published})
            batch_images.append({"note_id": i + 1, "position": 0, "is_cover": True,
                                 "width": 1080, "height": rng.choice((1080, 1350, 1440)),
                                 "keys": {"display": f"notes/b/{i}-d.webp",
                                          "thumb": f"notes/b/{i}-t.webp"}})
            if len(batch_notes) == 5000:
                db.session.execute(insert(Note), batch_notes)
                db.session.execute(insert(NoteImage), batch_images)
                batch_notes, batch_images = [], []
        if batch_notes:
            db.session.execute(insert(Note), batch_notes)
            db.session.execute(insert(NoteImage), batch_images)
        follows = [{"follower_id": 1, "followee_id": f}
                   for f in rng.sample(range(2, n_users + 1), 200)]
        db.session.execute(insert(Follow), follows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        viewer = db.session.get(User, 1)
        from app.services.accounts.api_tokens import issue_login_token

        _token, secret = issue_login_token(viewer)
        db.session.commit()
    return {"token": secret}


def reuse(app) -> str:
    """A fresh token for user 1 of an existing data set."""
    from app.extensions import db
    from app.models import User
    from app.services.accounts.api_tokens import issue_login_token

    with app.app_context():
        _token, secret = issue_login_token(db.session.get(User, 1))
        db.session.commit()
    return secret


def timed(client, url: str, headers=None) -> tuple[float, dict | None, int]:
    """One GET (no app context held around it, so every request gets a fresh `g`)."""
    statements = []
    engine = client.application.extensions["bench_engine"]

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    response = client.get(url, headers=headers or {})
    elapsed = (time.perf_counter() - started) * 1000
    event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return elapsed, response.get_json(silent=True), len(statements)


def run(app, args, secret: str) -> None:
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    rng = random.Random(3)
    for _ in range(5):  # warm-up (language detector, caches, query plans)
        timed(client, "/api/v1/feed")
        timed(client, "/api/v1/search?q=lipstick")

    def series(label: str, urls, headers=None) -> None:
        samples, queries = [], set()
        for url in urls:
            ms, _body, n = timed(client, url, headers)
            samples.append(ms)
            queries.add(n)
        print(f"{label:<44} {describe(samples)}  (SQL statements per request: "
              f"{sorted(queries)})")

    n = args.requests
    series("feed discover, first page (anonymous)",
           [f"/api/v1/feed?lang={rng.choice(['en', 'zh'])}" for _ in range(n)])
    series("feed discover, first page (token)", ["/api/v1/feed"] * n, bearer)
    deep = []
    for _ in range(max(n // 10, 5)):
        url = "/api/v1/feed"
        for _page in range(10):
            _ms, body, _n = timed(client, url)
            deep.append(f"/api/v1/feed?cursor={body['next_cursor']}")
            url = deep[-1]
    series("feed discover, pages 2-11 by cursor", deep[:n])
    series("feed following (200 followed authors)", ["/api/v1/feed?tab=following"] * n,
           bearer)
    series("home page / (HTML, 20 cards)", ["/"] * max(n // 3, 20))
    for query in ("lipstick", "green tea", "vintage denim jacket", "kamito", "口红", "龙井茶",
                  "茶"):
        series(f"search {query!r}", [f"/api/v1/search?q={query}"] * max(n // 3, 20))


def time_image_pipeline(app) -> None:
    from PIL import Image

    from app.services.images import process_image
    from app.services.social.notes import NOTE_RENDITIONS

    width, height = 4000, 3000
    gradient = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (gradient, gradient.rotate(90, expand=False), gradient))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    samples = []
    with app.test_request_context():
        for _ in range(5):
            started = time.perf_counter()
            process_image(data, field="images", prefix="bench", renditions=NOTE_RENDITIONS)
            samples.append((time.perf_counter() - started) * 1000)
    print(f"image pipeline, 12 MP JPEG ({len(data) // 1024} KiB) -> display+thumb WebP: "
          f"{describe(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'qiao-bench-notes.db'}")
    parser.add_argument("--skip-images", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the data a previous run built (same --database-url)")
    args = parser.parse_args()
    if args.reuse:
        url = args.database_url
        app = make_app(url)
        made = {"token": reuse(app)}
        print(f"reusing the data in {url}")
    else:
        url = fresh_database(args.database_url)
        app = make_app(url)
        started = time.perf_counter()
        made = build(app, args.users, args.notes)
        print(f"built {args.users:,} users and {args.notes:,} notes in "
              f"{time.perf_counter() - started:.1f} s on {url.split(':')[0]}")
    from app.extensions import db

    with app.app_context():
        app.extensions["bench_engine"] = db.engine
    run(app, args, made["token"])
    if not args.skip_images:
        time_image_pipeline(app)


if __name__ == "__main__":
    main()
