"""Races over HTTP on one quote's payment and one order's refunds, for tests and bench/.

Each caller is a real thread with its own Flask test client, so every request runs the
whole stack (token check, Idempotency-Key, routes, services, commit, error handlers) on
its own pooled connection of a committed database, SQLite or PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import Order, Store, User
from app.services.accounts.api_tokens import issue_login_token
from app.services.checkout import cart, quotes
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.checkout_factories import address_for
from tests.checkout_race import seed_last_units
from tests.localstripe_server import Sandbox


@dataclass(frozen=True)
class Shop:
    """A seeded store, one shopper with a quote, and the two bearer headers."""

    store_id: int
    variant_id: int
    shopper_id: int
    quote_id: int
    shopper: dict[str, str]
    owner: dict[str, str]


def seed_quote(app: Flask, *, units: int = 1, tag: str = "pay") -> Shop:
    """A tea store, a shopper with `units` of its tea quoted in JPY, both with tokens."""
    variant_id, [shopper_id] = seed_last_units(app, units=10, shoppers=1, tag=tag)
    with app.app_context():
        shopper = db.session.get(User, shopper_id)
        if units > 1:
            cart.add_item(cart.open_cart(user=shopper), variant_id, units - 1, ship_to="JP")
        quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
        store = db.session.scalar(select(Store).where(Store.slug == f"tea-{tag}"))
        owner = db.session.scalar(select(User).where(User.email == f"owner@{tag}.test"))
        _token, shopper_secret = issue_login_token(shopper)
        _token, owner_secret = issue_login_token(owner)
        commit()
        shop = Shop(store.id, variant_id, shopper_id, quote.id,
                    {"Authorization": f"Bearer {shopper_secret}"},
                    {"Authorization": f"Bearer {owner_secret}"})
        db.session.remove()
    return shop


def pay(app: Flask, shop: Shop, sandbox: Sandbox) -> tuple[int, int]:
    """Pay the shop's quote with a card as the web checkout does; (order id, its line id)."""
    with app.app_context():
        shopper = db.session.get(User, shop.shopper_id)
        payment = payments.prepare_payment(shopper, shop.quote_id, links=site_links)
        commit()
        payments.open_payment_intent(payment, links=site_links)
        commit()
        payments.confirm_sandbox_payment(shopper, shop.quote_id, sandbox.card_token(),
                                         links=site_links)
        commit()
        order = db.session.scalar(select(Order).where(Order.quote_id == shop.quote_id))
        ids = order.id, order.lines[0].id
        db.session.remove()
    return ids


@dataclass(frozen=True)
class Answer:
    """One response: status, JSON body and Retry-After."""

    status: int
    body: dict | None
    retry_after: str | None


def at_once(app: Flask, calls: int, send: Callable[[FlaskClient, int], object]) -> list[Answer]:
    """Make `calls` requests at the same moment, each from its own thread and client."""
    barrier = threading.Barrier(calls)
    answers: list[Answer] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        client = app.test_client()
        barrier.wait(timeout=60)
        response = send(client, index)
        answer = Answer(response.status_code, response.get_json(silent=True),
                        response.headers.get("Retry-After"))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(answers) == calls, "a request did not finish"
    return answers


def intents_created(sandbox: Sandbox) -> int:
    """How many create-intent calls reached the sandbox (replayed keys included)."""
    return sum(1 for r in sandbox.proxy.requests
               if r["method"] == "POST" and r["path"] == "/v1/payment_intents")


def refunds_created(sandbox: Sandbox) -> int:
    """How many refund calls reached the sandbox."""
    return sum(1 for r in sandbox.proxy.requests
               if r["method"] == "POST" and r["path"] == "/v1/refunds")
