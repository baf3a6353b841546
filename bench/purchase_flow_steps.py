"""The purchase flow's server cost per step, in-process (issue 17).

One browser (the Flask test client: cookies, CSRF tokens read from the pages) does the
flow `purchase_flow_vs_peer.py` times over HTTP, on a copy of a seeded SQLite demo with the
sandbox (localstripe) beside it: log-in page and form (landing on the personal Discover),
product page, "Buy now" (on to the address form), the quote (on to the quote page), the pay
page, the card token at the sandbox, the confirm through the server, the return page.
Each step's server time (the test client's round trip, the sandbox's answers included
where the server calls it) and SQL statements are recorded; the figures printed are the
medians per step and per flow over `--flows` flows after `--warm` unmeasured ones, with the
garbage collector's pauses and how long the flow holds SQLite's write lock (BEGIN
IMMEDIATE to its end: what every other worker's writes wait for). QIAO_FLOW_SQL=1 prints
the last flow's statements by step on stderr.

    .venv/bin/python bench/purchase_flow_steps.py [--flows 30] [--warm 3]
        [--seed /tmp/qiao-flow-seed.db] [--profile /tmp/flow.prof]
        [--against /tmp/qiao-base --rounds 3]

The seeded demo is made once (`flask db upgrade`, `flask demo seed`, the bench shoppers
with deep stock) and copied for every run, so runs start from the same rows.
`--against DIR` compares two checkouts on the same machine in one run: it runs this
script from DIR's code and from this one's in turn, `--rounds` times each, alternating
which goes first, and prints both sets of figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code under test: this checkout, or the other one `--against` runs this script for.
CODE = Path(os.environ.get("QIAO_FLOW_CODE", ROOT))
sys.path.insert(0, str(CODE))
PASSWORD = "bench-flow-pass-1"
SHOPPERS = 8
STEPS = ("login page", "log in (Discover)", "product page", "add to cart (address form)",
         "quote (quote page)", "pay page (intent)", "sandbox: card token",
         "confirm (charge)", "return page (order)")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1) or found.group(2)


def make_seed(path: Path) -> None:
    """Migrate, load the demo and add the bench shoppers with deep stock, at `path`."""
    sys.path.insert(0, str(ROOT / "bench"))
    url = f"sqlite:///{path}"
    env = {**os.environ, "QIAO_CONFIG": "development", "FLASK_APP": "wsgi",
           "DATABASE_URL": url, "MEDIA_ROOT": tempfile.mkdtemp(prefix="qiao-flow-media-"),
           "STRIPE_SECRET_KEY": "", "MAIL_BACKEND": "console"}
    flask = str(Path(sys.executable).parent / "flask")
    for args in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([flask, *args], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ["QIAO_CONFIG"] = "development"
    from shoppers_checkout import prepare
    from sqlalchemy import create_engine, text

    from app.services.accounts.passwords import hash_password

    _tokens, on_sale = prepare(url, SHOPPERS)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = :h WHERE email LIKE "
                          "'bench-shopper%'"), {"h": hash_password(PASSWORD)})
        conn.execute(text("CREATE TABLE bench_on_sale (product_id INTEGER, variant_id INTEGER)"))
        conn.execute(text("INSERT INTO bench_on_sale VALUES (:p, :v)"),
                     [{"p": p, "v": v} for p, v in on_sale])
    engine.dispose()


def run_flows(seed: Path, flows: int, warm: int, profile: str | None) -> dict:
    """Run the flow `warm + flows` times on a copy of `seed`; medians per step."""
    work = Path(tempfile.mkdtemp(prefix="qiao-flow-run-")) / "qiao.db"
    shutil.copy(seed, work)
    sandbox_port = _free_port()
    os.environ.update({
        "QIAO_CONFIG": "production", "SECRET_KEY": "bench-flow-secret",
        "DATABASE_URL": f"sqlite:///{work}", "SESSION_COOKIE_SECURE": "false",
        "MEDIA_ROOT": tempfile.mkdtemp(prefix="qiao-flow-media-"), "LOG_LEVEL": "WARNING",
        "STRIPE_SECRET_KEY": "", "STRIPE_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "PUBLIC_BASE_URL": "http://localhost", "MAIL_BACKEND": "console",
        "LOGIN_LIMIT_PER_IP": "100000 per minute", "EMBEDDED_SCHEDULER": "false"})
    from app import sandbox  # after the settings: config.py reads them at import

    stripe = sandbox.start(sandbox_port, persist=False)
    try:
        return _measure(flows, warm, profile)
    finally:
        sandbox.stop(stripe)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _measure(flows: int, warm: int, profile: str | None) -> dict:
    import cProfile
    import logging

    import requests
    from sqlalchemy import event, text

    from app.extensions import db
    from app.providers.payments import SANDBOX_PUBLISHABLE_KEY
    from wsgi import app  # as the servers load it

    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        on_sale = [tuple(row) for row in db.session.execute(text(
            "SELECT product_id, variant_id FROM bench_on_sale"))]
        engine = db.engine
    statements = [0]
    # The garbage collector's pauses, which a profile charges to whatever allocated last.
    collecting = {"since": 0.0, "ms": 0.0, "full": 0}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            collecting["since"] = time.perf_counter()
        else:
            collecting["ms"] += (time.perf_counter() - collecting["since"]) * 1000
            collecting["full"] += info["generation"] == 2

    gc.callbacks.append(on_gc)
    seen: list[tuple[str, str]] = []  # (step, statement) of the last flow, for --sql

    # How long each step holds SQLite's write lock (BEGIN IMMEDIATE to its end): while it
    # does, every other worker's writes wait.
    locked = {"since": None, "ms": 0.0}

    def count(_conn, _cursor, statement, *_args) -> None:
        statements[0] += 1
        seen.append((current[0], statement))
        if statement.startswith("BEGIN IMMEDIATE"):
            locked["since"] = time.perf_counter()

    def unlock(_conn) -> None:
        if locked["since"] is not None:
            locked["ms"] += (time.perf_counter() - locked["since"]) * 1000
            locked["since"] = None

    current = [""]
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "commit", unlock)
    event.listen(engine, "rollback", unlock)
    sandbox_url = app.config["STRIPE_SANDBOX_URL"]
    rng = random.Random(17)
    times: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, list[int]] = defaultdict(list)
    totals: list[tuple[float, int]] = []
    profiler = cProfile.Profile() if profile else None

    def step(client, name, method, path, expect=200, **kwargs):
        current[0] = name
        before, started = statements[0], time.perf_counter()
        if profiler is not None and measured:
            profiler.enable()
        response = client.open(path, method=method, follow_redirects=True, **kwargs)
        if profiler is not None:
            profiler.disable()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != expect:
            raise RuntimeError(f"{name}: {response.status_code} at {response.request.path}")
        flow_times[name] = elapsed
        flow_counts[name] = statements[0] - before
        return response

    gc_ms: list[float] = []
    lock_ms: list[float] = []
    gc_full = 0
    for number in range(warm + flows):
        measured = number >= warm
        collecting.update(ms=0.0, full=0)
        locked.update(since=None, ms=0.0)
        flow_times: dict[str, float] = {}
        flow_counts: dict[str, int] = {}
        client = app.test_client()
        seen.clear()
        email = f"bench-shopper{number % SHOPPERS}@example.com"
        page = step(client, "login page", "GET", "/auth/login")
        step(client, "log in (Discover)", "POST", "/auth/login", data={
            "email": email, "password": PASSWORD, "next": "",
            "csrf_token": csrf_of(page.get_data(as_text=True))})
        product_id, variant_id = rng.choice(on_sale)
        page = step(client, "product page", "GET", f"/products/{product_id}")
        token = csrf_of(page.get_data(as_text=True))
        step(client, "add to cart (address form)", "POST", "/cart/items", data={
            "variant_id": variant_id, "quantity": 1, "buy_now": "Buy now", "csrf_token": token})
        quote = step(client, "quote (quote page)", "POST", "/checkout", data={
            "name": "Mia Shopper", "line1": "350 Fifth Avenue", "line2": "",
            "city": "New York", "region": "NY", "postal_code": "10118", "country": "US",
            "phone": "+12125550100", "currency": "USD", "csrf_token": token})
        quote_path = quote.request.path
        pay = step(client, "pay page (intent)", "GET", f"{quote_path}/pay")
        page_csrf = re.search(r'data-csrf="([^"]+)"', pay.get_data(as_text=True)).group(1)
        started = time.perf_counter()
        card = requests.post(f"{sandbox_url}/v1/tokens", timeout=30, data={
            "card[number]": "4242424242424242", "card[exp_month]": "12",
            "card[exp_year]": "2034", "card[cvc]": "123", "key": SANDBOX_PUBLISHABLE_KEY})
        flow_times["sandbox: card token"] = (time.perf_counter() - started) * 1000
        flow_counts["sandbox: card token"] = 0
        confirmed = step(client, "confirm (charge)", "POST", f"{quote_path}/pay/sandbox-confirm",
                         json={"token": card.json()["id"]},
                         headers={"X-CSRFToken": page_csrf}).get_json()
        done = step(client, "return page (order)", "GET", confirmed["next"])
        if 'data-testid="placed-order"' not in done.get_data(as_text=True):
            raise RuntimeError("the return page lists no order")
        if measured:
            lock_ms.append(locked["ms"])
            for name in STEPS:
                times[name].append(flow_times[name])
                counts[name].append(flow_counts[name])
            totals.append((sum(flow_times.values()), sum(flow_counts.values())))
            gc_ms.append(collecting["ms"])
            gc_full += collecting["full"]
    if profiler is not None:
        profiler.dump_stats(profile)
    if os.environ.get("QIAO_FLOW_SQL"):
        for name, statement in seen:
            print(f"[{name}] {' '.join(statement.split())[:300]}", file=sys.stderr)
    return {
        "steps": {name: [statistics.median(times[name]), statistics.median(counts[name])]
                  for name in STEPS},
        "flow": [statistics.median(t for t, _c in totals), statistics.median(
            c for _t, c in totals)],
        "flow_mean": statistics.fmean(t for t, _c in totals),
        "flow_without_login": [statistics.median(
            t - f for (t, _c), f in zip(totals, times["log in (Discover)"], strict=True)), 0],
        "gc": [statistics.fmean(gc_ms), gc_full / flows],
        "write_lock": statistics.median(lock_ms),
        "load": os.getloadavg()[0],
    }


def show(label: str, results: list[dict]) -> None:
    print(f"\n{label}: median over rounds of each round's median (ms, statements)")
    for name in STEPS:
        ms = statistics.median(r["steps"][name][0] for r in results)
        sql = statistics.median(r["steps"][name][1] for r in results)
        print(f"  {name:<28} {ms:8.1f} ms {sql:5.0f}")
    flow_ms = statistics.median(r["flow"][0] for r in results)
    flow_sql = statistics.median(r["flow"][1] for r in results)
    bare = statistics.median(r["flow_without_login"][0] for r in results)
    print(f"  {'whole flow':<28} {flow_ms:8.1f} ms {flow_sql:5.0f}  (mean "
          f"{statistics.median(r['flow_mean'] for r in results):.1f} ms)")
    print(f"  {'whole flow less the log-in':<28} {bare:8.1f} ms")
    print(f"  {'GC pauses a flow (mean)':<28} "
          f"{statistics.median(r['gc'][0] for r in results):8.1f} ms "
          f"({statistics.median(r['gc'][1] for r in results):.1f} full collections a flow)")
    print(f"  {'write lock held a flow':<28} "
          f"{statistics.median(r.get('write_lock', 0) for r in results):8.1f} ms")
    print("  per round (ms, flow less log-in):",
          ", ".join(f"{r['flow_without_login'][0]:.0f}" for r in results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flows", type=int, default=30)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--seed", default=str(Path(tempfile.gettempdir()) / "qiao-flow-seed.db"))
    parser.add_argument("--profile", help="write a cProfile of the measured flows here")
    parser.add_argument("--against", help="another checkout to compare with, in turn")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    seed = Path(args.seed)
    if not seed.exists():
        print(f"seeding {seed} ...", flush=True)
        make_seed(seed)
    if args.json:  # one measurement in a fresh process: the settings are read at import
        print(json.dumps(run_flows(seed, args.flows, args.warm, args.profile)))
        return 0

    def measure(code: Path) -> dict:
        command = [sys.executable, str(Path(__file__).resolve()), "--json", "--seed", str(seed),
                   "--flows", str(args.flows), "--warm", str(args.warm)]
        if args.profile:
            command += ["--profile", args.profile]
        out = subprocess.run(command, cwd=code, env={**os.environ, "QIAO_FLOW_CODE": str(code)},
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    if not args.against:
        show("this checkout", [measure(ROOT)])
        return 0
    results: dict[str, list[dict]] = {"against": [], "this": []}
    roots = {"against": Path(args.against).resolve(), "this": ROOT}
    for number in range(args.rounds):
        order = ("against", "this") if number % 2 == 0 else ("this", "against")
        for which in order:
            results[which].append(measure(roots[which]))
            print(f"round {number + 1} {which}: {results[which][-1]['flow'][0]:.0f} ms a flow, "
                  f"load {results[which][-1]['load']:.1f}", flush=True)
    show(f"{args.against}", results["against"])
    show("this checkout", results["this"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
