"""The whole purchase flow, Qiao beside the peer (hjlarry/flask-shop), 8 browsers (issue 17).

Both apps are served the same way: gunicorn, 2 sync workers, no worker recycling (Qiao
through gunicorn.conf.py with QIAO_CONFIG=production and LOG_LEVEL=WARNING; the peer with
the same values as flags), each with its demo data seeded by its own command. Then, round
after round and alternating which goes first, `--users` threads run the whole flow on one
app for `--duration` seconds, each thread a browser (its own cookies, CSRF tokens read
from the pages, redirects followed):

Qiao (localstripe beside it, its webhook registered):
  log in (GET + POST /auth/login), product page, "Buy now" (POST /cart/items, on to the
  address form), quote (POST /checkout, on to the quote page), pay page (the PaymentIntent
  is opened), the card token at the sandbox with the publishable key and the sandbox
  confirm through the server (what static/js/checkout.js does when the sandbox is on;
  the sandbox charges the card and posts the webhook), then the return page, polled until
  it lists the order (whichever of the webhook and the return page comes first records it).
The peer (SQLite; its payment step is a built-in fake, no outside call and no webhook):
  log in (GET + POST /account/login), product page, add to cart (POST /products/<id>/add),
  shipping (GET + POST /checkout/shipping with the account's address and a method),
  order (POST /checkout/note: the order is created; its page is broken in the peer, so
  the browser takes the token from the redirect), pay (GET /orders/pay/<token>/testpay:
  the payment is marked paid in the request) and the success page.

`--login once` logs each browser in once per round and buys again and again with it;
the default logs in for every flow, as the issue lists it. Prints per round and app the
flows/s and failed flows, per app and step p50/p95, and the ratio Qiao/peer.

    .venv/bin/python bench/purchase_flow_vs_peer.py [--rounds 2] [--duration 30] [--users 8]
        [--login every-flow|once] [--peer /tmp/peer] [--peer-venv /tmp/peer-venv]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/qiao_bench_flow]

The peer is a checkout of hjlarry/flask-shop with its requirements installed in its own
venv (see bench/README.md); it is never imported here, only run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from _common import fresh_database  # noqa: E402
from shoppers_checkout import prepare  # noqa: E402

from app import sandbox  # noqa: E402
from app.providers.payments import SANDBOX_PUBLISHABLE_KEY  # noqa: E402
from tests.ops.live import LiveServer, LiveSite, free_port  # noqa: E402

PASSWORD = "bench-flow-pass-1"
PEER_PASSWORD = "password"  # what the peer's seed gives its users
ORDER_WITHIN_SECONDS = 15
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class FlowFailed(Exception):
    """A step answered something a browser would not go on from."""


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise FlowFailed("no CSRF token on the page")
    return found.group(1) or found.group(2)


class Browser:
    """One shopper's browser: cookies, redirects followed, each step timed."""

    def __init__(self, base: str, timings: dict[str, list[float]]) -> None:
        self.base = base
        self.http = requests.Session()
        self.timings = timings

    def step(self, name: str, method: str, path: str, *, expect: str | None = None,
             status: int = 200, **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base}{path}"
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, timeout=60, **kwargs)
        except requests.RequestException as exc:
            raise FlowFailed(f"{name}: {type(exc).__name__}") from exc
        self.timings[name].append((time.perf_counter() - started) * 1000)
        if response.status_code != status:
            raise FlowFailed(f"{name}: {response.status_code}")
        landed = response.headers.get("Location", "") if status == 302 else response.url
        if expect is not None and not re.search(expect, landed):
            raise FlowFailed(f"{name}: landed on {landed}")
        return response


