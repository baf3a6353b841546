"""Racing shipments of one order line never ship more than was ordered (PostgreSQL threads)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import InventoryLevel, Order, Payment, User
from app.models.logistics import ShipmentLine
from app.services import inventory
from app.services.checkout import cart, quotes
from app.services.logistics import shipments
from app.services.payments.quote_payments import fulfil_payment
from app.web.links import site_links
from tests.checkout_factories import address_for
from tests.checkout_race import seed_last_units
from tests.concurrency import POSTGRES_ONLY, race, race_application
from tests.logistics_factories import yunexpress_number

pytestmark = POSTGRES_ONLY
THREADS = 8
ORDERED = 3


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    """An app on a fresh PostgreSQL database; one connection per session (no pool)."""
    with race_application("ship_race", tmp_path_factory.mktemp("ship-race"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def paid_order(app: Flask) -> tuple[int, int, int, int, int]:
    """A paid order of ORDERED units, held for it; its ids and the owner's."""
    variant_id, (shopper_id,) = seed_last_units(app, units=10, shoppers=1, tag="ship")
    with app.app_context():
        shopper = db.session.get(User, shopper_id)
        cart.add_item(cart.open_cart(user=shopper), variant_id, ORDERED - 1, ship_to="JP")
        quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
        payment = Payment(quote_id=quote.id, idempotency_key=f"race-{uuid.uuid4()}",
                          intent_id=f"pi_race_{uuid.uuid4().hex[:16]}", state="created",
                          currency=quote.currency, amount_minor=quote.total_minor)
        db.session.add(payment)
        db.session.flush()
        order = fulfil_payment(payment, links=site_links)[0]
        commit()
        owner_id = order.store.organization.memberships[0].user_id
        ids = (order.id, order.store_id, order.lines[0].id, variant_id, owner_id)
        db.session.remove()
    return ids


def test_racing_shipments_ship_each_unit_once(race_app):
    order_id, store_id, line_id, variant_id, owner_id = paid_order(race_app)
    with race_app.app_context():
        warehouse_id = db.session.scalar(select(InventoryLevel.warehouse_id).where(
            InventoryLevel.variant_id == variant_id))
        db.session.remove()

    def ship_two(_index: int) -> str:
        shipments.create_shipment(
            db.session.get(User, owner_id), store_id, order_id, warehouse_id=warehouse_id,
            carrier="yunexpress", tracking_number=yunexpress_number(),
            lines=[{"order_line_id": line_id, "quantity": 2}], links=site_links)
        return "shipped"

    # Each thread ships 2 of the 3 units: one wins, every other finds only 1 left.
    outcomes = race(race_app, ship_two, THREADS)
    assert outcomes == Counter({"shipped": 1, "ship_quantity_exceeded": THREADS - 1}), outcomes
    with race_app.app_context():
        assert db.session.scalar(select(func.sum(ShipmentLine.quantity))) == 2
        level = db.session.scalar(select(InventoryLevel).where(
            InventoryLevel.variant_id == variant_id))
        assert (level.on_hand, level.reserved) == (10 - 2, ORDERED - 2)
        assert db.session.get(Order, order_id).status == "partially_shipped"
        assert inventory.check_ledger() == []
        db.session.remove()
