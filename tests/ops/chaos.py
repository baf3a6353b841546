"""The server killed between the card being charged and the webhook arriving.

Each round: a shopper adds one unit to the cart, quotes and starts the payment through
the API; then the Stripe sandbox charges the card. Its webhook goes to a tripwire relay,
which SIGKILLs the server and its embedded scheduler (one process group) before the
webhook can arrive, and drops it. The server is started again at once; only the
embedded scheduler's reconcile job can now turn the charge into an order. The round
records how long after the restart the order appeared.

After every round: one order per quote, one payment per quote and one charge per intent
at the sandbox, stock on hand down by exactly the units sold, nothing left reserved, and
the stock ledger (`flask inventory check`) consistent.
"""

from __future__ import annotations

import statistics
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from app import sandbox
from tests.localstripe_server import Sandbox
from tests.ops.live import (
    LiveServer,
    LiveSite,
    Shopper,
    free_port,
    purchasable_variant,
    stock_of,
)

WEBHOOK_SECRET = "whsec_chaos_" + "0" * 16


class Tripwire:
    """Relays the sandbox's webhooks to the live server; armed, it kills the server first."""

    def __init__(self) -> None:
        self.target: str | None = None
        self.armed = threading.Event()
        self.fired = threading.Event()  # set once the armed trip's kill has finished
        self.on_trip = lambda: None
        self.tripped = 0
        self.dropped = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.lock:
                    if outer.armed.is_set():
                        outer.armed.clear()
                        outer.tripped += 1
                        outer.on_trip()
                        outer.fired.set()
                    if outer.target is None:
                        outer.dropped += 1
                        return self._answer(503, b'{"error": "server down"}')
                    request = urllib.request.Request(
                        outer.target + "/api/v1/webhooks/stripe", data=body, method="POST",
                        headers={k: v for k, v in self.headers.items()
                                 if k.lower() in ("content-type", "stripe-signature")})
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        return self._answer(response.status, response.read())
                except urllib.error.HTTPError as exc:
                    return self._answer(exc.code, exc.read())
                except (urllib.error.URLError, OSError):
                    outer.dropped += 1
                    return self._answer(502, b'{"error": "unreachable"}')

            def _answer(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class ChaosResult:
    """What the rounds did and what was found afterwards."""

    rounds: int
    quotes: list[int] = field(default_factory=list)
    seconds_after_restart: list[float] = field(default_factory=list)
    seconds_after_charge: list[float] = field(default_factory=list)
    tripped: int = 0
    before_kill: int = 0  # orders reconcile made before the webhook (and the kill) came
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        after = self.seconds_after_restart
        return (f"{self.rounds} rounds, {self.tripped} servers killed before the webhook, "
                f"{len(after)} orders by reconcile ({self.before_kill} before the kill); order "
                f"after restart: median "
                f"{statistics.median(after):.1f} s, max {max(after):.1f} s; after the charge: "
                f"median {statistics.median(self.seconds_after_charge):.1f} s; problems: "
                f"{self.problems or 'none'}") if after else f"no order appeared: {self.problems}"


def run_chaos(database_url: str, rounds: int, *, reconcile_seconds: int = 3,
              min_age_seconds: int = 4, tick_seconds: float = 0.5,
              progress=lambda line: None) -> ChaosResult:
    """Run `rounds` kill-and-reconcile rounds on a fresh demo site at `database_url`.

    Reconcile runs every `reconcile_seconds` and leaves payments younger than
    `min_age_seconds` alone (as production leaves the shopper five minutes), so it does not
    race the webhook before the kill.
    """
    sandbox_port = free_port()
    stripe = sandbox.start(sandbox_port, persist=False)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    tripwire = Tripwire()
    sandbox.register_webhook(sandbox_url, tripwire.url, WEBHOOK_SECRET)
    site = LiveSite(database_url, STRIPE_SANDBOX_URL=sandbox_url,
                    STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                    JOB_INTERVALS=f"reconcile-payments={reconcile_seconds}",
                    RECONCILE_MIN_AGE_SECONDS=str(min_age_seconds),
                    SCHEDULER_TICK_SECONDS=str(tick_seconds),
                    JOB_LEASE_SECONDS="60")
    server = LiveServer(site)
    result = ChaosResult(rounds)
    # The order must come within one reconcile interval of the restart (plus what is left
    # of the payment's minimum age); the scheduler looks every tick, and a reconcile may
    # take a moment.
    limit = min_age_seconds + reconcile_seconds + tick_seconds + 3
    try:
        site.prepare()
        server.start()
        tripwire.target = server.url
        shopper = Shopper()
        shopper.log_in(server)
        variant = purchasable_variant(site, at_least=rounds)
        on_hand_before, reserved_before = stock_of(site, variant)

        def kill_server() -> None:
            tripwire.target = None
            server.kill()

        tripwire.on_trip = kill_server
        card = Sandbox(sandbox_url)
        for number in range(1, rounds + 1):
            quote_id, intent_id = shopper.buy_until_payment(server, variant)
            result.quotes.append(quote_id)
            tripwire.fired.clear()
            tripwire.armed.set()
            charged_at = time.monotonic()
            card.charge_directly(intent_id)
            # The webhook may be sent after the confirm call answers.
            if not tripwire.fired.wait(15):
                with tripwire.lock:
                    tripwire.armed.clear()
                result.problems.append(f"round {number}: no webhook came to trip on")
                server.kill()
            if site.scalar("SELECT COUNT(*) FROM orders WHERE quote_id = :q", q=quote_id):
                # The scheduler's reconcile ran between the charge and the webhook, before
                # the kill: fine, as long as the checks below find one order per quote.
                result.before_kill += 1
            server.start()
            tripwire.target = server.url
            restarted_at = time.monotonic()
            while not site.scalar("SELECT COUNT(*) FROM orders WHERE quote_id = :q",
                                  q=quote_id):
                if time.monotonic() - restarted_at > limit:
                    result.problems.append(f"round {number}: no order {limit:.0f} s after "
                                           "the restart")
                    break
                time.sleep(0.1)
            else:
                now = time.monotonic()
                result.seconds_after_restart.append(now - restarted_at)
                result.seconds_after_charge.append(now - charged_at)
            progress(f"round {number}: quote {quote_id}, order "
                     f"{result.seconds_after_restart[-1]:.1f} s after the restart"
                     if len(result.seconds_after_restart) == number
                     else f"round {number}: {result.problems[-1]}")
        result.tripped = tripwire.tripped
        _check_afterwards(site, card, result, variant, on_hand_before, reserved_before)
    finally:
        server.kill()
        tripwire.close()
        sandbox.stop(stripe)
        site.close()
    return result


def _check_afterwards(site: LiveSite, card: Sandbox, result: ChaosResult, variant: int,
                      on_hand_before: int, reserved_before: int) -> None:
    quotes = result.quotes
    marks = ", ".join(str(q) for q in quotes)
    orders = dict(site.rows(f"SELECT quote_id, COUNT(*) FROM orders WHERE quote_id IN ({marks}) "
                            "GROUP BY quote_id"))
    for quote_id in quotes:
        if orders.get(quote_id) != 1:
            result.problems.append(f"quote {quote_id}: {orders.get(quote_id, 0)} orders")
    payments = site.rows(f"SELECT quote_id, state, intent_id FROM payments "
                         f"WHERE quote_id IN ({marks})")
    if sorted(row[0] for row in payments) != sorted(quotes):
        result.problems.append(f"payments per quote: {[row[0] for row in payments]}")
    for quote_id, state, intent_id in payments:
        if state != "succeeded":
            result.problems.append(f"quote {quote_id}: payment {state}")
        intent = card.intent(intent_id)
        charges = intent.get("charges", {}).get("data", [])
        paid = [c for c in charges if c.get("status") == "succeeded"]
        if intent["status"] != "succeeded" or len(paid) != 1:
            result.problems.append(f"intent {intent_id}: {intent['status']}, "
                                   f"{len(paid)} successful charges")
    # A paid order keeps its units reserved until the merchant ships them: on hand is
    # unchanged, reserved grows by the units sold, and every hold belongs to an order.
    on_hand, reserved = stock_of(site, variant)
    if on_hand != on_hand_before or reserved - reserved_before != len(quotes):
        result.problems.append(f"stock (on hand, reserved) {on_hand_before, reserved_before} "
                               f"-> {on_hand, reserved} for {len(quotes)} units sold")
    held = site.scalar(
        f"SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r JOIN orders o "
        f"ON r.owner_type = 'order' AND r.owner_id = CAST(o.id AS VARCHAR(40)) "
        f"WHERE r.state = 'active' AND o.quote_id IN ({marks})")
    if held != len(quotes):
        result.problems.append(f"{held} units held for the orders, {len(quotes)} sold")
    left = site.scalar(f"SELECT COUNT(*) FROM reservations WHERE state = 'active' AND "
                       f"owner_type = 'checkout_quote' AND owner_id IN "
                       f"({', '.join(repr(str(q)) for q in quotes)})")
    if left:
        result.problems.append(f"{left} holds still belong to the paid quotes")
    check = site.flask("inventory", "check", check=False)
    if check.returncode != 0:
        result.problems.append(f"stock ledger: {check.stderr.strip()[-500:]}")
