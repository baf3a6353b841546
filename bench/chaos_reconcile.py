"""Kill the server between the card being charged and the webhook arriving, N times.

    .venv/bin/python bench/chaos_reconcile.py [--rounds 20] [--reconcile-seconds 3]
        [--database-url sqlite:////tmp/qiao-chaos/qiao.db |
         --database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_chaos]

A real gunicorn server and its embedded scheduler (one process group) on a fresh demo
database, the Stripe sandbox (localstripe) beside them. Each round the shopper pays
through the API; the sandbox's webhook trips a relay that SIGKILLs the server and drops
the webhook; the server is started again and only the scheduler's reconcile job can turn
the charge into an order. See tests/ops/chaos.py for what is checked afterwards; the
script exits 1 if anything was found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.chaos import run_chaos  # noqa: E402
from tests.ops.live import drop_database, sqlite_or_postgres  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--reconcile-seconds", type=int, default=3)
    parser.add_argument("--min-age-seconds", type=int, default=4,
                        help="RECONCILE_MIN_AGE_SECONDS: reconcile does not race the webhook")
    parser.add_argument("--database-url", default=None,
                        help="a database to drop and fill (default: a new SQLite file)")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='qiao-chaos-')) / 'qiao.db'}"
    elif url.startswith("postgresql"):
        import os

        os.environ["TEST_DATABASE_URL"] = url
        url = sqlite_or_postgres("run")
    try:
        result = run_chaos(url, args.rounds, reconcile_seconds=args.reconcile_seconds,
                           min_age_seconds=args.min_age_seconds,
                           progress=lambda line: print(line, flush=True))
    finally:
        drop_database(url)
    print(result.summary())
    return 1 if result.problems or len(result.seconds_after_restart) != args.rounds else 0


if __name__ == "__main__":
    sys.exit(main())
