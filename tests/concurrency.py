"""Real concurrency on PostgreSQL: an app on a database of its own and a thread race helper.

Races need committed data visible to every connection, so tests using these helpers do
not use the suite's rolled-back `_transaction` (they override it). The stock races run only
on PostgreSQL (`POSTGRES_ONLY`): SQLite serialises writers, so they prove nothing there;
races about how a request behaves under a busy lock run on both.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.core.transaction import commit, rollback
from app.extensions import db
from app.services.errors import DomainError
from tests.databases import scratch_database

POSTGRES_ONLY = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="needs PostgreSQL: SQLite serialises writers, so real "
                              "concurrent connections are only tested there"),
]


@contextmanager
def race_application(purpose: str, tmp: Path, **config) -> Iterator[Flask]:
    """An app on a fresh, migrated database of its own, disposed of afterwards."""
    with scratch_database(purpose, tmp / "db") as url:
        application = create_app("testing", SQLALCHEMY_DATABASE_URI=url,
                                 MEDIA_ROOT=str(tmp / "media"), **config)
        with application.app_context():
            upgrade()
            db.session.remove()
        try:
            yield application
        finally:
            with application.app_context():
                db.engine.dispose()


def race(app: Flask, work: Callable[[int], str], threads: int) -> Counter:
    """Run `work(i)` in `threads` threads started at once, each in its own app context.

    A thread's outcome is what `work` returns (after a commit), or the stable code of the
    DomainError it raised (after a rollback); anything else is reported as an error.
    """
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                outcome = work(index)
                commit()
            except DomainError as exc:
                rollback()
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 - reported in the assertion
                rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert len(outcomes) == threads, "a thread did not finish"
    return Counter(outcomes)
