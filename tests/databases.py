"""Scratch databases for tests that need really committed data or an empty schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(purpose: str, sqlite_dir: Path) -> Iterator[str]:
    """An empty database of the suite's kind, dropped afterwards.

    With TEST_DATABASE_URL set it is the PostgreSQL database
    `<name>_<purpose>_<xdist worker>`; otherwise a SQLite file in `sqlite_dir`.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        sqlite_dir.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{sqlite_dir / f'{purpose}-{worker}.db'}"
        return
    url = make_url(base)
    name = f"{url.database}_{purpose}_{worker}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
