"""Engine set-up that differs per database."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event

from app.extensions import db


def configure_engines(app: Flask) -> None:
    """Give SQLite real transactions, foreign keys and a busy timeout.

    pysqlite otherwise opens a transaction only at the first write and ignores
    SAVEPOINT semantics; emitting BEGIN ourselves makes nested transactions
    (and the test suite's rolled-back outer transaction) behave as on PostgreSQL.
    """
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")
