"""Shipments: the held stock leaves the chosen warehouse, the order moves, the shopper hears."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, OrderEvent, StockMovement
from app.models.logistics import Shipment
from app.services import inventory
from app.services.errors import DomainError
from app.services.logistics import shipments
from app.services.orders import transition_order
from app.services.payments import refunds
from app.web.links import site_links
from tests.logistics_factories import yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.shipment_factories",
                  "tests.localstripe_server"]


def ship(paid, lines=None, *, warehouse=None, number=None, actor=None, **extra):
    order = paid.order
    chosen = lines if lines is not None else [
        {"order_line_id": line.id, "quantity": line.quantity} for line in order.lines]
    shipment = shipments.create_shipment(
        actor or paid.shop.staff, order.store_id, order.id,
        warehouse_id=(warehouse or paid.shop.warehouse).id, carrier="yunexpress",
        tracking_number=number or yunexpress_number(), lines=chosen, links=site_links,
        **extra)
    db.session.commit()
    return shipment


def level(variant, warehouse):
    """(on_hand, reserved) of the variant in the warehouse."""
    for lv in inventory.variant_levels([variant.id])[variant.id]:
        if lv.warehouse_id == warehouse.id:
            return lv.on_hand, lv.reserved
    return 0, 0


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def movements() -> int:
    return db.session.scalar(select(func.count(StockMovement.id)))


def test_full_shipment_commits_the_held_units_and_ships_the_order(make_held_order, outbox):
    paid = make_held_order(quantities=(3,))
    tea = paid.shop.variants[0]
    assert level(tea, paid.shop.warehouse) == (10, 3)
    shipment = ship(paid, weight_grams=700, length_mm=300, width_mm=200, height_mm=100)
    assert shipment.status == "pending" and shipment.carrier == "yunexpress"
    assert [(ln.order_line_id, ln.quantity) for ln in shipment.lines] == [
        (paid.order.lines[0].id, 3)]
    assert level(tea, paid.shop.warehouse) == (7, 0)
    assert inventory.order_holds(paid.order.id) == {}
    assert paid.order.status == "shipped"
    event = paid.order.events[-1]
    assert event.to_status == "shipped" and event.reason_code == "shipment_sent"
    assert event.reason_params["tracking_number"] == shipment.tracking_number
    notice = db.session.scalar(select(Notification).where(
        Notification.shipment_id == shipment.id))
    assert notice.shipment_status == "shipped" and notice.recipient_id == paid.shopper.id
    mails = outbox("shipment_shipped", to=paid.shopper.email)
    assert len(mails) == 1 and shipment.tracking_number in mails[0].body_text
    assert "Your Qiao order has shipped" == mails[0].subject
    assert inventory.check_ledger() == []


def test_partial_then_second_shipment(make_held_order):
    paid = make_held_order(quantities=(3, 2))
    first, second = paid.order.lines
    tea = paid.shop.variants[0]
    ship(paid, [{"order_line_id": first.id, "quantity": 1}])
    assert paid.order.status == "partially_shipped"
    assert level(tea, paid.shop.warehouse) == (9, 2)
    assert shipments.remaining_quantities(paid.order) == {first.id: 2, second.id: 2}
    ship(paid, [{"order_line_id": first.id, "quantity": 2},
                {"order_line_id": second.id, "quantity": 2}])
    assert paid.order.status == "shipped"
    assert level(tea, paid.shop.warehouse) == (7, 0)
    assert [e.to_status for e in paid.order.events] == ["paid", "partially_shipped", "shipped"]
    assert inventory.check_ledger() == []


def test_over_shipping_is_refused_per_line_and_nothing_changes(make_held_order):
    paid = make_held_order(quantities=(3, 2))
    first, second = paid.order.lines
    ship(paid, [{"order_line_id": first.id, "quantity": 2}])
    before = movements()
    error = refused(shipments.create_shipment, paid.shop.staff, paid.order.store_id,
                    paid.order.id, warehouse_id=paid.shop.warehouse.id, carrier="yunexpress",
                    tracking_number=yunexpress_number(), links=site_links,
                    lines=[{"order_line_id": second.id, "quantity": 1},
                           {"order_line_id": first.id, "quantity": 2}])
    assert error.code == "ship_quantity_exceeded" and error.status == 422
    assert list(error.fields) == ["lines.1.quantity"]
    assert "Only 1" in error.fields["lines.1.quantity"][0]
    assert movements() == before
    assert db.session.scalar(select(func.count(Shipment.id))) == 1


def test_every_bad_field_is_named(make_held_order):
    paid = make_held_order()
    error = refused(shipments.create_shipment, paid.shop.staff, paid.order.store_id,
                    paid.order.id, warehouse_id=999999, carrier="yunexpress",
                    tracking_number="12345", links=site_links, weight_grams=0,
                    lines=[{"order_line_id": 999999, "quantity": 1},
                           {"order_line_id": paid.order.lines[0].id, "quantity": 0}])
    assert error.code == "validation_failed"
    assert set(error.fields) == {"tracking_number", "warehouse_id", "weight_grams",
                                 "lines.0.order_line_id", "lines.1.quantity"}


def test_bad_tracking_number_and_unknown_carrier(make_held_order):
    paid = make_held_order()
    args = (paid.shop.staff, paid.order.store_id, paid.order.id)
    lines = [{"order_line_id": paid.order.lines[0].id, "quantity": 1}]
    error = refused(shipments.create_shipment, *args, warehouse_id=paid.shop.warehouse.id,
                    carrier="usps", tracking_number="9400111899223197428491",
                    lines=lines, links=site_links)
    assert error.code == "invalid_tracking_number" and "tracking_number" in error.fields
    error = refused(shipments.create_shipment, *args, warehouse_id=paid.shop.warehouse.id,
                    carrier="pigeon", tracking_number="X", lines=lines, links=site_links)
    assert error.code == "unknown_carrier" and "carrier" in error.fields
    assert paid.order.status == "paid" and shipments.shipped_quantities([paid.order.id]) == {}


def test_a_tracking_number_in_use_answers_409(make_held_order):
    paid = make_held_order(quantities=(3,))
    number = yunexpress_number()
    ship(paid, [{"order_line_id": paid.order.lines[0].id, "quantity": 1}], number=number)
    error = refused(ship, paid, [{"order_line_id": paid.order.lines[0].id, "quantity": 1}],
                    number=number)
    assert error.code == "tracking_number_taken" and error.status == 409


def test_hold_in_another_warehouse_moves_to_the_chosen_one(make_held_order,
                                                           second_warehouse):
    paid = make_held_order(quantities=(3,))
    tea = paid.shop.variants[0]
    other = second_warehouse(paid.shop, stock=5)
    ship(paid, [{"order_line_id": paid.order.lines[0].id, "quantity": 2}], warehouse=other)
    # The hold in Main is released for 2 units, which leave Second instead.
    assert level(tea, paid.shop.warehouse) == (10, 1)
    assert level(tea, other) == (3, 0)
    assert inventory.order_holds(paid.order.id) == {tea.id: {paid.shop.warehouse.id: 1}}
    assert inventory.check_ledger() == []


def test_no_stock_in_the_chosen_warehouse_is_refused_with_nothing_changed(
        make_held_order, second_warehouse):
    paid = make_held_order(quantities=(3,))
    tea = paid.shop.variants[0]
    empty = second_warehouse(paid.shop, stock=1)
    before = movements()
    error = refused(ship, paid, warehouse=empty)
    assert error.code == "insufficient_stock" and error.status == 422
    assert tea.sku in error.message and empty.name in error.message
    assert "lines.0.quantity" in error.fields and "warehouse_id" in error.fields
    assert movements() == before
    assert level(tea, paid.shop.warehouse) == (10, 3) and level(tea, empty) == (1, 0)
    assert inventory.order_holds(paid.order.id) == {tea.id: {paid.shop.warehouse.id: 3}}
    assert db.session.scalar(select(func.count(Shipment.id))) == 0
    assert paid.order.status == "paid"


def test_another_stores_order_is_not_found(make_held_order, make_checkout_shop):
    paid = make_held_order()
    stranger = make_checkout_shop()
    error = refused(shipments.create_shipment, stranger.owner, stranger.store.id,
                    paid.order.id, warehouse_id=stranger.warehouse.id, carrier="yunexpress",
                    tracking_number=yunexpress_number(), links=site_links,
                    lines=[{"order_line_id": paid.order.lines[0].id, "quantity": 1}])
    assert error.status == 404
    error = refused(ship, paid, actor=stranger.owner)
    assert error.status == 404


def test_cancelled_order_cannot_ship(make_held_order):
    paid = make_held_order()
    transition_order(paid.order, "cancelled", reason="test")
    db.session.commit()
    error = refused(ship, paid)
    assert error.code == "order_not_shippable" and error.status == 409


def test_order_paid_before_holds_ships_without_a_second_stock_change(make_held_order):
    paid = make_held_order(quantities=(3,))
    tea = paid.shop.variants[0]
    # As payment did before: the quote's units committed, no hold for the order.
    inventory.release_order_holds(None, inventory.order_owner(paid.order.id), write_off=True)
    for reservation in inventory.owner_reservations(*inventory.order_owner(paid.order.id),
                                                    states=("committed",)):
        reservation.owner_type, reservation.owner_id = "checkout_quote", str(
            paid.order.quote_id)
    db.session.commit()
    assert level(tea, paid.shop.warehouse) == (7, 0)
    ship(paid, [{"order_line_id": paid.order.lines[0].id, "quantity": 2}])
    ship(paid, [{"order_line_id": paid.order.lines[0].id, "quantity": 1}])
    assert level(tea, paid.shop.warehouse) == (7, 0)
    assert paid.order.status == "shipped"
    assert inventory.check_ledger() == []


def test_add_leg(make_held_order):
    paid = make_held_order()
    shipment = ship(paid)
    leg = shipments.add_shipment_leg(paid.shop.staff, shipment.id, kind="last_mile",
                                     carrier="yunexpress", tracking_number=yunexpress_number())
    db.session.commit()
    assert (leg.position, leg.kind) == (0, "last_mile")
    error = refused(shipments.add_shipment_leg, paid.shop.staff, shipment.id, kind="by_sea",
                    carrier="yunexpress", tracking_number=shipment.tracking_number)
    assert error.code == "invalid_leg_kind"
    error = refused(shipments.add_shipment_leg, paid.shopper, shipment.id, kind="customs",
                    carrier="yunexpress", tracking_number=yunexpress_number())
    assert error.status == 404


# Refunds after shipping ---------------------------------------------------------------------
def _refund(paid, **fields):
    made = refunds.request_refund(paid.shop.owner, paid.order.store_id, paid.order.id,
                                  refunds.RefundRequest(**fields))
    db.session.commit()
    refunds.submit_refund(made, paid.shop.owner)
    db.session.commit()
    return made


@pytest.fixture
def stripe_paid_order(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    """A paid order whose payment went through the Stripe sandbox, so refunds can."""
    from app.services.orders.lifecycle import orders_for_quote
    from app.services.payments import quote_payments as payments
    from tests.shipment_factories import PaidOrder

    def factory(quantity: int = 3):
        shop = make_checkout_shop(currency="USD", country="US", price="25", stock=10)
        user = make_user()
        quote = make_quote(user, [(shop.variants[0], quantity)], currency="USD", country="US")
        payment = payments.prepare_payment(user, quote.id, links=site_links)
        db.session.commit()
        payments.open_payment_intent(payment, links=site_links)
        payments.confirm_sandbox_payment(user, quote.id, stripe_sandbox.card_token(),
                                         links=site_links)
        db.session.commit()
        return PaidOrder(shop, user, orders_for_quote(quote.id)[0])

    return factory


def test_refund_of_shipped_units_returns_stock_and_unshipped_releases_the_hold(
        stripe_paid_order):
    paid = stripe_paid_order(3)
    tea, line = paid.shop.variants[0], paid.order.lines[0]
    ship(paid, [{"order_line_id": line.id, "quantity": 2}])
    assert level(tea, paid.shop.warehouse) == (8, 1)
    _refund(paid, lines=[(line.id, 2)], restock=True)
    # One unit was still held (released), one had shipped (back on hand).
    assert level(tea, paid.shop.warehouse) == (9, 0)
    assert inventory.order_holds(paid.order.id) == {}
    assert inventory.check_ledger() == []
    assert shipments.remaining_quantities(paid.order) == {line.id: 0}
    error = refused(refunds.request_cancellation, paid.shop.owner, paid.order.store_id,
                    paid.order.id)
    assert error.code == "order_not_refundable"


def test_events_are_logged_once_per_change(make_held_order):
    paid = make_held_order(quantities=(2,))
    ship(paid)
    assert db.session.scalar(select(func.count(OrderEvent.id)).where(
        OrderEvent.order_id == paid.order.id)) == 2


def test_line_ids_beyond_the_id_column_are_named_not_looked_up(make_held_order):
    paid = make_held_order()
    error = refused(shipments.create_shipment, paid.shop.staff, paid.order.store_id,
                    paid.order.id, warehouse_id=paid.shop.warehouse.id, carrier="yunexpress",
                    tracking_number=yunexpress_number(), links=site_links,
                    lines=[{"order_line_id": 2**31, "quantity": 1}, "one"])
    assert error.status == 422
    assert set(error.fields) == {"lines.0.order_line_id", "lines.1"}
