"""8 shoppers checking out at once against the `make run` stack on SQLite: count the 5xx.

Builds what `make run` builds, on free ports and a scratch SQLite file: `flask db upgrade`,
`flask demo seed`, localstripe beside the server with the app's webhook registered, and
`flask run` (the threaded development server, QIAO_CONFIG=development). It adds 8
verified shoppers with API tokens and tops the demo stock up so nobody runs out. Then
8 threads loop until the duration is over, each a shopper going through a whole
purchase over HTTP: the home page, a product read, add to cart, quote, payment intent,
the card confirmed at the sandbox (as Stripe.js does), the webhook fulfilling the order
(polled on the quote), the order list. Prints the status counts per step, every 5xx
with its body, the purchases completed and the latency of one purchase.

    .venv/bin/python bench/shoppers_checkout.py [--shoppers 8] [--duration 300]
        [--database-url sqlite:////tmp/qiao-bench-shoppers.db]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from _common import ROOT, describe, fresh_database

BIN = Path(sys.executable).parent
US_ADDRESS = {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "line2": "",
              "city": "New York", "region": "NY", "postal_code": "10118", "country": "US",
              "phone": ""}


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(method: str, url: str, *, headers: dict | None = None, body: dict | None = None,
         form: dict | None = None) -> tuple[int, dict | str]:
    """One HTTP request; (status, JSON body or text)."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")[:300]


