"""SIGKILL between the card charge and the webhook: reconcile makes each order, once.

Two rounds here (a real gunicorn server restarted each time); bench/chaos_reconcile.py
runs the full twenty on SQLite and PostgreSQL (figures in bench/README.md).
"""

from __future__ import annotations

import os

from tests.ops.chaos import run_chaos
from tests.ops.live import drop_database, sqlite_or_postgres

ROUNDS = 2
RECONCILE_SECONDS = 3


def test_orders_appear_by_reconcile_after_the_server_is_killed_before_the_webhook():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = sqlite_or_postgres(f"chaos_{worker}")
    try:
        result = run_chaos(url, ROUNDS, reconcile_seconds=RECONCILE_SECONDS)
    finally:
        drop_database(url)
    assert result.tripped == ROUNDS  # every round's webhook met a dead server
    assert result.problems == []  # one order, payment and charge each; stock all held
    assert len(result.seconds_after_restart) == ROUNDS
    assert max(result.seconds_after_restart) <= RECONCILE_SECONDS + 3.5
