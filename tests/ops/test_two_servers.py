"""Two real servers on different ports sharing one database and one Redis.

A session, a rate limit (the login throttle), a quote and a payment started on one
server carry on on the other; a stopped (slow) or killed second server leaves the first
unaffected; Redis going away leaves pages served from the database, with a warning.
On PostgreSQL when TEST_DATABASE_URL is set, else on one SQLite file both servers open.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
import requests

from app import sandbox
from tests.localstripe_server import Sandbox
from tests.ops.live import (
    DEMO_PASSWORD,
    LiveServer,
    LiveSite,
    Shopper,
    drop_database,
    free_port,
    purchasable_variant,
    sqlite_or_postgres,
    start_redis_server,
)

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WEBHOOK_SECRET = "whsec_two_servers_" + "0" * 12


@pytest.fixture(scope="module")
def redis_server():
    started = start_redis_server()
    if started is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    process, url = started
    yield process, url
    if process.poll() is None:
        process.terminate()
        process.wait()


@pytest.fixture(scope="module")
def two_servers(redis_server):
    _process, redis_url = redis_server
    sandbox_port = free_port()
    stripe = sandbox.start(sandbox_port, persist=False)
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    url = sqlite_or_postgres(f"two_servers_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    site = LiveSite(url, RATELIMIT_STORAGE_URI=redis_url, STRIPE_SANDBOX_URL=sandbox_url,
                    STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, READYZ_TIMEOUT_SECONDS="0.5")
    first = LiveServer(site)
    second = LiveServer(site, scheduler=False)
    try:
        site.prepare()
        first.start()
        second.start()
        sandbox.register_webhook(sandbox_url, f"{second.url}/api/v1/webhooks/stripe",
                                 WEBHOOK_SECRET)
        yield site, first, second, Sandbox(sandbox_url)
    finally:
        first.kill()
        second.kill()
        sandbox.stop(stripe)
        site.close()
        drop_database(url)


def web_login(http: requests.Session, server: LiveServer, email: str, password: str):
    page = http.get(f"{server.url}/auth/login", timeout=30)
    token = CSRF.search(page.text).group(1)
    return http.post(f"{server.url}/auth/login", timeout=30, allow_redirects=False,
                     data={"csrf_token": token, "email": email, "password": password})


def test_a_session_started_on_one_server_works_on_the_other(two_servers):
    _site, first, second, _stripe = two_servers
    http = requests.Session()
    assert web_login(http, first, "shopper@example.com", DEMO_PASSWORD).status_code == 302
    account = http.get(f"{second.url}/account/profile", timeout=30, allow_redirects=False)
    assert account.status_code == 200, account.status_code
    anonymous = requests.get(f"{second.url}/account/profile", timeout=30,
                             allow_redirects=False)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_the_login_throttle_counts_failures_on_both_servers(two_servers):
    _site, first, second, _stripe = two_servers
    http = requests.Session()
    answers = [web_login(http, server, "creator@example.com", "wrong-password").status_code
               for server in (first, second, first, second, first)]
    assert answers == [401] * 5
    # The fifth failure locked this client; the other server knows it from Redis.
    assert web_login(http, second, "creator@example.com", "wrong-password").status_code == 429


def test_a_quote_from_one_server_is_paid_on_the_other(two_servers):
    site, first, second, stripe = two_servers
    shopper = Shopper("shopper.jp@example.com")
    shopper.log_in(first)
    variant = purchasable_variant(site, at_least=1)
    added = shopper.call(first, "POST", "/api/v1/cart/items",
                         json={"variant_id": variant, "quantity": 1})
    assert added.status_code == 201, added.text
    quote = shopper.call(first, "POST", "/api/v1/checkout/quotes",
                         json={"currency": "USD", "shipping_address": {
                             "name": "Alex Doe", "line1": "350 Fifth Avenue", "line2": "",
                             "city": "New York", "region": "NY", "postal_code": "10118",
                             "country": "US", "phone": "+12125550100"}})
    assert quote.status_code == 201, quote.text
    quote_id = quote.json()["id"]
    assert shopper.call(second, "GET", f"/api/v1/checkout/quotes/{quote_id}").status_code == 200
    payment = shopper.call(second, "POST", f"/api/v1/checkout/quotes/{quote_id}/payment")
    assert payment.status_code == 201, payment.text
    again = shopper.call(first, "POST", f"/api/v1/checkout/quotes/{quote_id}/payment")
    assert again.json()["payment_intent_id"] == payment.json()["payment_intent_id"]
    stripe.charge_directly(payment.json()["payment_intent_id"])
    deadline = time.monotonic() + 30
    found: list = []
    while time.monotonic() < deadline and not found:
        # The webhook went to the second server; the first shows the order.
        found = site.rows("SELECT id, status FROM orders WHERE quote_id = :q", q=quote_id)
        time.sleep(0.2)
    assert [status for _id, status in found] == ["paid"]
    detail = shopper.call(first, "GET", f"/api/v1/orders/{found[0][0]}")
    assert detail.status_code == 200 and detail.json()["status"] == "paid"


def test_a_stopped_or_killed_second_server_leaves_the_first_alone(two_servers):
    _site, first, second, _stripe = two_servers
    second.signal(signal.SIGSTOP)  # as slow as a server can be
    try:
        for path in ("/healthz", "/readyz", "/", "/api/v1/feed?tab=discover"):
            started = time.monotonic()
            response = requests.get(f"{first.url}{path}", timeout=10)
            assert response.status_code == 200, (path, response.status_code)
            assert time.monotonic() - started < 5
        with pytest.raises(requests.Timeout):
            requests.get(f"{second.url}/healthz", timeout=1)
    finally:
        second.signal(signal.SIGCONT)
    second.kill()
    assert requests.get(f"{first.url}/", timeout=10).status_code == 200
    second.start()  # for the tests after this one


def test_pages_are_served_from_the_database_when_redis_is_down(two_servers, redis_server):
    _site, first, _second, _stripe = two_servers
    process, _url = redis_server
    process.terminate()
    process.wait()
    assert requests.get(f"{first.url}/", timeout=10).status_code == 200
    shopper = Shopper()
    shopper.log_in(first)  # the login throttle answers from memory
    assert shopper.call(first, "GET", "/api/v1/me").status_code == 200
    ready = requests.get(f"{first.url}/readyz", timeout=10)
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "redis_rate_limits": "unreachable"}
    assert "Redis unreachable for rate_limits" in first.log_tail(200)
