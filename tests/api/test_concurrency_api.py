"""Concurrent API calls on SQLite and PostgreSQL: one intent per quote, no over-refund, no 5xx.

Real threads, each with its own client and pooled connection, on a committed database of
their own (SQLite file or PostgreSQL, whichever the suite runs on), paying through the
test sandbox (localstripe behind its recording proxy). bench/payment_races.py prints the
same races' figures.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask, request
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.models import ApiToken, Order, OrderLine, Payment, User, utcnow
from app.providers.payments import reset_payment_provider
from tests.concurrency import race_application
from tests.localstripe_server import WEBHOOK_SECRET, Sandbox
from tests.payment_race import at_once, intents_created, pay, refunds_created, seed_quote

pytest_plugins = ["tests.localstripe_server"]
CALLS = 10


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@contextmanager
def sandboxed_app(purpose: str, tmp, localstripe, **config) -> Iterator[tuple[Flask, Sandbox]]:
    """A race app on its own database, paying through the test sandbox."""
    direct, proxy = localstripe
    with race_application(purpose, tmp, STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=proxy.url,
                          STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, **config) as application:
        with application.app_context():
            reset_payment_provider()
        proxy.requests.clear()
        yield application, Sandbox(direct, proxy)
        with application.app_context():
            reset_payment_provider()


@pytest.fixture(scope="module")
def race_app(tmp_path_factory, _localstripe_process) -> Iterator[tuple[Flask, Sandbox]]:
    with sandboxed_app("api_race", tmp_path_factory.mktemp("api-race"),
                       _localstripe_process) as pair:
        yield pair


def test_ten_payment_calls_on_one_quote_make_one_intent_and_one_answer(race_app):
    app, sandbox = race_app
    shop = seed_quote(app, tag="pay10")
    sandbox.proxy.requests.clear()
    url = f"/api/v1/checkout/quotes/{shop.quote_id}/payment"

    answers = at_once(app, CALLS, lambda client, _i: client.post(url, headers=shop.shopper))

    assert Counter(a.status for a in answers) == {201: CALLS}, answers
    assert len({repr(sorted(a.body.items())) for a in answers}) == 1  # the very same answer
    assert intents_created(sandbox) == 1
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.quote_id == shop.quote_id))
        assert payment.intent_id == answers[0].body["payment_intent_id"]
        assert sandbox.intent(payment.intent_id)["amount"] == payment.amount_minor


def test_ten_card_pages_opened_at_once_share_one_intent(race_app):
    app, sandbox = race_app
    shop = seed_quote(app, tag="page10")
    sandbox.proxy.requests.clear()
    with app.app_context():
        version = db.session.get(User, shop.shopper_id).session_version

    def open_page(client, _index):
        with client.session_transaction() as session:
            session["_user_id"] = f"{shop.shopper_id}:{version}"
            session["_fresh"] = True
        return client.get(f"/checkout/quotes/{shop.quote_id}/pay")

    answers = at_once(app, CALLS, open_page)

    assert Counter(a.status for a in answers) == {200: CALLS}
    assert intents_created(sandbox) == 1


def test_ten_refunds_of_one_unit_on_a_two_unit_line(race_app):
    app, sandbox = race_app
    shop = seed_quote(app, units=2, tag="refund10")
    order_id, line_id = pay(app, shop, sandbox)
    sandbox.proxy.requests.clear()
    url = f"/api/v1/stores/{shop.store_id}/orders/{order_id}/refunds"
    body = {"lines": [{"order_line_id": line_id, "quantity": 1}]}

    answers = at_once(app, CALLS, lambda client, _i: client.post(url, json=body,
                                                                 headers=shop.owner))

    assert Counter(a.status for a in answers) == {201: 2, 422: CALLS - 2}, answers
    assert {a.body["error"]["code"] for a in answers if a.status == 422} \
        <= {"refund_quantity_exceeded", "refund_exceeds_captured"}
    assert refunds_created(sandbox) == 2
    with app.app_context():
        line = db.session.get(OrderLine, line_id)
        order = db.session.get(Order, order_id)
        payment = db.session.scalar(select(Payment).where(Payment.quote_id == shop.quote_id))
        assert line.refunded_quantity == 2
        assert order.refunded_minor == payment.refunded_minor <= payment.amount_minor
        assert sorted(r.state for r in order.refunds) == ["succeeded", "succeeded"]


def test_concurrent_bearer_reads_beside_writers_never_fail(race_app):
    app, _sandbox = race_app
    shop = seed_quote(app, tag="reads")
    with app.app_context():
        # Every token is due for its last_used_at write, the case that used to lock.
        db.session.execute(ApiToken.__table__.update().values(
            last_used_at=utcnow() - timedelta(days=1)))
        db.session.commit()

    def send(client, index):
        if index % 2:  # the owner fills a cart while the shopper reads
            return client.post("/api/v1/cart/items", headers=shop.owner,
                               json={"variant_id": shop.variant_id, "quantity": 1, "ship_to": "JP"})
        return client.get("/api/v1/me", headers=shop.shopper)

    answers = at_once(app, 2 * CALLS, send)

    assert not [a for a in answers if a.status >= 500], answers
    assert Counter(a.status for a in answers)[200] == CALLS
    with app.app_context():
        # This shop's two tokens (the newest) were written once the day-old value was seen.
        touched = db.session.scalars(select(ApiToken.last_used_at)
                                     .order_by(ApiToken.id.desc()).limit(2)).all()
        assert all(utcnow() - when < timedelta(minutes=1) for when in touched)


def test_a_token_used_again_soon_is_not_written_again(race_app):
    app, _sandbox = race_app
    shop = seed_quote(app, tag="touch")
    client = app.test_client()

    def last_used():
        with app.app_context():
            return db.session.scalars(select(ApiToken.last_used_at)
                                      .order_by(ApiToken.id.desc())).first()

    assert client.get("/api/v1/me", headers=shop.owner).status_code == 200
    first = last_used()
    assert client.get("/api/v1/me", headers=shop.owner).status_code == 200
    assert first is not None and last_used() == first


# A lock held past the timeout ------------------------------------------------------
@pytest.fixture(scope="module")
def impatient_app(tmp_path_factory, _localstripe_process) -> Iterator[tuple[Flask, Sandbox]]:
    """Waits 0.3 s for a lock: SQLite's busy timeout, PostgreSQL's lock_timeout."""
    postgres = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
    engine = {"SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": "-c lock_timeout=300"}}
              } if postgres else {}
    with sandboxed_app("impatient", tmp_path_factory.mktemp("impatient"),
                       _localstripe_process, SQLITE_BUSY_TIMEOUT_SECONDS=0.3,
                       DATABASE_BUSY_RETRY_AFTER=3, **engine) as pair:
        yield pair


@contextmanager
def lock_held(app: Flask, quote_id: int, holder: str) -> Iterator[None]:
    """Another connection holds the lock a payment call needs, until the block ends.

    `holder` is "other program" (a connection of its own) or "this app" (one of the app's
    pooled connections, a writer of this process).
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if holder == "this app":
        with app.app_context():
            engine = db.engine  # no app context while the requests run: each gets its own
        with engine.connect() as other:
            with other.begin():  # on SQLite, BEGIN IMMEDIATE: this process's writer turn
                other.execute(text("SELECT id FROM payments WHERE quote_id = :q"
                                   + (" FOR UPDATE" if url.get_backend_name() != "sqlite"
                                      else "")), {"q": quote_id})
                yield
                other.rollback()
        return
    if url.get_backend_name() == "sqlite":
        other = sqlite3.connect(url.database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
        return
    engine = create_engine(url)
    with engine.connect() as other:
        other.execute(text("SELECT id FROM payments WHERE quote_id = :q FOR UPDATE"),
                      {"q": quote_id})
        yield
        other.rollback()
    engine.dispose()


@pytest.mark.parametrize("holder", ["other program", "this app"])
def test_a_lock_held_past_the_timeout_is_503_with_retry_after(impatient_app, holder):
    app, sandbox = impatient_app
    shop = seed_quote(app, tag=f"busy-{holder.replace(' ', '-')}")
    sandbox.proxy.requests.clear()
    client = app.test_client()
    url = f"/api/v1/checkout/quotes/{shop.quote_id}/payment"
    first = client.post(url, headers=shop.shopper)
    assert first.status_code == 201, first.get_json()

    browser = app.test_client()
    with app.app_context():
        version = db.session.get(User, shop.shopper_id).session_version
    with browser.session_transaction() as session:
        session["_user_id"] = f"{shop.shopper_id}:{version}"
        session["_fresh"] = True

    with lock_held(app, shop.quote_id, holder):
        busy = client.post(url, headers=shop.shopper)
        read = client.get("/api/v1/me", headers=shop.shopper)
        page = browser.get(f"/checkout/quotes/{shop.quote_id}/pay")

    assert busy.status_code == 503, busy.get_json()
    assert busy.get_json()["error"]["code"] == "database_busy"
    assert busy.headers["Retry-After"] == "3"
    assert read.status_code == 200  # reads do not wait for the writer
    assert page.status_code == 503 and page.headers["Retry-After"] == "3"
    assert "Busy right now" in page.get_data(as_text=True)
    again = client.post(url, headers=shop.shopper)
    assert again.status_code == 201
    assert again.get_json()["payment_intent_id"] == first.get_json()["payment_intent_id"]
    assert intents_created(sandbox) == 1


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite's deferred read transactions only")
def test_a_get_whose_write_meets_another_writer_runs_again_holding_the_lock(tmp_path):
    with race_application("get_retry", tmp_path) as app:
        with app.app_context():
            db.session.add(User(email="reader@retry.test", password_hash="x",
                                display_name="Reader"))
            db.session.commit()
        attempts: list[str] = []

        def read_then_write():
            """Reads, then writes after another connection has committed a write."""
            attempts.append(request.method)
            db.session.scalar(select(User.id))  # the read snapshot starts here
            if len(attempts) == 1:
                other = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
                other.execute("UPDATE users SET display_name = 'Changed'")
                other.commit()
                other.close()
            db.session.add(User(email=f"writer{len(attempts)}@retry.test", password_hash="x",
                                display_name="Writer"))
            db.session.commit()
            return "written"

        app.add_url_rule("/read-then-write", view_func=read_then_write)
        response = app.test_client().get("/read-then-write")

        assert (response.status_code, response.get_data(as_text=True)) == (200, "written")
        assert attempts == ["GET", "GET"]  # the stale snapshot failed once, then the lock held
        with app.app_context():
            emails = db.session.scalars(select(User.email).where(User.email.like("writer%")))
            assert list(emails) == ["writer2@retry.test"]
