"""Racing tracking deliveries on separate connections: an order is delivered exactly once.

Real threads, each with its own session and connection (no pool), start at a barrier. On
PostgreSQL they run truly at once (row locks decide); SQLite lets one writer at a time, and
a delivery that finds the database locked fails as a webhook would with a 5xx, so the
carrier delivers it again: the test does that redelivery, up to a few times. (The lock can
also hit the e-mail sent in-process after the commit, so a redelivery may find its events
already stored: the outcomes are then checked on PostgreSQL only, the rows on both.)
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.core.transaction import commit, rollback
from app.extensions import db
from app.models import InventoryLevel, Notification, Order, OrderEvent, OutboxEmail, Payment, User
from app.models.logistics import TrackingEvent
from app.services.checkout import cart, quotes
from app.services.logistics import shipments
from app.services.logistics.tracking import ingest_tracking_events
from app.services.payments.quote_payments import fulfil_payment
from app.web.links import site_links
from tests.checkout_factories import address_for
from tests.checkout_race import seed_last_units
from tests.concurrency import race, race_application
from tests.logistics_factories import yunexpress_number

ROUNDS = 10
TOKYO = ZoneInfo("Asia/Tokyo")
ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
REDELIVERIES = 5


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    """An app on a fresh database of the suite's kind; one connection per session."""
    with race_application("tracking_race", tmp_path_factory.mktemp("tracking-race"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def shipped_order(app: Flask, tag: str, parcels: list[int]) -> tuple[int, list[tuple[int, str]]]:
    """A paid order of one line of sum(parcels) units, shipped in those parcel sizes.

    The order id and each shipment's (id, YunExpress number), committed.
    """
    units = sum(parcels)
    variant_id, (shopper_id,) = seed_last_units(app, units=10, shoppers=1, tag=tag)
    with app.app_context():
        shopper = db.session.get(User, shopper_id)
        cart.add_item(cart.open_cart(user=shopper), variant_id, units - 1, ship_to="JP")
        quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
        payment = Payment(quote_id=quote.id, idempotency_key=f"race-{uuid.uuid4()}",
                          intent_id=f"pi_race_{uuid.uuid4().hex[:16]}", state="created",
                          currency=quote.currency, amount_minor=quote.total_minor)
        db.session.add(payment)
        db.session.flush()
        order = fulfil_payment(payment, links=site_links)[0]
        owner = db.session.get(User, order.store.organization.memberships[0].user_id)
        warehouse_id = db.session.scalar(select(InventoryLevel.warehouse_id).where(
            InventoryLevel.variant_id == variant_id))
        made = [shipments.create_shipment(
            owner, order.store_id, order.id, warehouse_id=warehouse_id, carrier="yunexpress",
            tracking_number=yunexpress_number(),
            lines=[{"order_line_id": order.lines[0].id, "quantity": quantity}],
            links=site_links) for quantity in parcels]
        commit()
        assert order.status == "shipped"
        ids = order.id, [(s.id, s.tracking_number) for s in made]
        db.session.remove()
    return ids


def delivered_event(number: str, at: datetime) -> dict:
    """A YunExpress "delivered" scan in Tokyo time."""
    return {"carrier": "yunexpress", "tracking_number": number,
            "occurred_at": at.astimezone(TOKYO).isoformat(), "status": "delivered",
            "location": "Shibuya, Tokyo, JP", "carrier_code": "DL",
            "description": "Delivered to the addressee"}


def deliver(events: list[dict]) -> str:
    """Ingest a delivery and commit, redelivering while SQLite reports its lock taken."""
    for attempt in range(REDELIVERIES):
        try:
            report = ingest_tracking_events(events, source="webhook", links=site_links)
            commit()
        except OperationalError as exc:
            rollback()
            if "locked" not in str(exc) or attempt == REDELIVERIES - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
            continue
        return ",".join(o.outcome for o in report.outcomes)
    raise AssertionError("unreachable")


def order_facts(app: Flask, order_id: int, shipment_ids: list[int]) -> dict:
    """What the races must leave behind, read on a fresh session."""
    with app.app_context():
        facts = {
            "status": db.session.get(Order, order_id).status,
            "delivered_transitions": db.session.scalar(
                select(func.count()).select_from(OrderEvent).where(
                    OrderEvent.order_id == order_id, OrderEvent.to_status == "delivered")),
            "delivered_notices": dict(Counter(db.session.scalars(
                select(Notification.shipment_id).where(
                    Notification.shipment_id.in_(shipment_ids),
                    Notification.shipment_status == "delivered")))),
            "events": db.session.scalar(
                select(func.count()).select_from(TrackingEvent).where(
                    TrackingEvent.shipment_id.in_(shipment_ids))),
        }
        db.session.remove()
    return facts


def delivered_emails(app: Flask) -> int:
    """"Your parcel was delivered" e-mails written so far."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.purpose == "shipment_delivered"))
        db.session.remove()
    return count


def test_the_last_two_parcels_delivered_at_once_deliver_the_order_once(race_app):
    for round_ in range(ROUNDS):
        order_id, parcels = shipped_order(race_app, f"two{round_}", [1, 2])
        at = datetime.now(UTC) - timedelta(hours=1)
        payloads = [[delivered_event(number, at + timedelta(minutes=i))]
                    for i, (_sid, number) in enumerate(parcels)]

        emails = delivered_emails(race_app)

        outcomes = race(race_app, lambda i, sent=payloads: deliver(sent[i]), len(payloads))

        ids = [sid for sid, _number in parcels]
        facts = order_facts(race_app, order_id, ids)
        assert facts["events"] == 2, (round_, outcomes)
        if ON_POSTGRESQL:
            assert outcomes == Counter({"stored": 2}), outcomes
        assert facts["status"] == "delivered", (round_, facts)
        assert facts["delivered_transitions"] == 1, (round_, facts)
        assert facts["delivered_notices"] == {sid: 1 for sid in ids}, (round_, facts)
        assert delivered_emails(race_app) == emails + 2, round_


def test_the_same_delivery_sent_twice_at_once_is_stored_and_told_once(race_app):
    for round_ in range(ROUNDS):
        order_id, parcels = shipped_order(race_app, f"same{round_}", [2])
        [(shipment_id, number)] = parcels
        emails = delivered_emails(race_app)
        at = datetime.now(UTC) - timedelta(hours=1)
        payload = [{**delivered_event(number, at - timedelta(hours=3)),
                    "status": "out_for_delivery", "carrier_code": "OD",
                    "description": "Out for delivery"},
                   delivered_event(number, at)]

        outcomes = race(race_app, lambda _i, sent=payload: deliver(sent), 2)

        facts = order_facts(race_app, order_id, [shipment_id])
        assert facts["events"] == 2, (round_, outcomes)
        if ON_POSTGRESQL:
            assert outcomes == Counter({"stored,stored": 1, "duplicate,duplicate": 1}), outcomes
        assert facts["status"] == "delivered" and facts["delivered_transitions"] == 1, facts
        assert facts["delivered_notices"] == {shipment_id: 1}, facts
        assert delivered_emails(race_app) == emails + 1, round_