class QiaoFlow:
    """Qiao's purchase as a browser does it, the sandbox standing in for Stripe."""

    name = "Qiao"

    def __init__(self, base: str, sandbox_url: str, emails: list[str],
                 on_sale: list[tuple[int, int]]) -> None:
        self.base, self.sandbox_url = base, sandbox_url
        self.emails, self.on_sale = emails, on_sale

    def log_in(self, browser: Browser, user: int) -> None:
        token = csrf_of(browser.step("login page", "GET", "/auth/login").text)
        browser.step("log in", "POST", "/auth/login", expect=r"/$",
                     data={"email": self.emails[user], "password": PASSWORD, "next": "",
                           "csrf_token": token})

    def buy(self, browser: Browser) -> None:
        product_id, variant_id = random.choice(self.on_sale)  # noqa: S311 - not security
        page = browser.step("product page", "GET", f"/products/{product_id}")
        browser.step("add to cart", "POST", "/cart/items", expect=r"/checkout$",
                     data={"variant_id": variant_id, "quantity": 1, "buy_now": "Buy now",
                           "csrf_token": csrf_of(page.text)})
        quote = browser.step("quote", "POST", "/checkout", expect=r"/checkout/quotes/\d+$",
                             data={"name": "Mia Shopper", "line1": "350 Fifth Avenue",
                                   "line2": "", "city": "New York", "region": "NY",
                                   "postal_code": "10118", "country": "US",
                                   "phone": "+12125550100", "currency": "USD",
                                   "csrf_token": csrf_of(page.text)})
        quote_path = quote.url[len(self.base):]
        pay = browser.step("pay page (intent)", "GET", f"{quote_path}/pay",
                           expect=r"/pay$").text
        page_csrf = re.search(r'data-csrf="([^"]+)"', pay)
        if page_csrf is None:
            raise FlowFailed("pay page: no card form")
        card = browser.step("sandbox: card token", "POST", f"{self.sandbox_url}/v1/tokens",
                            data={"card[number]": "4242424242424242",
                                  "card[exp_month]": "12", "card[exp_year]": "2034",
                                  "card[cvc]": "123", "key": SANDBOX_PUBLISHABLE_KEY})
        confirmed = browser.step("confirm (charge)", "POST", f"{quote_path}/pay/sandbox-confirm",
                                 json={"token": card.json()["id"]},
                                 headers={"X-CSRFToken": page_csrf.group(1)}).json()
        if confirmed.get("status") not in ("succeeded", "processing"):
            raise FlowFailed(f"confirm: {confirmed.get('status')}")
        deadline = time.monotonic() + ORDER_WITHIN_SECONDS
        while time.monotonic() < deadline:
            done = browser.step("return page (order)", "GET", confirmed["next"])
            if 'data-testid="placed-order"' in done.text:
                return
            time.sleep(0.2)
        raise FlowFailed(f"no order within {ORDER_WITHIN_SECONDS} s")


class PeerFlow:
    """flask-shop's purchase as a browser does it (its test payment)."""

    name = "peer"

    def __init__(self, base: str, emails: list[str], variants: dict[int, list[int]]) -> None:
        self.base, self.emails, self.variants = base, emails, variants

    def log_in(self, browser: Browser, user: int) -> None:
        token = csrf_of(browser.step("login page", "GET", "/account/login").text)
        browser.step("log in", "POST", "/account/login", expect=r"/$",
                     data={"username": self.emails[user], "password": PEER_PASSWORD,
                           "csrf_token": token})

    def buy(self, browser: Browser) -> None:
        product_id = random.choice(list(self.variants))  # noqa: S311 - not security
        page = browser.step("product page", "GET", f"/products/{product_id}")
        browser.step("add to cart", "POST", f"/products/{product_id}/add",
                     expect=rf"/products/{product_id}$",
                     data={"variant": random.choice(self.variants[product_id]),  # noqa: S311
                           "quantity": 1, "csrf_token": csrf_of(page.text)})
        shipping = browser.step("shipping page", "GET", "/checkout/shipping").text
        address = re.search(r'name="address_sel" value="(\d+)"', shipping)
        method = re.search(r'name="shipping_method" value="(\d+)"', shipping)
        if address is None or method is None:
            raise FlowFailed("shipping page: no address or method")
        note = browser.step("quote (shipping)", "POST", "/checkout/shipping",
                            expect=r"/checkout/note$",
                            data={"address_sel": address.group(1),
                                  "shipping_method": method.group(1),
                                  "csrf_token": csrf_of(shipping)})
        # The order is made here; the page it redirects to answers 500 in the peer's
        # own code (its template names `order.test_pay`, the route is `test_pay_flow`),
        # so the browser goes from the redirect's order token to the pay link.
        order = browser.step("order", "POST", "/checkout/note", status=302,
                             allow_redirects=False, expect=r"/orders/[0-9a-f-]{36}$",
                             data={"note": "", "csrf_token": csrf_of(note.text)})
        token = order.headers["Location"].rsplit("/", 1)[1]
        browser.step("pay (test payment)", "GET", f"/orders/pay/{token}/testpay",
                     expect=r"/orders/payment_success$")


