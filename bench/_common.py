"""Shared set-up for the benchmarks: a fresh database, an app bound to it, timing helpers."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench"


def fresh_database(url: str) -> str:
    """Create (or recreate) the database named by `url`; SQLite files start empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or Path(tempfile.gettempdir()) / "qiao-bench.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return parsed.render_as_string(hide_password=False)


def make_app(url: str, **overrides):
    """An app on `url` with the schema migrated to head."""
    os.environ.setdefault("QIAO_CONFIG", "testing")
    from flask_migrate import upgrade

    from app import create_app

    application = create_app("testing", SQLALCHEMY_DATABASE_URI=url,
                             MEDIA_ROOT=tempfile.mkdtemp(prefix="qiao-bench-media-"),
                             **overrides)
    with application.app_context():
        upgrade()
    return application


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99/max of a list of milliseconds."""
    ordered = sorted(samples_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": statistics.median(ordered), "p95": cuts[94], "p99": cuts[98],
            "max": ordered[-1]}


def describe(samples_ms: list[float]) -> str:
    """'p50 1.23 ms, p95 ... ' for printing."""
    return ", ".join(f"{name} {value:.2f} ms" for name, value in percentiles(samples_ms).items())
