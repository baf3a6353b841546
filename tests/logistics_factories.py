"""Logistics fixtures: a shipped order and shipments of its lines, made directly as rows.

Load with `pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]`:

    def test_something(shipped_order, make_shipment):
        shipment = make_shipment(shipped_order.order)  # every line, one YunExpress parcel

`shipped_order` is a paid order (a succeeded Payment row, no Stripe call) moved to
`shipped`; `tracking_event(shipment, status, at, ...)` builds a Qiao-format event dict.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest

from app.extensions import db
from app.models import Order, Payment, User, utcnow
from app.models.logistics import Shipment, ShipmentLeg, ShipmentLine
from app.services.orders.lifecycle import create_orders_for_quote, transition_order
from tests.checkout_factories import CheckoutShop


@dataclass
class ShippedOrder:
    """A shop, its shopper and one order of theirs."""

    shop: CheckoutShop
    shopper: User
    order: Order


@pytest.fixture
def make_shipped_order(make_checkout_shop, make_user, make_quote):
    """Factory of paid orders (2 units of one product, US to JP), moved to `status`."""

    def factory(*, status: str = "shipped", quantity: int = 2, locale: str = "en",
                shop: CheckoutShop | None = None) -> ShippedOrder:
        shop = shop or make_checkout_shop(currency="USD", country="US", price="25", stock=50)
        shopper = make_user(locale=locale)
        quote = make_quote(shopper, [(shop.variants[0], quantity)], currency="USD",
                           country="JP")
        payment = Payment(quote_id=quote.id, idempotency_key=f"test-{uuid.uuid4()}",
                          intent_id=f"pi_test_{uuid.uuid4().hex[:16]}", state="succeeded",
                          currency=quote.currency, amount_minor=max(quote.total_minor, 1),
                          succeeded_at=utcnow())
        db.session.add(payment)
        db.session.flush()
        order = create_orders_for_quote(quote, payment)[0]
        if status != "paid":
            transition_order(order, status, reason="test")
        db.session.commit()
        return ShippedOrder(shop, shopper, order)

    return factory


@pytest.fixture
def shipped_order(make_shipped_order) -> ShippedOrder:
    """One shipped order."""
    return make_shipped_order()


_counter = {"n": 0}


def yunexpress_number() -> str:
    """A fresh YunExpress number (YT + 16 digits; the carrier has no check digit)."""
    _counter["n"] += 1
    return f"YT{uuid.uuid4().int % 10**10:010d}{_counter['n']:06d}"


@pytest.fixture
def make_shipment():
    """Factory of shipments of an order's lines (all of each line unless `lines` is given)."""

    def factory(order: Order, *, carrier: str = "yunexpress", tracking_number: str | None = None,
                lines: dict[int, int] | None = None,
                legs: list[tuple[str, str, str]] = ()) -> Shipment:
        shipment = Shipment(order_id=order.id, store_id=order.store_id,
                            warehouse_id=_warehouse_id(order), carrier=carrier,
                            tracking_number=tracking_number or yunexpress_number())
        chosen = lines if lines is not None else {line.id: line.quantity for line in order.lines}
        for line_id, quantity in chosen.items():
            shipment.lines.append(ShipmentLine(order_line_id=line_id, quantity=quantity))
        for position, (kind, leg_carrier, number) in enumerate(legs):
            shipment.legs.append(ShipmentLeg(position=position, kind=kind, carrier=leg_carrier,
                                             tracking_number=number))
        db.session.add(shipment)
        db.session.commit()
        return shipment

    return factory


def _warehouse_id(order: Order) -> int:
    from app.models import Warehouse

    return db.session.query(Warehouse.id).filter_by(store_id=order.store_id).first()[0]


def tracking_event(shipment: Shipment, status: str, at: datetime | str, *,
                   sub_status: str = "", location: str = "Shenzhen, CN",
                   carrier_code: str = "", description: str = "",
                   number: str | None = None, carrier: str | None = None) -> dict:
    """A Qiao-format event for the shipment's primary number (or `number`)."""
    return {"carrier": carrier or shipment.carrier,
            "tracking_number": number or shipment.tracking_number,
            "occurred_at": at if isinstance(at, str) else at.isoformat(),
            "status": status, "sub_status": sub_status, "location": location,
            "carrier_code": carrier_code or status.upper(),
            "description": description or f"Parcel {status.replace('_', ' ')}"}
