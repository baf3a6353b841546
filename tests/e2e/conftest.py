"""Browser journeys: a live Qiao server on loopback and Debian's Chromium driven by Playwright.

The live server is its own app and database (a SQLite file, or `<name>_e2e_<worker>` on
PostgreSQL when TEST_DATABASE_URL is set), migrated from empty; the browser's requests really
commit. Chromium is Debian's /usr/bin/chromium (`apt-get install chromium fonts-noto-cjk`),
never a browser downloaded by Playwright. Without it these tests skip, unless
QIAO_REQUIRE_BROWSER=1 (as in CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from app import create_app, sandbox
from app.extensions import db, limiter
from app.providers.payments import reset_payment_provider
from app.providers.translation import reset_translation_provider
from tests.databases import scratch_database
from tests.localstripe_server import WEBHOOK_SECRET, _free_port
from tests.translation_server import FakeOpenAIChat

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser journey."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


def _browser_missing(reason: str):
    if os.environ.get("QIAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (QIAO_REQUIRE_BROWSER=1 requires the browser journeys to run)")
    pytest.skip(f"{reason}; install it with `apt-get install chromium fonts-noto-cjk`")


@pytest.fixture(autouse=True)
def _transaction():
    """Override the suite's rolled-back transaction: the live server's data really commits."""
    yield


@pytest.fixture(autouse=True)
def _fresh_limits_and_mail():
    """Override: each journey uses fresh accounts, so limits carry over harmlessly."""
    limiter.reset()
    yield


@dataclass
class LiveServer:
    """The running app and the address the browser opens."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory) -> Iterator[str]:
    """The live server's own database, dropped at the end on PostgreSQL."""
    with scratch_database("e2e", tmp_path_factory.mktemp("e2e-db")) as url:
        yield url


@pytest.fixture(scope="session")
def live_server(live_database_url, tmp_path_factory) -> Iterator[LiveServer]:
    """Qiao served by werkzeug on 127.0.0.1 and a free port, in a daemon thread."""
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=live_database_url,
        MEDIA_ROOT=str(tmp_path_factory.mktemp("e2e-media")),
    )
    with application.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    application.config["PUBLIC_BASE_URL"] = url  # links in e-mails point at this server
    thread = threading.Thread(target=server.serve_forever, name="qiao-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(application, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_stripe_sandbox(live_server) -> Iterator[str]:
    """localstripe on loopback for the live server; yields its URL.

    The app calls its API there and the pay page loads its Stripe.js from there, so it is
    the sandbox itself (which answers the browser's CORS requests), not the suite's
    idempotency proxy. Its events are delivered, signed, to the live server's webhook.
    """
    port = _free_port()
    process = sandbox.start(port, persist=False)
    url = f"http://127.0.0.1:{port}"
    app = live_server.app
    previous = {key: app.config.get(key) for key in
                ("STRIPE_SECRET_KEY", "STRIPE_SANDBOX_URL", "STRIPE_WEBHOOK_SECRET")}
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=url,
                      STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        reset_payment_provider()
    try:
        sandbox.register_webhook(url, f"{live_server.url}/api/v1/webhooks/stripe",
                                 WEBHOOK_SECRET)
        yield url
    finally:
        sandbox.stop(process)
        app.config.update(previous)
        with app.app_context():
            reset_payment_provider()


@pytest.fixture
def chat_model(live_server):
    """Point the live server at an OpenAI-compatible chat server on loopback.

    The timeout is the production default, so a busy machine doesn't fail a journey; a
    journey about timeouts shortens it itself.
    """
    app = live_server.app
    with FakeOpenAIChat() as fake:
        with app.app_context():
            app.config.update(TRANSLATION_PROVIDER="openai", TRANSLATION_URL=fake.url,
                              TRANSLATION_MODEL="qwen2.5-7b-instruct",
                              TRANSLATION_TIMEOUT_SECONDS=10)
            reset_translation_provider()
        try:
            yield fake
        finally:
            with app.app_context():
                app.config.update(TRANSLATION_PROVIDER="libretranslate", TRANSLATION_URL="",
                                  TRANSLATION_MODEL="", TRANSLATION_TIMEOUT_SECONDS=10)
                reset_translation_provider()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, shared by the journeys of this worker."""
    if not CHROMIUM.exists():
        _browser_missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser, live_server):
    """A fresh browser profile (no cookies) at a phone or desktop size, English first."""
    context = browser.new_context(
        viewport=VIEWPORTS[request.param],
        locale="en-US",
        base_url=live_server.url,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.viewport_name = request.param
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        if getattr(request.node, "rep_call_failed", False):
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"failure-{request.node.name}.png"),
                           full_page=True)
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, so `page` can keep a screenshot of it."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed
