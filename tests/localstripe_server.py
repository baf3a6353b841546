"""localstripe on a free loopback port, behind a small proxy that fills two of its gaps.

localstripe ignores `Idempotency-Key`; the proxy replays the first answer for a key, as
Stripe does, and records every request so tests can check the keys the app sent.
Stripe.js's part (turning card details into a token) is done here over HTTP with the
publishable key, exactly as localstripe's Stripe.js does in the browser.

Load with `pytest_plugins = ["tests.localstripe_server"]` and use the `stripe_sandbox`
fixture: it points the app's payment provider at the sandbox for the test.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import sandbox
from app.providers.payments import (
    SANDBOX_PUBLISHABLE_KEY,
    SANDBOX_SECRET_KEY,
    reset_payment_provider,
)

WEBHOOK_SECRET = "whsec_test_suite"
# Cards localstripe knows: 4242... succeeds; ...0341 is declined when charged (localstripe
# declines 4000 0000 0000 0002 only when attaching to a customer, unlike Stripe).
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class IdempotencyProxy:
    """Forwards to localstripe; replays POSTs that repeat an Idempotency-Key."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.requests: list[dict] = []
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                key = self.headers.get("Idempotency-Key")
                outer.requests.append({"method": self.command, "path": self.path,
                                       "idempotency_key": key})
                with outer.lock:
                    if self.command == "POST" and key and key in outer.answers:
                        return self._answer(*outer.answers[key])
                    headers = {k: v for k, v in self.headers.items()
                               if k.lower() in ("authorization", "content-type")}
                    request = urllib.request.Request(outer.upstream + self.path, data=body,
                                                     headers=headers, method=self.command)
                    try:
                        with urllib.request.urlopen(request, timeout=10) as response:
                            status, payload = response.status, response.read()
                    except urllib.error.HTTPError as exc:
                        status, payload = exc.code, exc.read()
                    if self.command == "POST" and key:
                        outer.answers[key] = (status, payload)
                return self._answer(status, payload)

            do_GET = do_POST = do_DELETE = _forward  # noqa: N815

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

    def keys_for(self, path_prefix: str) -> list[str | None]:
        """Idempotency keys of the POSTs to paths starting with `path_prefix`."""
        return [r["idempotency_key"] for r in self.requests
                if r["method"] == "POST" and r["path"].startswith(path_prefix)]


class Sandbox:
    """The running sandbox and what tests do with it."""

    def __init__(self, direct_url: str, proxy: IdempotencyProxy | None = None) -> None:
        self.direct_url = direct_url
        self.proxy = proxy
        self.url = proxy.url if proxy else direct_url

    def _call(self, method: str, path: str, data: dict | None = None, *,
              secret: bool = True) -> dict:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Authorization": f"Bearer {SANDBOX_SECRET_KEY}"} if secret else {}
        request = urllib.request.Request(self.direct_url + path, data=body, method=method,
                                         headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def card_token(self, number: str = CARD_OK) -> str:
        """What Stripe.js's createToken does with the card element's details."""
        return self._call("POST", "/v1/tokens", {
            "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034",
            "card[cvc]": "123", "key": SANDBOX_PUBLISHABLE_KEY}, secret=False)["id"]

    def intent(self, intent_id: str) -> dict:
        """The intent as localstripe holds it."""
        return self._call("GET", f"/v1/payment_intents/{intent_id}")

    def charge_directly(self, intent_id: str, number: str = CARD_OK) -> dict:
        """Pay an intent behind the app's back (a shopper whose return never reached us)."""
        token = self._call("GET", f"/v1/tokens/{self.card_token(number)}")
        self._call("POST", f"/v1/payment_intents/{intent_id}",
                   {"payment_method": token["card"]["id"]})
        try:
            return self._call("POST", f"/v1/payment_intents/{intent_id}/confirm", {})
        except urllib.error.HTTPError:
            return self.intent(intent_id)

    def events(self, intent_id: str, event_type: str | None = None) -> list[dict]:
        """Events localstripe generated for an intent, oldest first."""
        # The sandbox keeps every event of the session: read all the pages, not the first.
        query = {"limit": "100", **({"type": event_type} if event_type else {})}
        found: list[dict] = []
        while True:
            page = self._call("GET", f"/v1/events?{urllib.parse.urlencode(query)}")
            found += [e for e in page["data"] if e["data"]["object"].get("id") == intent_id]
            if not page.get("has_more") or not page["data"]:
                return sorted(found, key=lambda e: e["created"])
            query["starting_after"] = page["data"][-1]["id"]

    @staticmethod
    def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
        """A Stripe-Signature header, computed as localstripe (and Stripe) do."""
        stamp = int(time.time()) if at is None else at
        digest = hmac.new(secret.encode(), b"%d.%s" % (stamp, payload), hashlib.sha256)
        return f"t={stamp},v1={digest.hexdigest()}"

    def deliver(self, client, event: dict, *, signature: str | None = None):
        """POST an event to the app's webhook endpoint, signed like localstripe signs it."""
        payload = json.dumps(event, indent=2, sort_keys=True).encode()
        return client.post("/api/v1/webhooks/stripe", data=payload,
                           content_type="application/json; charset=utf-8",
                           headers={"Stripe-Signature": signature or self.sign(payload)})


@pytest.fixture(scope="session")
def _localstripe_process():
    port = _free_port()
    process = sandbox.start(port, persist=False)
    proxy = IdempotencyProxy(f"http://127.0.0.1:{port}")
    try:
        yield f"http://127.0.0.1:{port}", proxy
    finally:
        proxy.server.shutdown()
        sandbox.stop(process)


@pytest.fixture
def stripe_sandbox(app, _localstripe_process):
    """Point the app's payment provider at the test sandbox for one test."""
    direct, proxy = _localstripe_process
    proxy.requests.clear()
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=proxy.url,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    reset_payment_provider()
    try:
        yield Sandbox(direct, proxy)
    finally:
        app.config.update(STRIPE_SANDBOX_URL="http://127.0.0.1:8420", STRIPE_WEBHOOK_SECRET="")
        reset_payment_provider()
