"""A shared cache of rendered public pages, and the content version that keeps it honest.

Every entry is stored under the *content version* it was rendered at: one counter in the
`content_versions` table that moves on, in the same transaction, whenever a statement
writes to a table public pages read (products, prices, stores, rates, notes, authors,
moderation...). A request reads the version first, so a price change or a removed note
makes every older entry unreachable on every server at the moment it commits, with
Redis or without. Tables that only feed a viewer's own pages or counters (carts, orders,
stock holds, likes, ad events, sessions of jobs...) do not move it: stock labels and like
counts on a cached page may lag by up to `PAGE_CACHE_SECONDS`, which is also how long an
entry lives. Checkout re-checks stock exactly, so a lagging label never oversells.

The store is Redis when `REDIS_URL` is set (shared by every server) and a bounded
in-process dictionary otherwise. Redis that cannot be reached is skipped: pages are
rendered from the database, a warning is logged (once a minute) and
`qiao_redis_fallbacks_total{component="page_cache"}` counts it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from flask import Flask, current_app
from sqlalchemy import Engine, event

from app.core.metrics import REDIS_FALLBACKS
from app.extensions import db

log = logging.getLogger("qiao.redis")

_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?',
                    re.IGNORECASE)
_SET_COLUMNS = re.compile(r'(?:\bSET|,)\s*"?(\w+)"?\s*=', re.IGNORECASE)
_WRITTEN = "qiao_content_written"
# Set on a connection whose writes do not move the version: Alembic's, whose migrations may
# run before content_versions exists or after a downgrade dropped it.
UNTRACKED_CONNECTION = "qiao_untracked_writes"

# Tables no cached page reads (a viewer's own data, ledgers, events, queues). Any table not
# named here moves the version on: a new table is safe (never stale) until listed.
PRIVATE_TABLES = frozenset({
    "content_versions", "cache_versions", "alembic_version", "job_leases", "idempotency_records",
    "outbox_emails", "webhook_events", "api_tokens", "audit_log_entries",
    "carts", "cart_items", "quotes", "quote_groups", "quote_lines", "payments",
    "orders", "order_lines", "order_events", "order_messages", "refunds", "refund_lines",
    "return_requests", "return_lines", "return_photos",
    "shipments", "shipment_legs", "shipment_lines", "tracking_events",
    "inventory_levels", "reservations", "stock_movements", "catalog_imports",
    "note_likes", "comment_likes", "comments", "boards", "board_notes", "follows",
    "notifications", "reports", "translation_cache_entries",
    "ad_impressions", "ad_clicks", "ad_frequencies", "ad_hides", "ad_ledger_entries",
    "ad_topups", "ad_topup_refunds", "ad_accounts", "campaign_days", "campaign_report_days",
    "discover_view_days", "placement_slot_days", "placement_bookings",
    "moderation_screenings", "moderation_appeals", "legal_requests", "invitations",
    "interest_weights", "feed_dismissals", "interest_job_marks", "event_participants",
})
# Columns whose changes alone do not move the version: counters and bookkeeping. Cached
# pages show some of them (like counts, the feed's order) and refresh them with the TTL.
COUNTER_COLUMNS = {
    "notes": frozenset({"like_count", "collect_count", "comment_count", "hot_score",
                        "updated_at"}),
    "users": frozenset({"last_login_at", "session_version", "adult_confirmed_at",
                        "updated_at"}),
    "topics": frozenset({"note_count", "group_china_notes", "group_abroad_notes",
                         "group_questions_to_china", "group_questions_to_abroad"}),
    "event_entries": frozenset({"score"}),
    "events": frozenset({"view_count"}),
}


def _moves_content(statement: str) -> bool:
    """Whether a SQL statement writes something a cached page may show."""
    found = _WRITE.match(statement)
    if found is None:
        return False
    table = found.group(1).lower()
    if table in PRIVATE_TABLES:
        return False
    ignored = COUNTER_COLUMNS.get(table)
    if ignored and statement.lstrip()[:6].upper() == "UPDATE":
        head = re.split(r"\bWHERE\b", statement, maxsplit=1, flags=re.IGNORECASE)[0]
        columns = {c.lower() for c in _SET_COLUMNS.findall(head)}
        return not columns or not columns <= ignored
    return True


def track_content_writes(app: Flask) -> None:
    """Move the content version on in every transaction that wrote public content."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "after_cursor_execute")
    def _note_write(conn, _cursor, statement, _parameters, _context, _executemany):
        if not conn.info.get(_WRITTEN) and not conn.info.get(UNTRACKED_CONNECTION) \
                and _moves_content(statement):
            conn.info[_WRITTEN] = True

    table_ready = False

    def bump(conn, *_args) -> None:
        nonlocal table_ready
        if not conn.info.pop(_WRITTEN, False):
            return
        # Migrations write before the table exists; once it does, it stays.
        table_ready = table_ready or engine.dialect.has_table(conn, "content_versions")
        if table_ready:
            # Last statement of the transaction: on PostgreSQL the row stays locked only
            # for the commit itself.
            conn.exec_driver_sql("UPDATE content_versions SET version = version + 1 "
                                 "WHERE id = 1")

    def forget(conn, *_args) -> None:
        conn.info.pop(_WRITTEN, None)

    # Before the SQLite writer's turn is handed on (app.core.database).
    event.listen(engine, "commit", bump, insert=True)
    # A savepoint released inside an outer transaction (the test suite's, or nested
    # work) carries its bump into that transaction.
    event.listen(engine, "release_savepoint", bump)
    event.listen(engine, "rollback", forget)


