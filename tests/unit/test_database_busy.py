"""Which database errors mean "busy, retry" (503 database_busy) and which are bugs (500)."""

from __future__ import annotations

import os
import sqlite3

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.core import database
from app.core.database import is_busy
from app.extensions import db
from tests.concurrency import race_application


def wrapped(original: Exception) -> DBAPIError:
    """The exception as SQLAlchemy raises it around the driver's."""
    base = psycopg.Error if isinstance(original, psycopg.Error) else sqlite3.Error
    return DBAPIError.instance("UPDATE payments SET state = 'x'", {}, original, base)


@pytest.mark.parametrize("error", [pg.SerializationFailure, pg.DeadlockDetected,
                                   pg.LockNotAvailable])
def test_postgresql_lock_and_serialisation_failures_are_busy(error):
    assert is_busy(wrapped(error("could not obtain lock")))


def test_other_errors_are_not():
    assert not is_busy(wrapped(pg.UniqueViolation("duplicate key")))
    assert not is_busy(wrapped(pg.UndefinedTable("no such table")))
    assert not is_busy(ValueError("database is locked"))


def test_a_sqlite_write_lock_held_elsewhere_is_busy(tmp_path):
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, isolation_level=None, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as raised:
        waiter.execute("BEGIN IMMEDIATE")
    holder.close()
    waiter.close()
    assert is_busy(wrapped(raised.value))
    with pytest.raises(sqlite3.OperationalError) as missing:
        sqlite3.connect(":memory:").execute("SELECT * FROM nowhere")
    assert not is_busy(wrapped(missing.value))


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite's settings")
def test_sqlite_runs_in_wal_with_the_configured_busy_timeout(tmp_path):
    with race_application("pragmas", tmp_path, SQLITE_BUSY_TIMEOUT_SECONDS=7) as app:
        with app.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL's settings")
def test_postgresql_gives_up_a_lock_wait_after_the_configured_time(app):
    # PostgreSQL's own default (0) would hold a request on a locked row forever.
    assert app.config["POSTGRES_LOCK_TIMEOUT_SECONDS"] == 10
    assert db.session.execute(text("SHOW lock_timeout")).scalar() == "10s"


def test_only_a_connection_that_sat_idle_is_pinged_and_a_dead_one_is_replaced(tmp_path,
                                                                             monkeypatch):
    with race_application("idle_ping", tmp_path) as app, app.app_context():
        engine = db.engine
        pinged: list = []

        def ping(dbapi_connection) -> None:
            pinged.append(dbapi_connection)
            if len(pinged) == 1:  # found dead once, like a server restarted meanwhile
                raise engine.dialect.loaded_dbapi.OperationalError("server closed")

        monkeypatch.setattr(engine.dialect, "do_ping", ping)
        with engine.connect() as connection:
            first = connection.connection.dbapi_connection
        with engine.connect() as connection:  # back in use at once: trusted
            assert connection.connection.dbapi_connection is first
        assert pinged == []
        monkeypatch.setattr(database, "PING_IDLE_SECONDS", 0)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
            assert connection.connection.dbapi_connection is not first
        assert pinged[0] is first and len(pinged) == 1