def prepare(database_url: str, shoppers: int) -> tuple[list[str], list[tuple[int, int]]]:
    """Bench shoppers' tokens and the (product, variant) ids on sale, with deep stock."""
    from sqlalchemy import select

    from app import create_app
    from app.core.transaction import commit
    from app.extensions import db
    from app.models import Membership, Product, ProductVariant, Store, User, Warehouse, utcnow
    from app.services import inventory
    from app.services.accounts.api_tokens import issue_login_token

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        tokens = []
        for number in range(shoppers):
            user = User(email=f"bench-shopper{number}@example.com", password_hash="x",
                        display_name=f"Bench shopper {number}", home_country="US",
                        currency="USD", email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            tokens.append(issue_login_token(user)[1])
        on_sale = []
        for store in db.session.scalars(select(Store)):
            owner = db.session.scalar(select(User).join(Membership).where(
                Membership.organization_id == store.organization_id,
                Membership.role == "owner"))
            warehouse = db.session.scalar(select(Warehouse).where(Warehouse.store_id == store.id))
            variants = db.session.execute(
                select(ProductVariant.id, Product.id).join(Product)
                .where(Product.store_id == store.id, Product.status == "active",
                       Product.moderation_state == "visible")).all()
            for variant_id, product_id in variants:
                inventory.receive_stock(owner, store.id, variant_id, warehouse.id, 100_000,
                                        reason="bench stock")
                on_sale.append((product_id, variant_id))
        commit()
        db.engine.dispose()
    return tokens, on_sale


def confirm_at_sandbox(sandbox_url: str, intent_id: str) -> None:
    """What Stripe.js does with the card element: a token, then confirm the intent."""
    from app.providers.payments import SANDBOX_PUBLISHABLE_KEY, SANDBOX_SECRET_KEY

    secret = {"Authorization": f"Bearer {SANDBOX_SECRET_KEY}"}
    _status, token = call("POST", f"{sandbox_url}/v1/tokens", form={
        "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034",
        "card[cvc]": "123", "key": SANDBOX_PUBLISHABLE_KEY})
    _status, card = call("GET", f"{sandbox_url}/v1/tokens/{token['id']}", headers=secret)
    call("POST", f"{sandbox_url}/v1/payment_intents/{intent_id}", headers=secret,
         form={"payment_method": card["card"]["id"]})
    call("POST", f"{sandbox_url}/v1/payment_intents/{intent_id}/confirm", headers=secret,
         form={})


class Tally:
    """Status counts per step, the 5xx seen, and purchase latencies (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = {}
        self.errors: list[str] = []
        self.purchases_ms: list[float] = []
        self.unpaid = 0

    def record(self, step: str, status: int, body) -> None:
        """Count one answer."""
        with self.lock:
            self.statuses.setdefault(step, Counter())[status] += 1
            if status >= 500:
                self.errors.append(f"{step} {status}: {str(body)[:200]}")


def shopper(base: str, sandbox_url: str, token: str, on_sale: list[tuple[int, int]],
            deadline: float, tally: Tally) -> None:
    """Buy one random item after another until the deadline."""
    auth = {"Authorization": f"Bearer {token}"}
    api = f"{base}/api/v1"
    while time.monotonic() < deadline:
        started = time.perf_counter()
        product_id, variant_id = random.choice(on_sale)  # noqa: S311 - not security
        steps = [
            ("home page", "GET", f"{base}/", None, None),
            ("product read", "GET", f"{api}/products/{product_id}?currency=USD&country=US",
             auth, None),
            ("add to cart", "POST", f"{api}/cart/items", auth,
             {"variant_id": variant_id, "quantity": 1, "ship_to": "US"}),
            ("quote", "POST", f"{api}/checkout/quotes", auth,
             {"currency": "USD", "shipping_address": US_ADDRESS}),
        ]
        quote = None
        for step, method, url, headers, body in steps:
            status, answer = call(method, url, headers=headers, body=body)
            tally.record(step, status, answer)
            if step == "quote" and status == 201:
                quote = answer
        if quote is None:
            continue
        status, payment = call("POST", f"{api}/checkout/quotes/{quote['id']}/payment",
                               headers=auth)
        tally.record("payment intent", status, payment)
        if status != 201:
            continue
        confirm_at_sandbox(sandbox_url, payment["payment_intent_id"])
        paid = False
        for _attempt in range(50):  # the webhook fulfils the order
            status, state = call("GET", f"{api}/checkout/quotes/{quote['id']}", headers=auth)
            tally.record("quote poll", status, state)
            if status == 200 and state.get("state") == "paid":
                paid = True
                break
            time.sleep(0.1)
        status, orders = call("GET", f"{api}/orders", headers=auth)
        tally.record("order list", status, orders)
        with tally.lock:
            if paid:
                tally.purchases_ms.append((time.perf_counter() - started) * 1000)
            else:
                tally.unpaid += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=8)
    parser.add_argument("--duration", type=float, default=300, help="seconds")
    parser.add_argument("--database-url", default="sqlite:////tmp/qiao-bench-shoppers.db")
    args = parser.parse_args()

    from app import sandbox

    database_url = fresh_database(args.database_url)
    port, sandbox_port = free_port(), free_port()
    base, sandbox_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}"
    secret = sandbox.new_webhook_secret()
    env = {**os.environ, "QIAO_CONFIG": "development", "FLASK_APP": "wsgi",
           "DATABASE_URL": database_url, "STRIPE_SECRET_KEY": "",
           "STRIPE_SANDBOX_URL": sandbox_url, "STRIPE_WEBHOOK_SECRET": secret,
           "PUBLIC_BASE_URL": base}
    os.environ.update({k: env[k] for k in ("QIAO_CONFIG", "STRIPE_SANDBOX_URL")})
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tokens, on_sale = prepare(database_url, args.shoppers)
    stripe = sandbox.start(sandbox_port, persist=False)
    sandbox.register_webhook(sandbox_url, f"{base}/api/v1/webhooks/stripe", secret)
    log = Path(f"/tmp/qiao-bench-shoppers-server-{port}.log")
    with log.open("wb") as output:
        server = subprocess.Popen([str(BIN / "flask"), "run", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, cwd=ROOT, stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"{base}/", timeout=2)  # noqa: S310 - loopback
                break
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        tally = Tally()
        deadline = time.monotonic() + args.duration
        threads = [threading.Thread(target=shopper, args=(base, sandbox_url, token, on_sale,
                                                          deadline, tally))
                   for token in tokens]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
        sandbox.stop(stripe)
    total = sum(sum(c.values()) for c in tally.statuses.values())
    fives = sum(n for c in tally.statuses.values() for s, n in c.items() if s >= 500)
    print(f"{args.shoppers} shoppers for {elapsed:.0f} s against flask run on SQLite: "
          f"{total} requests, {fives} x 5xx")
    for step, counts in tally.statuses.items():
        print(f"  {step}: {dict(sorted(counts.items()))}")
    for error in tally.errors[:20]:
        print(f"  5xx: {error}")
    print(f"purchases paid: {len(tally.purchases_ms)} (not seen paid within 5 s: "
          f"{tally.unpaid})")
    if len(tally.purchases_ms) >= 2:
        print(f"one purchase, home page to order list: {describe(tally.purchases_ms)}")
    print(f"server log: {log}")


if __name__ == "__main__":
    main()