_READ_VERSION = "SELECT version FROM content_versions WHERE id = 1"


def content_version() -> int | None:
    """The current content version (None: no row).

    Every cached page reads it, so it is read as plain SQL (the ORM's statement handling
    cost a fifth of such a request). On PostgreSQL, before the request has a transaction,
    it is read in autocommit on a pooled connection: one round trip instead of three
    (BEGIN, SELECT, ROLLBACK), about a quarter of a cached page's time. Reading it outside
    the transaction the page is then rendered in is safe: that transaction starts later
    and sees this version's rows or newer ones, never older. A session bound to one
    connection (an outer transaction, as in the test suite) reads on that connection.
    """
    session = db.session()
    bind = session.get_bind()
    if (session.in_transaction() or not isinstance(bind, Engine)
            or bind.dialect.name != "postgresql"):
        return session.connection().exec_driver_sql(_READ_VERSION).scalar()
    pooled = bind.raw_connection()
    try:
        connection = pooled.driver_connection
        connection.autocommit = True
        try:
            row = connection.execute(_READ_VERSION).fetchone()
        finally:
            connection.autocommit = False
    finally:
        pooled.close()
    return None if row is None else row[0]


class PageStore(Protocol):
    """Where rendered pages live: get and set text under a key, with a lifetime."""

    def get(self, key: str) -> str | None: ...  # noqa: D102

    def set(self, key: str, value: str, seconds: int) -> None: ...  # noqa: D102


class InProcessStore:
    """A bounded dictionary of this process (least recently used entries go first)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:  # noqa: D102
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def set(self, key: str, value: str, seconds: int) -> None:  # noqa: D102
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry (tests)."""
        with self._lock:
            self._entries.clear()


class RedisStore:
    """Redis shared by every server; an unreachable Redis is a miss, never an error."""

    # After a failure Redis is left alone this long: a dead server costs one timeout, not
    # one per request.
    RETRY_SECONDS = 10
    WARN_EVERY_SECONDS = 60

    def __init__(self, url: str, prefix: str, timeout: float) -> None:
        import redis

        self.url = url
        self.prefix = prefix
        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_timeout=timeout,
                                            socket_connect_timeout=timeout)
        self._down_until = 0.0
        self._warned_at = float("-inf")

    def _up(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        REDIS_FALLBACKS.labels(component="page_cache").inc()
        now = time.monotonic()
        self._down_until = now + self.RETRY_SECONDS
        if now - self._warned_at >= self.WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("Redis unreachable for the page cache (%s); pages are rendered from "
                        "the database", exc.__class__.__name__)

    def get(self, key: str) -> str | None:  # noqa: D102
        if not self._up():
            return None
        try:
            value = self._client.get(self.prefix + key)
        except self._errors as exc:
            self._failed(exc)
            return None
        return value.decode() if value is not None else None

    def set(self, key: str, value: str, seconds: int) -> None:  # noqa: D102
        if not self._up():
            return
        try:
            self._client.set(self.prefix + key, value.encode(), ex=seconds)
        except self._errors as exc:
            self._failed(exc)


def page_store() -> PageStore:
    """The app's store: Redis when REDIS_URL is set, else this process's dictionary."""
    config = current_app.config
    url = config.get("REDIS_URL") or ""
    store: Any = current_app.extensions.get("qiao_page_store")
    if store is not None and getattr(store, "url", "") == url:
        return store
    if url:
        store = RedisStore(url, config["PAGE_CACHE_REDIS_PREFIX"],
                           config["PAGE_CACHE_REDIS_TIMEOUT_SECONDS"])
    else:
        store = InProcessStore(config["PAGE_CACHE_MAX_ENTRIES"])
    current_app.extensions["qiao_page_store"] = store
    return store
