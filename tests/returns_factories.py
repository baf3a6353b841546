"""Delivered orders paid through the Stripe sandbox, ready to be returned.

Load with `pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
"tests.returns_factories"]`:

    def test_something(make_delivered_order):
        delivered = make_delivered_order(quantities=(3, 2))  # US store -> DE shopper, EUR
        delivered.order, delivered.shop, delivered.shopper, delivered.shipment

The payment is real (localstripe), so a return's refund goes through Stripe; the
parcel is shipped through the logistics service, then marked delivered `days_ago`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Order, Shipment, User, utcnow
from app.services import logistics
from app.services.orders.lifecycle import orders_for_quote
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.checkout_factories import CheckoutShop
from tests.logistics_factories import yunexpress_number


@dataclass
class DeliveredOrder:
    """A shop, its shopper, their paid order and the parcel that delivered it."""

    shop: CheckoutShop
    shopper: User
    order: Order
    shipment: Shipment | None


@pytest.fixture
def make_delivered_order(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    """Factory: a paid order (US store, price 25 USD) delivered `days_ago` days ago."""

    def factory(*, quantities: tuple[int, ...] = (3,), country: str = "DE",
                currency: str = "EUR", days_ago: int | None = 2,
                shop: CheckoutShop | None = None) -> DeliveredOrder:
        shop = shop or make_checkout_shop(currency="USD", country="US", price="25", stock=20)
        shopper = make_user()
        quote = make_quote(shopper, [(shop.variants[i], q) for i, q in enumerate(quantities)],
                           currency=currency, country=country)
        payment = payments.prepare_payment(shopper, quote.id, links=site_links)
        db.session.commit()
        payments.open_payment_intent(payment, links=site_links)
        payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                         links=site_links)
        db.session.commit()
        order = orders_for_quote(quote.id)[0]
        shipment = None
        if days_ago is not None:
            shipment = logistics.create_shipment(
                shop.owner, shop.store.id, order.id, warehouse_id=shop.warehouse.id,
                carrier="yunexpress", tracking_number=yunexpress_number(),
                lines=[{"order_line_id": line.id, "quantity": line.quantity}
                       for line in order.lines], links=site_links)
            # Delivered as a carrier event would leave it, dated for the window tests.
            shipment.status = "delivered"
            shipment.delivered_at = utcnow() - timedelta(days=days_ago)
            db.session.commit()
        return DeliveredOrder(shop, shopper, order, shipment)

    return factory
