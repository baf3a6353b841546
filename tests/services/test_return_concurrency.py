"""Racing return requests never claim more than was delivered; racing receipts act once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import InventoryLevel, OrderLine, Refund, ReturnLine, ReturnRequest, User, utcnow
from app.services import logistics, returns
from app.web.links import site_links
from tests.concurrency import POSTGRES_ONLY, race, race_application
from tests.logistics_factories import yunexpress_number
from tests.services.test_shipment_concurrency import ORDERED, paid_order

pytestmark = POSTGRES_ONLY
THREADS = 8


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture
def race_app(tmp_path) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database per test (the seed's store slug is fixed)."""
    with race_application("return_race", tmp_path,
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def delivered_order(app: Flask) -> tuple[int, int, int, int, int]:
    """A paid order of ORDERED units, shipped in full and delivered; ids as paid_order."""
    order_id, store_id, line_id, variant_id, owner_id = paid_order(app)
    with app.app_context():
        owner = db.session.get(User, owner_id)
        warehouse_id = db.session.scalar(select(InventoryLevel.warehouse_id).where(
            InventoryLevel.variant_id == variant_id))
        shipment = logistics.create_shipment(
            owner, store_id, order_id, warehouse_id=warehouse_id, carrier="yunexpress",
            tracking_number=yunexpress_number(),
            lines=[{"order_line_id": line_id, "quantity": ORDERED}], links=site_links)
        shipment.status, shipment.delivered_at = "delivered", utcnow()
        commit()
        shopper_id = db.session.get(OrderLine, line_id).order.user_id
        db.session.remove()
    return order_id, store_id, line_id, shopper_id, owner_id


def test_racing_requests_claim_each_delivered_unit_once(race_app):
    order_id, _store_id, line_id, shopper_id, _owner_id = delivered_order(race_app)

    def ask_two(_index: int) -> str:
        returns.request_return(db.session.get(User, shopper_id), order_id,
                               lines=[{"order_line_id": line_id, "quantity": 2}],
                               reason="damaged", links=site_links)
        return "requested"

    # Each thread asks for 2 of the 3 units: one wins, every other finds only 1 left.
    outcomes = race(race_app, ask_two, THREADS)
    assert outcomes == Counter({"requested": 1, "return_quantity_exceeded": THREADS - 1}), \
        outcomes
    with race_app.app_context():
        assert db.session.scalar(select(func.sum(ReturnLine.quantity)).join(ReturnRequest)
                                 .where(ReturnRequest.order_id == order_id)) == 2
        db.session.remove()


def test_racing_receipts_refund_once(race_app):
    order_id, store_id, line_id, shopper_id, owner_id = delivered_order(race_app)
    with race_app.app_context():
        made = returns.request_return(db.session.get(User, shopper_id), order_id,
                                      lines=[{"order_line_id": line_id, "quantity": 1}],
                                      reason="damaged", links=site_links)
        returns.approve_return(db.session.get(User, owner_id), store_id, made.id,
                               links=site_links)
        commit()
        return_id = made.id
        db.session.remove()

    def receive(_index: int) -> str:
        returns.receive_return(db.session.get(User, owner_id), store_id, return_id)
        return "received"

    outcomes = race(race_app, receive, THREADS)
    assert outcomes == Counter({"received": 1, "invalid_return_transition": THREADS - 1}), \
        outcomes
    with race_app.app_context():
        assert db.session.scalar(select(func.count(Refund.id)).where(
            Refund.order_id == order_id)) == 1
        assert db.session.get(OrderLine, line_id).refunded_quantity == 1
        db.session.remove()
