"""Version tokens of slow-changing tables, so every process can keep what it reads there.

A named group of tables (the checkout's rule book: market rules, duty rates, regional
taxes; exchange-rate snapshots) has one row in `cache_versions`. An engine hook notes any
INSERT/UPDATE/DELETE on one of the group's tables and, just before that transaction
commits, gives the row a new random token in the same transaction. A process keeps what
it read on a shelf under the token it saw, and reads the tokens (one small query per
transaction) before using it: a change committed by any server, service, command or
test is seen by the next transaction everywhere.

The token is random rather than a counter: a bump that is rolled back (a failed request,
every test) must never come back as the token of different data. A transaction that has
written the group but not yet committed still sees the old token, so `shelf` gives None
there and the reader goes to the database instead of the shelf.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event

from app.extensions import db

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
                    re.IGNORECASE)
_NAME = re.compile(r"^[a-z_]+$")
_TOKENS = "qiao_cache_tokens"  # this transaction's tokens, read once
_SHELVES = "qiao_cache_shelves"
# Entries kept under one token before a shelf starts again empty (some keys come from
# shoppers' input, so their number is not bounded by the tables).
MAX_ENTRIES = 4096


def _written_key(name: str) -> str:
    return f"qiao_cache_written_{name}"


def track_table_writes(app: Flask, name: str, tables: frozenset[str]) -> None:
    """Give `name` a new token in every transaction that writes one of `tables`."""
    if not _NAME.match(name):  # names are written into SQL: lower-case words only
        raise ValueError(f"cache version names are lower-case words: {name!r}")
    with app.app_context():
        engine = db.engine
    key = _written_key(name)
    ready = False

    @event.listens_for(engine, "after_cursor_execute")
    def _note_write(conn, _cursor, statement, _parameters, _context, _executemany):
        if not conn.info.get(key):
            found = _WRITE.match(statement)
            if found is not None and found.group(1).lower() in tables:
                conn.info[key] = True

    def bump(conn, *_args) -> None:
        nonlocal ready
        conn.info.pop(_TOKENS, None)
        if not conn.info.pop(key, False):
            return
        # Migrations write rules before the table exists; once it does, it stays.
        ready = ready or engine.dialect.has_table(conn, "cache_versions")
        if ready:
            conn.exec_driver_sql(f"UPDATE cache_versions SET token = {secrets.randbits(62)} "
                                 f"WHERE name = '{name}'")

    def forget(conn, *_args) -> None:
        conn.info.pop(key, None)
        conn.info.pop(_TOKENS, None)

    def new_transaction(conn, *_args) -> None:
        conn.info.pop(_TOKENS, None)

    # Before the SQLite writer's turn is handed on (app.core.database).
    event.listen(engine, "commit", bump, insert=True)
    # A savepoint released inside an outer transaction (the test suite's) carries its
    # bump into that transaction.
    event.listen(engine, "release_savepoint", bump)
    event.listen(engine, "rollback", forget)
    event.listen(engine, "begin", new_transaction)
    event.listen(engine, "rollback_savepoint", new_transaction)


def _tokens() -> dict[str, int]:
    """Every group's token as this transaction sees it (read once per transaction)."""
    connection = db.session.connection()
    tokens = connection.info.get(_TOKENS)
    if tokens is None:
        # Plain SQL on the session's connection: every quote pays for this read.
        tokens = dict(connection.exec_driver_sql(
            "SELECT name, token FROM cache_versions").all())
        connection.info[_TOKENS] = tokens
    return tokens


def shelf(name: str) -> dict[Any, Any] | None:
    """The entries of this process for the group's current token; None: read the database.

    None when this transaction has written the group's tables and not yet committed
    (what it reads must not be kept), or when the group has no token row.
    """
    if db.session.connection().info.get(_written_key(name)):
        return None
    token = _tokens().get(name)
    if token is None:
        return None
    shelves = current_app.extensions.setdefault(_SHELVES, {})
    found = shelves.get(name)
    if found is None or found[0] != token or len(found[1]) >= MAX_ENTRIES:
        found = shelves[name] = (token, {})
    return found[1]


def forget_kept() -> None:
    """Drop what this process keeps and the tokens this transaction read, so the next
    reads go to the database (tests that count a cold read's statements).
    """
    current_app.extensions.pop(_SHELVES, None)
    db.session.connection().info.pop(_TOKENS, None)
