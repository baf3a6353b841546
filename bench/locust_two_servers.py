"""Load test: Locust shoppers against two servers sharing PostgreSQL and Redis (issue 17).

Starts Redis (redis-server on a free port), localstripe, and a demo database on
PostgreSQL (dropped and seeded again: `flask db upgrade`, `flask demo seed`), adds
`--users` verified shoppers with API tokens and tops the demo stock up; then two gunicorn
servers on different ports sharing the database and Redis (tests/ops/live.py: the first
with the embedded scheduler beside it, the sandbox's webhook going to the second), and
runs `bench/locustfile.py` headless for `--duration` seconds. Prints Locust's throughput,
p50/p95/p99 and failures per step, and the load average before and after.

Locust is not in the project's virtualenv: install it in a separate one and name its
`locust` with `--locust`:

    python3 -m venv /tmp/locust-venv && /tmp/locust-venv/bin/pip install locust
    .venv/bin/python bench/locust_two_servers.py [--users 16] [--spawn-rate 4]
        [--duration 120] [--workers 2] [--locust /tmp/locust-venv/bin/locust]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_locust]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from _common import fresh_database  # noqa: E402
from shoppers_checkout import prepare  # noqa: E402

from app import sandbox  # noqa: E402
from app.providers.payments import SANDBOX_PUBLISHABLE_KEY, SANDBOX_SECRET_KEY  # noqa: E402
from tests.ops.live import LiveServer, LiveSite, free_port, start_redis_server  # noqa: E402

WEBHOOK_SECRET = "whsec_bench_locust_" + "0" * 12


def report(csv_prefix: Path) -> None:
    """Locust's per-step figures, from its CSV."""
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    print("| Step | Requests | Failures | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all requests**"
        print(f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
              f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |")
    failures = Path(f"{csv_prefix}_failures.csv")
    if failures.exists():
        lines = failures.read_text(encoding="utf-8").splitlines()[1:]
        for line in lines[:15]:
            print(f"  failure: {line[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--spawn-rate", type=float, default=4)
    parser.add_argument("--duration", type=int, default=120, help="seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--locust", default="/tmp/locust-venv/bin/locust")
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_locust")
    args = parser.parse_args()
    if not Path(args.locust).exists():
        raise SystemExit(f"{args.locust} is missing: see this script's docstring")

    started = start_redis_server()
    if started is None:
        raise SystemExit("redis-server is missing: apt-get install redis-server")
    redis_process, redis_url = started
    sandbox_port = free_port()
    stripe = sandbox.start(sandbox_port, persist=False)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    url = fresh_database(args.database_url)
    site = LiveSite(url, REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url,
                    STRIPE_SANDBOX_URL=sandbox_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    LOG_LEVEL="WARNING", GUNICORN_WORKERS=str(args.workers),
                    GUNICORN_ACCESS_LOG="false", PAGE_CACHE_SECONDS="30")
    servers = [LiveServer(site), LiveServer(site, scheduler=False)]
    work = Path(tempfile.mkdtemp(prefix="qiao-locust-"))
    try:
        site.prepare()
        os.environ["QIAO_CONFIG"] = "development"
        tokens, on_sale = prepare(url, args.users)
        for server in servers:
            server.start()
        # The notes a guest can open: those Discover shows.
        notes = [item["id"] for item in requests.get(
            f"{servers[0].url}/api/v1/feed?limit=50", timeout=60).json()["items"]]
        sandbox.register_webhook(sandbox_url, f"{servers[1].url}/api/v1/webhooks/stripe",
                                 WEBHOOK_SECRET)
        data = work / "data.json"
        data.write_text(json.dumps({
            "servers": [s.url for s in servers], "tokens": tokens,
            "on_sale": on_sale, "notes": notes, "queries": ["tea", "茶", "lipstick", "gift"],
            "sandbox": sandbox_url, "sandbox_key": SANDBOX_SECRET_KEY,
            "sandbox_public_key": SANDBOX_PUBLISHABLE_KEY}))
        print(f"two servers ({args.workers} workers each) on PostgreSQL and Redis; "
              f"{args.users} shoppers for {args.duration} s; "
              f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        csv_prefix = work / "run"
        subprocess.run([args.locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "-u", str(args.users), "-r", str(args.spawn_rate),
                        "-t", f"{args.duration}s", "--csv", str(csv_prefix), "--only-summary",
                        "--stop-timeout", "20"],
                       env={**os.environ, "QIAO_LOCUST_DATA": str(data)}, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"load average after: {os.getloadavg()[0]:.2f}\n")
        report(csv_prefix)
        orders = site.scalar("SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id "
                             "WHERE u.email LIKE 'bench-shopper%'")
        print(f"\norders placed by the shoppers: {orders}")
    finally:
        for server in servers:
            server.kill()
        sandbox.stop(stripe)
        redis_process.terminate()
        redis_process.wait()
        site.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
