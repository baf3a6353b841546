"""Qiao's read paths as a share of the ceiling app, measured side by side with wrk.

Serves Qiao (gunicorn, 2 sync workers, a SQLite file with the demo data) and the ceiling
app of ../shared/bench-ceiling (`app_db.py`: 20 product cards read through the SQLAlchemy
ORM from SQLite, same gunicorn settings) at the same time, then alternates wrk runs: for
each round and page, the ceiling, then Qiao's page. It prints each page's median req/s,
the ceiling's median over the runs paired with it, and the median of the paired ratios.
Any non-2xx/3xx answer or socket error is counted and printed (a page that failed is not
a fast page).

    .venv/bin/python bench/ceiling_ratio.py [--rounds 3] [--duration 20] [--connections 32]
        [--threads 2] [--ceiling ../shared/bench-ceiling] [--keep-db]
        [--qiao-port N] [--ceiling-port N] [--page NAME ...]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_ceiling]

Qiao's database is a SQLite file (`--db`) unless `--database-url` names PostgreSQL; the
ceiling app always reads its own SQLite file.

Needs `wrk` (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _common import fresh_database  # noqa: E402

BIN = Path(sys.executable).parent
DEFAULT_DB = Path(tempfile.gettempdir()) / "qiao-bench-ceiling.db"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def qiao_env(url: str, media: Path) -> dict[str, str]:
    return {**os.environ, "QIAO_CONFIG": "production", "FLASK_APP": "wsgi",
            "SECRET_KEY": "bench-ceiling-secret-not-for-production",
            "DATABASE_URL": url, "MEDIA_ROOT": str(media),
            "SESSION_COOKIE_SECURE": "false", "LOG_LEVEL": "WARNING",
            "METRICS_ENABLED": os.environ.get("METRICS_ENABLED", "true"),
            "STRIPE_SANDBOX_URL": "http://127.0.0.1:9"}  # the seed must not find a sandbox


def _seeded(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "").exists()
    engine = create_engine(parsed.set(database="postgres"))
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                {"name": parsed.database}).scalar():
                return False
    finally:
        engine.dispose()
    engine = create_engine(url)
    try:
        return inspect(engine).has_table("content_versions")
    finally:
        engine.dispose()


def prepare_qiao(url: str, media: Path, *, reuse: bool) -> None:
    if reuse and _seeded(url):
        return
    fresh_database(url)
    env = qiao_env(url, media)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN / "flask"), "demo", "seed"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def pick_targets(url: str) -> dict[str, str]:
    """The pages to measure, with ids and slugs from the demo data."""
    engine = create_engine(url)
    with engine.connect() as conn:
        product_id = conn.execute(text(
            "SELECT p.id FROM products p JOIN product_variants v ON v.product_id = p.id "
            "WHERE p.status = 'active' ORDER BY p.id LIMIT 1")).scalar()
        slug = conn.execute(text("SELECT slug FROM stores ORDER BY id LIMIT 1")).scalar()
    engine.dispose()
    return {
        "Discover": "/",
        "Product": f"/products/{product_id}",
        "Store": f"/stores/{slug}",
        "Search": "/search?q=tea",
        "JSON product API": f"/api/v1/products/{product_id}?currency=USD&country=US",
        "Feed API": "/api/v1/feed?tab=discover",
    }


def start(command: list[str], cwd: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{command} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):  # noqa: S310
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    stop(process)
    raise SystemExit(f"{command} did not answer on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def check_200(url: str) -> None:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}, not 200")


def wrk(url: str, args: argparse.Namespace) -> tuple[float, int, int]:
    """Requests per second, answers that were not 2xx/3xx (or sockets that failed), and
    requests still unanswered after wrk's 2 s timeout (an overloaded server, not an error)."""
    out = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.connections}",
                          f"-d{args.duration}s", url], capture_output=True, text=True,
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    failed = timeouts = 0
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        failed += int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                          r"timeout (\d+)", out):
        connect, read, write, timeouts = (int(n) for n in found.groups())
        failed += connect + read + write
    return rate, failed, timeouts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ceiling", type=Path, default=ROOT.parent / "shared" / "bench-ceiling")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--database-url",
                        help="Qiao's database (default: the SQLite file --db); a PostgreSQL "
                             "database named here is dropped and seeded again")
    parser.add_argument("--keep-db", action="store_true",
                        help="reuse the database if it is seeded instead of seeding it again")
    parser.add_argument("--page", action="append",
                        help="measure only this page (repeatable; default: every page)")
    parser.add_argument("--qiao-port", type=int, default=0,
                        help="serve Qiao on this port (default: any free one)")
    parser.add_argument("--ceiling-port", type=int, default=0,
                        help="serve the ceiling app on this port (default: any free one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    media = Path(tempfile.mkdtemp(prefix="qiao-bench-ceiling-media-"))
    url = args.database_url or f"sqlite:///{args.db}"
    prepare_qiao(url, media, reuse=args.keep_db)
    targets = pick_targets(url)
    if args.page:
        targets = {name: targets[name] for name in args.page}

    # The ceiling runs from a scratch copy (shared/ may be read-only), its own SQLite file.
    ceiling_dir = Path(tempfile.mkdtemp(prefix="qiao-bench-ceiling-app-"))
    shutil.copytree(args.ceiling, ceiling_dir, dirs_exist_ok=True)
    ceiling_env = {**os.environ, "CEIL_DB": str(ceiling_dir / "ceil.db")}
    if not (ceiling_dir / "ceil.db").exists():
        subprocess.run([sys.executable, "app_db.py"], cwd=ceiling_dir, env=ceiling_env,
                       check=True, stdout=subprocess.DEVNULL)

    gunicorn = [str(BIN / "gunicorn"), "-w", "2", "-k", "sync"]
    qiao_port = args.qiao_port or _free_port()
    ceiling_port = args.ceiling_port or _free_port()
    qiao = start(gunicorn + ["-b", f"127.0.0.1:{qiao_port}", "-c",
                             str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                 ROOT, {**qiao_env(url, media), "GUNICORN_WORKERS": "2",
                        "GUNICORN_THREADS": "1", "GUNICORN_ACCESS_LOG": "false",
                        # As the ceiling's gunicorn: no worker recycling. With it, both
                        # workers reached max_requests together and booted again, and the
                        # server answered nothing for a whole 10 s run on a loaded machine.
                        "GUNICORN_MAX_REQUESTS": "0"},
                 qiao_port)
    ceiling = start(gunicorn + ["-b", f"127.0.0.1:{ceiling_port}", "app_db:app"],
                    ceiling_dir, ceiling_env, ceiling_port)
    try:
        for path in targets.values():
            check_200(f"http://127.0.0.1:{qiao_port}{path}")
        print(f"Qiao on {make_url(url).get_backend_name()}; "
              f"load average before: {os.getloadavg()[0]:.2f}; wrk -t{args.threads} "
              f"-c{args.connections} -d{args.duration}s, {args.rounds} rounds", flush=True)
        results: dict[str, dict[str, list]] = {
            name: {"qiao": [], "ceiling": [], "ratio": [], "failed": [0], "timeouts": [0]}
            for name in targets}
        for round_no in range(1, args.rounds + 1):
            for name, path in targets.items():
                ceiling_rate, ceiling_failed, ceiling_slow = wrk(
                    f"http://127.0.0.1:{ceiling_port}/", args)
                rate, failed, slow = wrk(f"http://127.0.0.1:{qiao_port}{path}", args)
                row = results[name]
                row["ceiling"].append(ceiling_rate)
                row["qiao"].append(rate)
                row["ratio"].append(rate / ceiling_rate)
                row["failed"][0] += failed + ceiling_failed
                row["timeouts"][0] += slow + ceiling_slow
                print(f"round {round_no} {name:<17} ceiling {ceiling_rate:8.1f}  "
                      f"qiao {rate:8.1f} req/s  ({rate / ceiling_rate:.1%})", flush=True)
        print(f"\nload average after: {os.getloadavg()[0]:.2f}\n")
        print("| Page | Qiao req/s | Ceiling req/s | Ratio | Failed answers | Over 2 s |")
        print("|---|---|---|---|---|---|")
        for name, row in results.items():
            print(f"| {name} | {statistics.median(row['qiao']):.0f} | "
                  f"{statistics.median(row['ceiling']):.0f} | "
                  f"{statistics.median(row['ratio']):.1%} | {row['failed'][0]} | "
                  f"{row['timeouts'][0]} |")
    finally:
        stop(qiao)
        stop(ceiling)
        shutil.rmtree(ceiling_dir, ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
