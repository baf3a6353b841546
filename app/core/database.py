"""Engine set-up that differs per database, and what a busy database means for a request.

SQLite allows one writer at a time. pysqlite opens a transaction only at the first write
("deferred"), so two requests that read and then write both hold a read snapshot and the
second one's write fails at once with "database is locked": waiting cannot help, as its
snapshot is stale. So we emit BEGIN ourselves:

- `BEGIN IMMEDIATE` for every transaction outside GET/HEAD/OPTIONS requests (and outside
  any request: jobs, CLI): it takes the write lock first, waiting up to the busy timeout,
  so writers queue instead of failing, and a read-check-write in one transaction is
  exact. Writers of one process queue on a lock of their own first (see below).
- `BEGIN` (deferred) for GET/HEAD/OPTIONS, so pages and API reads run side by side without the
  lock. A GET that writes anyway (a token's `last_used_at`, the return page recording a
  payment, a queued job run in-process) mostly succeeds; if its write meets another
  writer, the request is run again once with IMMEDIATE transactions (a GET is safe to
  repeat). GETs that always write and must not race, like the one that opens a
  PaymentIntent, declare it with `@writes_on_get` and start IMMEDIATE.

A lock that still cannot be had after the busy timeout (SQLite), or PostgreSQL's lock,
serialisation and deadlock failures, are "busy", not bugs: `is_busy` recognises them and
the error handlers answer 503 with `Retry-After`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from app.core.transaction import rollback
from app.extensions import db

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# SQLite's primary result codes for "another connection holds the lock".
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
POSTGRES_BUSY_STATES = frozenset({"40001", "40P01", "55P03"})
_IMMEDIATE_FLAG = "qiao_write_lock"
_DEFERRED_FLAG = "qiao_reads_only"
_TURN_KEY = "qiao_writer_turn"
_IDLE_SINCE = "qiao_idle_since"
PING_IDLE_SECONDS = 10
T = TypeVar("T")


def writes_on_get(view: Callable) -> Callable:
    """Mark a GET view that writes and must serialise with other writers (SQLite)."""
    view.writes_on_get = True
    return view


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` is the database refusing for now (a lock or conflict), not a bug."""
    if not isinstance(exc, DBAPIError):
        return False
    original = exc.orig
    sqlite_code = getattr(original, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    if getattr(original, "sqlstate", None) in POSTGRES_BUSY_STATES:
        return True
    return "database is locked" in str(original)


def reads_only_from_now() -> None:
    """The rest of this request only reads (the page telling the user the lock was busy)."""
    setattr(g, _DEFERRED_FLAG, True)


def read_apart(work: Callable[[], T]) -> T:
    """Run `work`, which only reads, in a transaction of its own that takes no write lock,
    and end it; the request's writes then begin a transaction of their own.

    For a slow check before a write request's writes (a log-in's password hash, ~0.3 s of
    CPU): in the write transaction, every other writer would wait for it on SQLite. Call
    it before the request has written anything; the transactions are ended with COMMIT,
    so nothing is ever discarded (there is nothing to commit but reads).
    """
    session = db.session
    session.commit()  # one already open (a stale session's user lookup) may hold the lock
    setattr(g, _DEFERRED_FLAG, True)
    try:
        result = work()
        session.commit()
        return result
    finally:
        g.pop(_DEFERRED_FLAG, None)


def _immediate() -> bool:
    if not has_request_context():
        return True
    if g.get(_DEFERRED_FLAG):
        return False
    if request.method not in READ_METHODS:
        return True
    if g.get(_IMMEDIATE_FLAG):
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "writes_on_get", False))


def _bound_lock_waits(engine: Any, seconds: int) -> None:
    """Give up a PostgreSQL lock wait after `seconds` (55P03: a 503), not never; and turn
    JIT off for the session.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            if cursor.fetchone()[0] in ("0", "0ms"):  # unless the URL's options set one
                cursor.execute(f"SET lock_timeout = {int(seconds * 1000)}")
            # The app's reads are short; a plan estimated past jit_above_cost (a personal
            # Discover's, whose estimates count every row a window might probe) spent
            # 230 ms compiling itself to run in 5 ms.
            cursor.execute("SET jit = off")
        dbapi_connection.commit()


def _ping_idle_connections(engine: Any) -> None:
    """Check a pooled connection is alive before use only when it sat idle a while.

    `pool_pre_ping` pinged on every checkout: a round trip (two autocommit switches and a
    SELECT 1 on PostgreSQL) per request, as much as the one query of a cached page. A
    connection back in use within PING_IDLE_SECONDS is trusted; one found dead after that
    is replaced before the request sees it (the pool retries on DisconnectionError).
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"connection found dead after idling: {exc}") from exc


def configure_engines(app: Flask) -> None:
    """Both: idle connections pinged before use. SQLite: real transactions, foreign keys,
    WAL, a busy timeout. PostgreSQL: lock waits, no JIT.
    """
    with app.app_context():
        engine = db.engine
    _ping_idle_connections(engine)
    if engine.dialect.name == "postgresql":
        _bound_lock_waits(engine, app.config["POSTGRES_LOCK_TIMEOUT_SECONDS"])
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = int(app.config["SQLITE_BUSY_TIMEOUT_SECONDS"] * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Our own BEGIN below, so pysqlite must not open transactions itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        if engine.url.database and engine.url.database != ":memory:":
            # Readers never block the writer nor wait for it.
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    # SQLite's busy handler polls, sleeping up to 100 ms between tries, so under a steady
    # stream of writers one of them can keep missing the lock until its timeout. This
    # process's writers take turns on a lock instead (a waiter is woken as soon as it is
    # released); SQLite's own timeout still covers writers in other processes.
    turn = threading.Lock()
    turn_timeout = app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]

    def end_turn(info: dict) -> None:
        if info.pop(_TURN_KEY, False):
            turn.release()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not _immediate():
            connection.exec_driver_sql("BEGIN")
            return
        if not turn.acquire(timeout=turn_timeout):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked"))
        connection.info[_TURN_KEY] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end_turn(connection.info)
            raise

    # The next writer may start as COMMIT runs: it waits those milliseconds inside SQLite.
    event.listen(engine, "commit", lambda connection: end_turn(connection.info))
    event.listen(engine, "rollback", lambda connection: end_turn(connection.info))
    # A connection handed back to the pool mid-transaction is rolled back there; a broken
    # one is dropped (and its info with it).
    event.listen(engine, "checkin", lambda _dbapi, record: end_turn(record.info))
    event.listen(engine, "invalidate", lambda _dbapi, record, _exc: end_turn(record.info))

    dispatch = app.dispatch_request

    def dispatch_with_write_lock_retry() -> Any:
        try:
            return dispatch()
        except DBAPIError as exc:
            if _immediate() or not is_busy(exc):
                raise
        # A deferred GET's write met another writer: roll its transaction back and run
        # the view again, this time holding the write lock from the start.
        rollback()
        setattr(g, _IMMEDIATE_FLAG, True)
        return dispatch()

    app.dispatch_request = dispatch_with_write_lock_retry
