"""Paid orders whose stock is held for them, made through the real payment fulfilment.

Load with `pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories"]`:

    def test_something(make_held_order):
        paid = make_held_order(quantities=(3, 2))  # 3 of TEA-S and 2 of TEA-L
        paid.order, paid.shop, paid.shopper

No Stripe call: a succeeded Payment row is fulfilled directly, as the webhook would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest

from app.extensions import db
from app.models import Order, Payment, User, Warehouse
from app.services import inventory
from app.services.payments.quote_payments import fulfil_payment
from app.web.links import site_links
from tests.checkout_factories import CheckoutShop
from tests.logistics_factories import yunexpress_number

__all__ = ["PaidOrder", "yunexpress_number"]


@dataclass
class PaidOrder:
    """A shop, its shopper and their paid order (stock held for it)."""

    shop: CheckoutShop
    shopper: User
    order: Order


@pytest.fixture
def make_held_order(make_checkout_shop, make_user, make_quote):
    """Factory of paid orders of the shop's first variants, US store shipping to JP."""

    def factory(*, quantities: tuple[int, ...] = (3,), stock: int = 10,
                shop: CheckoutShop | None = None) -> PaidOrder:
        shop = shop or make_checkout_shop(currency="USD", country="US", price="25",
                                          stock=stock)
        shopper = make_user()
        items = [(shop.variants[i], quantity) for i, quantity in enumerate(quantities)]
        quote = make_quote(shopper, items, currency="USD", country="JP")
        payment = Payment(quote_id=quote.id, idempotency_key=f"test-{uuid.uuid4()}",
                          intent_id=f"pi_test_{uuid.uuid4().hex[:16]}", state="created",
                          currency=quote.currency, amount_minor=max(quote.total_minor, 1))
        db.session.add(payment)
        db.session.flush()
        order = fulfil_payment(payment, links=site_links)[0]
        db.session.commit()
        return PaidOrder(shop, shopper, order)

    return factory


@pytest.fixture
def second_warehouse():
    """Factory: another open warehouse of the shop, with `stock` of each of its variants."""

    def factory(shop: CheckoutShop, *, stock: int = 0, name: str = "Second") -> Warehouse:
        warehouse = Warehouse(store_id=shop.store.id, name=name, city="Elsewhere",
                              country=shop.store.origin_country)
        db.session.add(warehouse)
        db.session.flush()
        if stock:
            for variant in shop.variants:
                inventory.receive_stock(shop.owner, shop.store.id, variant.id, warehouse.id,
                                        stock, reference=("test", "seed"))
        db.session.commit()
        return warehouse

    return factory
