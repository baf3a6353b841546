"""The moderation queue page: the same queries for 10 items or 10,000, and its time.

    .venv/bin/python bench/moderation_queue.py [--items 10000] [--requests 50]
        [--database-url sqlite:////tmp/qiao-bench-moderation.db]

Builds --items reported notes (in three markets and two languages, cases opened through
`open_case` in bulk), then for 10 items and for all of them counts the SQL statements of
one GET /admin/moderation (a moderator scoped to US and GB, in English) and times
--requests of them. Prints statements per page and p50/p95 per page load.
"""

from __future__ import annotations

import argparse
import time

from _common import describe, fresh_database, make_app
from sqlalchemy import event


def build(app, count: int, start: int = 0) -> None:
    """`count` notes with a screened case each (US/GB/CN, en/zh)."""
    from app.extensions import db
    from app.models import ModerationCase, Note, User, market_key

    with app.app_context():
        author = db.session.query(User).filter_by(email="author@bench.test").one_or_none()
        if author is None:
            author = User(email="author@bench.test", password_hash="x", display_name="A",
                          home_country="US")
            db.session.add(author)
            db.session.flush()
        markets = ["US", "GB", "CN"]
        for i in range(start, start + count):
            market = markets[i % 3]
            language = "zh" if market == "CN" else "en"
            note = Note(author_id=author.id, title=f"Note {i}", body="cheap pills " * 5,
                        status="published", language=language, region=market)
            db.session.add(note)
            db.session.flush()
            db.session.add(ModerationCase(
                target_type="note", target_id=note.id, open_key=f"note:{note.id}",
                owner_id=author.id, markets=market_key([market]), language=language,
                screened=True, reasons=[{"code": "scam", "severity": "high", "source":
                                         "rules", "spans": [[0, 5]]}],
                reason_code="scam", severity=3, report_reasons={}, report_count=0))
        db.session.commit()


def measure(app, client, requests: int) -> tuple[int, list[float]]:
    from app.extensions import db

    statements: list[str] = []

    def record(_conn, _cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    client.get("/admin/moderation")  # warm up
    event.listen(engine, "before_cursor_execute", record)
    response = client.get("/admin/moderation")
    event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(requests):
        began = time.perf_counter()
        client.get("/admin/moderation")
        samples.append((time.perf_counter() - began) * 1000)
    return len(statements), samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", default="sqlite:////tmp/qiao-bench-moderation.db")
    args = parser.parse_args()
    app = make_app(fresh_database(args.database_url), WTF_CSRF_ENABLED=False)

    from app.extensions import db
    from app.models import PlatformRole, User
    from app.services.accounts.passwords import hash_password

    with app.app_context():
        moderator = User(email="mod@bench.test", password_hash=hash_password("pw-bench-123"),
                         display_name="Mod", email_verified_at=None)
        moderator.platform_roles = [PlatformRole(role="moderator", markets=["US", "GB"],
                                                 languages=["en"])]
        db.session.add(moderator)
        db.session.commit()
        from app.models import utcnow

        moderator.email_verified_at = utcnow()
        db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "mod@bench.test",
                                                "password": "pw-bench-123"})
    assert response.status_code == 302, response.status_code

    build(app, 10)
    small, small_samples = measure(app, client, args.requests)
    print(f"10 items: {small} statements per page; {describe(small_samples)}")
    build(app, args.items - 10, start=10)
    large, large_samples = measure(app, client, args.requests)
    print(f"{args.items} items: {large} statements per page; {describe(large_samples)}")
    print("same number of statements:", "yes" if small == large else "NO")


if __name__ == "__main__":
    main()
