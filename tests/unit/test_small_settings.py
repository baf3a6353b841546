"""Settings read from the environment: database URLs hosts hand out, the sandbox secret."""

from __future__ import annotations

from app.sandbox import new_webhook_secret
from config import database_url


def test_a_plain_postgresql_url_uses_psycopg_3():
    assert database_url("postgresql://u:p@db:5432/qiao") == "postgresql+psycopg://u:p@db:5432/qiao"
    assert database_url("postgres://u@db/qiao") == "postgresql+psycopg://u@db/qiao"


def test_other_urls_are_left_alone():
    for url in ("postgresql+psycopg://u@db/qiao", "sqlite:///x.db", "sqlite://"):
        assert database_url(url) == url


def test_each_sandbox_run_gets_its_own_webhook_secret():
    first, second = new_webhook_secret(), new_webhook_secret()
    assert first.startswith("whsec_") and first != second and len(first) > 30
