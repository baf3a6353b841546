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
MIN_AGE_SECONDS = 4


def test_orders_appear_by_reconcile_after_the_server_is_killed_before_the_webhook():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = sqlite_or_postgres(f"chaos_{worker}")
    try:
        result = run_chaos(url, ROUNDS, reconcile_seconds=RECONCILE_SECONDS,
                           min_age_seconds=MIN_AGE_SECONDS)
    finally:
        drop_database(url)
    assert result.tripped == ROUNDS  # every round's webhook met a dead server
    assert result.problems == []  # one order, payment and charge each; stock all held
    assert len(result.seconds_after_restart) == ROUNDS
    # Within one reconcile interval of the restart, once the payment is old enough.
    assert max(result.seconds_after_restart) <= MIN_AGE_SECONDS + RECONCILE_SECONDS + 3.5