def run_round(flow, users: int, duration: float, login: str) -> dict:
    """`users` browsers doing `flow` for `duration` seconds: flows, failures, timings."""
    timings: dict[str, list[float]] = defaultdict(list)
    flows_ms: list[float] = []
    failures: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def shopper(user: int) -> None:
        browser = None
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                if browser is None or login == "every-flow":
                    browser = Browser(flow.base, timings)
                    flow.log_in(browser, user)
                flow.buy(browser)
            except FlowFailed as exc:
                with lock:
                    failures[str(exc)] += 1
                browser = None
                continue
            with lock:
                flows_ms.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=shopper, args=(user,)) for user in range(users)]
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"app": flow.name, "flows": len(flows_ms), "elapsed": elapsed,
            "rate": len(flows_ms) / elapsed, "failures": failures, "timings": timings,
            "flows_ms": flows_ms, "load": (load_before, os.getloadavg()[0])}


def start_peer(peer_dir: Path, venv: Path, workers: int) -> tuple[subprocess.Popen, str, dict]:
    """A scratch copy of the peer, seeded by its own commands, served by gunicorn."""
    work = Path(tempfile.mkdtemp(prefix="qiao-peer-"))
    shutil.copytree(peer_dir, work / "shop", ignore=shutil.ignore_patterns(".git"))
    database = work / "shop.db"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("QIAO")},
           "DB_URI": f"sqlite:///{database}", "FLASK_APP": "app.py", "FLASK_DEBUG": "0",
           "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    for command in (["createdb"], ["seed"]):
        subprocess.run([str(venv / "bin" / "flask"), *command], cwd=work / "shop", env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE product_variant SET quantity = 1000000, quantity_allocated = 0")
        variants: dict[int, list[int]] = defaultdict(list)
        for variant_id, product_id in conn.execute(
                "SELECT v.id, v.product_id FROM product_variant v JOIN product_product p "
                "ON p.id = v.product_id WHERE p.on_sale"):
            variants[product_id].append(variant_id)
        emails = [row[0] for row in conn.execute(
            "SELECT u.email FROM account_user u WHERE EXISTS (SELECT 1 FROM account_address a "
            "WHERE a.user_id = u.id) AND u.username NOT IN ('admin', 'op', 'editor') "
            "ORDER BY u.id")]
    port = free_port()
    process = subprocess.Popen(
        [str(venv / "bin" / "gunicorn"), "-w", str(workers), "-k", "sync", "-b",
         f"127.0.0.1:{port}", "--timeout", "60", "--keep-alive", "5", "app:app"],
        cwd=work / "shop", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(200):
        try:
            if requests.get(f"{base}/account/login", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    return process, base, {"emails": emails, "variants": dict(variants), "work": work}


def start_qiao(url: str, users: int, workers: int):
    """Qiao's demo on `url` with deep stock and `users` shoppers who log in by form."""
    sandbox_port = free_port()
    stripe = sandbox.start(sandbox_port, persist=False)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    secret = sandbox.new_webhook_secret()
    site = LiveSite(url, STRIPE_SANDBOX_URL=sandbox_url, STRIPE_WEBHOOK_SECRET=secret,
                    LOG_LEVEL="WARNING", GUNICORN_WORKERS=str(workers),
                    GUNICORN_ACCESS_LOG="false", GUNICORN_MAX_REQUESTS="0",
                    # Eight browsers share one address here; behind a real proxy they
                    # would not, so the per-address log-in limit is lifted for the run.
                    LOGIN_LIMIT_PER_IP="100000 per minute")
    site.prepare()
    os.environ["QIAO_CONFIG"] = "development"
    _tokens, on_sale = prepare(url, users)
    from app.services.accounts.passwords import hash_password

    with site.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("UPDATE users SET password_hash = :h WHERE email LIKE "
                          "'bench-shopper%'"), {"h": hash_password(PASSWORD)})
    server = LiveServer(site, scheduler=False).start()
    # Only what a shopper can open: a product held in moderation answers 404.
    shown = {product_id for product_id in {p for p, _v in on_sale}
             if requests.get(f"{server.url}/products/{product_id}", timeout=60).ok}
    on_sale = [(p, v) for p, v in on_sale if p in shown]
    sandbox.register_webhook(sandbox_url, f"{server.url}/api/v1/webhooks/stripe", secret)
    emails = [f"bench-shopper{number}@example.com" for number in range(users)]
    return QiaoFlow(server.url, sandbox_url, emails, on_sale), server, site, stripe


def summary(results: list[dict], app: str) -> tuple[float, int]:
    """Print one app's figures over its rounds; (flows/s over all rounds, failures)."""
    mine = [r for r in results if r["app"] == app]
    flows = sum(r["flows"] for r in mine)
    rate = flows / sum(r["elapsed"] for r in mine)
    failed = sum(sum(r["failures"].values()) for r in mine)
    print(f"\n{app}: {flows} flows, {rate:.2f} flows/s, {failed} failed")
    merged: dict[str, list[float]] = defaultdict(list)
    for result in mine:
        for step, samples in result["timings"].items():
            merged[step].extend(samples)
        for reason, count in result["failures"].items():
            print(f"  failed: {reason} x {count}")
    print("| Step | Requests | p50 ms | p95 ms |\n|---|---|---|---|")
    for step, samples in [*merged.items(), ("whole flow", [m for r in mine
                                                            for m in r["flows_ms"]])]:
        if len(samples) >= 2:
            ordered = sorted(samples)
            print(f"| {step} | {len(ordered)} | {ordered[len(ordered) // 2]:.0f} | "
                  f"{ordered[int(len(ordered) * 0.95)]:.0f} |")
    return rate, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--duration", type=float, default=30, help="seconds per app and round")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--login", choices=("every-flow", "once"), default="every-flow")
    parser.add_argument("--peer", type=Path, default=Path("/tmp/peer"))
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/peer-venv"))
    parser.add_argument("--database-url", default="sqlite:////tmp/qiao-bench-flow.db")
    args = parser.parse_args()
    if not (args.peer / "flaskshop").is_dir() or not (args.peer_venv / "bin" / "gunicorn").exists():
        raise SystemExit("the peer is missing: see bench/README.md (purchase_flow_vs_peer.py)")

    peer_process, peer_base, peer_data = start_peer(args.peer, args.peer_venv, args.workers)
    qiao = server = site = stripe = None
    try:
        if len(peer_data["emails"]) < args.users:
            raise SystemExit(f"the peer's seed has {len(peer_data['emails'])} shoppers")
        peer = PeerFlow(peer_base, peer_data["emails"], peer_data["variants"])
        qiao, server, site, stripe = start_qiao(fresh_database(args.database_url), args.users,
                                                args.workers)
        backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
        print(f"{args.users} browsers, {args.duration:.0f} s per app and round, "
              f"log in {args.login}; Qiao on {backend}, the peer on SQLite; "
              f"gunicorn {args.workers} sync workers each", flush=True)
        # A short warm-up each, so the first round does not pay for imports and caches.
        run_round(peer, 2, 3, args.login)
        run_round(qiao, 2, 3, args.login)
        results = []
        for number in range(args.rounds):
            order = (peer, qiao) if number % 2 == 0 else (qiao, peer)
            for flow in order:
                result = run_round(flow, args.users, args.duration, args.login)
                results.append(result)
                print(f"round {number + 1} {flow.name}: {result['flows']} flows in "
                      f"{result['elapsed']:.1f} s = {result['rate']:.2f} flows/s, "
                      f"{sum(result['failures'].values())} failed (load "
                      f"{result['load'][0]:.1f} -> {result['load'][1]:.1f})", flush=True)
        peer_rate, peer_failed = summary(results, "peer")
        qiao_rate, qiao_failed = summary(results, "Qiao")
        rates = [{r["app"]: r["rate"] for r in results[i:i + 2]}
                 for i in range(0, len(results), 2)]
        pairs = [pair["Qiao"] / pair["peer"] for pair in rates if pair["peer"]]
        print(f"\nQiao/peer: {qiao_rate / max(peer_rate, 1e-9):.2f}x over all rounds "
              f"(per round: {', '.join(f'{pair:.2f}x' for pair in pairs)}); goal 5x, "
              f"failed flows Qiao {qiao_failed}, peer {peer_failed}")
        return 0
    finally:
        os.killpg(peer_process.pid, 15)
        peer_process.wait()
        shutil.rmtree(peer_data["work"], ignore_errors=True)
        if server is not None:
            server.kill()
        if stripe is not None:
            sandbox.stop(stripe)
        if site is not None:
            site.close()


if __name__ == "__main__":
    sys.exit(main())
