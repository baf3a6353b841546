"""200 shoppers check out the last 20 units at once: exactly 20 pay, nobody is oversold.

Real threads with their own PostgreSQL connections go through the whole checkout:
quote (reserving stock), payment intent on localstripe, card confirmation and
fulfilment into orders. bench/checkout_race.py times the same race.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import InventoryLevel, Order, Payment
from app.providers.payments import reset_payment_provider
from app.services.inventory import check_ledger
from tests.checkout_race import check_out, seed_last_units
from tests.concurrency import POSTGRES_ONLY, race, race_application
from tests.localstripe_server import WEBHOOK_SECRET, Sandbox

pytest_plugins = ["tests.localstripe_server"]
pytestmark = POSTGRES_ONLY
SHOPPERS = 200
UNITS = 20


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def checkout_race(tmp_path_factory, _localstripe_process) -> Iterator[tuple[Flask, Sandbox]]:
    """An app on its own database, paying through the test sandbox.

    The pool is smaller than the crowd, as on a real server: shoppers queue for a
    connection rather than each holding one.
    """
    direct, proxy = _localstripe_process
    with race_application(
            "checkout_race", tmp_path_factory.mktemp("checkout-race"),
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 30, "max_overflow": 0, "pool_timeout": 120},
            STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL=proxy.url,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET) as application:
        with application.app_context():
            reset_payment_provider()
        yield application, Sandbox(direct, proxy)


def test_two_hundred_shoppers_for_the_last_twenty_units(checkout_race):
    app, sandbox = checkout_race
    variant_id, shopper_ids = seed_last_units(app, units=UNITS, shoppers=SHOPPERS)

    outcomes = race(app, lambda i: check_out(shopper_ids[i], sandbox), SHOPPERS)

    assert outcomes == Counter({"paid": UNITS, "insufficient_stock": SHOPPERS - UNITS}), outcomes
    with app.app_context():
        orders = db.session.scalars(select(Order)).all()
        assert len(orders) == UNITS
        assert {o.status for o in orders} == {"paid"}
        assert len({o.user_id for o in orders}) == UNITS  # one order per winning shopper
        assert db.session.scalar(select(func.count(Payment.id))
                                 .where(Payment.state == "succeeded")) == UNITS
        level = db.session.scalar(select(InventoryLevel)
                                  .where(InventoryLevel.variant_id == variant_id))
        # Every unit is sold and held for its order until the merchant ships it.
        assert (level.on_hand, level.reserved) == (UNITS, UNITS)
        assert check_ledger() == []
        # Every intent on the sandbox was paid once, and each matches one order's charge.
        intents = [sandbox.intent(p.intent_id) for p in db.session.scalars(select(Payment))]
        assert sorted(i["status"] for i in intents) == ["succeeded"] * UNITS
        assert sorted(i["amount"] for i in intents) == sorted(o.total_minor for o in orders)
