"""Returns: the window, the quantities, the decision, the parcel, the receipt and the refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    MarketRule,
    Notification,
    OutboxEmail,
    ReturnPhoto,
    ReturnRequest,
    StockMovement,
    utcnow,
)
from app.services import inventory, logistics, returns
from app.services.errors import DomainError
from app.services.payments import submit_refund
from app.web.links import site_links
from tests.logistics_factories import tracking_event, yunexpress_number

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server",
                  "tests.shipment_factories", "tests.returns_factories"]


def ask(delivered, quantity=1, line_index=0, **extra):
    made = returns.request_return(
        delivered.shopper, delivered.order.id,
        lines=[{"order_line_id": delivered.order.lines[line_index].id, "quantity": quantity}],
        reason=extra.pop("reason", "size_or_fit"), comment=extra.pop("comment", ""),
        links=site_links, **extra)
    db.session.commit()
    return made


def receive(delivered, made, lines=None):
    owner, store_id = delivered.shop.owner, delivered.shop.store.id
    got = returns.receive_return(owner, store_id, made.id, lines=lines)
    db.session.commit()
    if got.refund is not None:
        submit_refund(got.refund, owner)
        db.session.commit()
    returns.settle_return_refund(got, links=site_links)
    db.session.commit()
    return got


def approve(delivered, made):
    returns.approve_return(delivered.shop.staff, delivered.shop.store.id, made.id,
                           links=site_links)
    db.session.commit()


def error_of(call, *args, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    db.session.rollback()
    return caught.value


def on_hand(variant_id, warehouse_id):
    levels = inventory.variant_levels([variant_id])[variant_id]
    return sum(level.on_hand for level in levels if level.warehouse_id == warehouse_id)


def test_a_delivered_line_is_returnable_until_the_window_closes(make_delivered_order):
    delivered = make_delivered_order(quantities=(3,), days_ago=29)
    line = delivered.order.lines[0]
    can = returns.returnable_lines(delivered.order)[line.id]
    assert can.quantity == 3
    assert can.deadline == delivered.shipment.delivered_at + timedelta(days=30)
    later = utcnow() + timedelta(days=2)
    assert returns.returnable_lines(delivered.order, now=later)[line.id].quantity == 0
    problem = error_of(returns.request_return, delivered.shopper, delivered.order.id,
                       lines=[{"order_line_id": line.id, "quantity": 1}], reason="damaged",
                       links=site_links, now=later)
    assert problem.code == "return_window_closed" and "lines.0.quantity" in problem.fields
    assert db.session.scalar(select(ReturnRequest.id)) is None


def test_a_store_without_returns_and_an_undelivered_order(make_delivered_order):
    delivered = make_delivered_order(days_ago=1)
    delivered.shop.store.return_window_days = 0
    db.session.commit()
    assert error_of(ask, delivered).code == "return_window_closed"
    undelivered = make_delivered_order(days_ago=None)
    assert error_of(ask, undelivered).code == "not_returnable"


def test_more_than_was_delivered_is_refused_and_returns_count_against_it(make_delivered_order):
    delivered = make_delivered_order(quantities=(3,))
    problem = error_of(ask, delivered, quantity=4)
    assert problem.code == "return_quantity_exceeded"
    ask(delivered, quantity=2)
    assert error_of(ask, delivered, quantity=2).code == "return_quantity_exceeded"
    ask(delivered, quantity=1)
    assert error_of(ask, delivered, quantity=1).code == "return_quantity_exceeded"


def test_a_refused_or_cancelled_return_frees_its_units(make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    first = ask(delivered, quantity=2)
    problem = error_of(returns.refuse_return, delivered.shop.staff, delivered.shop.store.id,
                       first.id, reason=" ", links=site_links)
    assert problem.fields.get("reason")
    returns.refuse_return(delivered.shop.staff, delivered.shop.store.id, first.id,
                          reason="Opened tea cannot be returned.", links=site_links)
    db.session.commit()
    assert first.status == "refused" and first.refusal_reason.startswith("Opened")
    second = ask(delivered, quantity=2)
    returns.cancel_return(delivered.shopper, second.id)
    db.session.commit()
    assert second.status == "cancelled"
    assert ask(delivered, quantity=2).status == "requested"
    # A refused return takes no further step.
    assert error_of(returns.approve_return, delivered.shop.staff, delivered.shop.store.id,
                    first.id, links=site_links).code == "invalid_return_transition"


def test_a_line_still_waiting_to_ship_is_not_returnable_yet(make_delivered_order, make_user,
                                                            make_quote):
    delivered = make_delivered_order(quantities=(3,), days_ago=None)
    order, shop = delivered.order, delivered.shop
    parcel = logistics.create_shipment(
        shop.owner, shop.store.id, order.id, warehouse_id=shop.warehouse.id,
        carrier="yunexpress", tracking_number=yunexpress_number(),
        lines=[{"order_line_id": order.lines[0].id, "quantity": 2}], links=site_links)
    parcel.delivered_at, parcel.status = utcnow(), "delivered"
    db.session.commit()
    assert returns.returnable_lines(order)[order.lines[0].id].quantity == 0


def test_the_merchant_hears_of_a_request_and_the_shopper_of_the_decision(
        make_delivered_order):
    delivered = make_delivered_order()
    made = ask(delivered, comment="Too big")
    recipients = set(db.session.scalars(select(OutboxEmail.to_address).where(
        OutboxEmail.purpose == "return_requested")))
    assert recipients == {delivered.shop.owner.email, delivered.shop.staff.email}
    approve(delivered, made)
    approved = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.purpose == "return_approved")).one()
    assert approved.to_address == delivered.shopper.email
    assert f"/returns/{made.id}" in approved.body_text
    notices = db.session.execute(select(Notification.recipient_id, Notification.return_status)
                                 .where(Notification.return_request_id == made.id)).all()
    assert sorted(notices) == sorted([(delivered.shop.owner.id, "requested"),
                                      (delivered.shop.staff.id, "requested"),
                                      (delivered.shopper.id, "approved")])


def test_the_return_parcel_is_validated_and_tracked_without_moving_the_order(
        make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    made = ask(delivered)
    assert error_of(returns.add_return_parcel, delivered.shopper, made.id, carrier="yunexpress",
                    tracking_number=yunexpress_number()).code == "invalid_return_transition"
    approve(delivered, made)
    problem = error_of(returns.add_return_parcel, delivered.shopper, made.id, carrier="ups",
                       tracking_number="1Z999AA10123456785")
    assert problem.code == "invalid_tracking_number"
    number = yunexpress_number()
    returns.add_return_parcel(delivered.shopper, made.id, carrier="yunexpress",
                              tracking_number=number)
    db.session.commit()
    assert made.status == "in_transit" and made.shipment.direction == "return"
    # Return parcels stay out of what shipped and out of the merchant's shipments list.
    assert logistics.shipped_quantities([delivered.order.id]) == {
        delivered.order.lines[0].id: 2}
    page = logistics.list_store_shipments(delivered.shop.owner, delivered.shop.store.id)
    assert [s.id for s in page.items] == [delivered.shipment.id]
    # The carrier's events reach it through the usual ingestion; no shopper notice fires.
    status_before = delivered.order.status
    logistics_report = __import__("app.services.logistics.tracking", fromlist=["x"]) \
        .ingest_tracking_events([tracking_event(made.shipment, "delivered", utcnow())],
                                source="webhook", links=site_links)
    db.session.commit()
    assert logistics_report.changed_shipment_ids == [made.shipment.id]
    db.session.refresh(made.shipment)
    assert made.shipment.status == "delivered"
    db.session.refresh(delivered.order)
    assert delivered.order.status == status_before
    assert db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.purpose == "shipment_delivered",
        OutboxEmail.body_text.contains(number))) is None


def test_receiving_restocks_refunds_with_vat_where_refundable(stripe_sandbox,
                                                             make_delivered_order):
    delivered = make_delivered_order(quantities=(3,))
    order, line = delivered.order, delivered.order.lines[0]
    assert order.collected_at_checkout and line.tax_minor > 0  # DE: IOSS VAT at checkout
    made = ask(delivered, quantity=2)
    approve(delivered, made)
    shelf = on_hand(line.variant_id, delivered.shop.warehouse.id)
    got = receive(delivered, made)
    assert got.status == "refunded" and got.refund.state == "succeeded"
    assert got.refund.currency == order.currency == "EUR"
    share = (line.duty_minor + line.tax_minor) * 2 // 3
    assert got.refund.amount_minor in (line.unit_price_minor * 2 + share,
                                       line.unit_price_minor * 2 + share + 1)
    assert got.refund.amount_minor > line.unit_price_minor * 2
    assert on_hand(line.variant_id, delivered.shop.warehouse.id) == shelf + 2
    movement = db.session.scalars(select(StockMovement).where(
        StockMovement.reference_type == "return")).one()
    assert movement.on_hand_delta == 2 and movement.reference_id == str(made.id)
    assert inventory.check_ledger() == []
    db.session.refresh(order)
    assert order.status == "partially_refunded" and line.refunded_quantity == 2
    assert db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.purpose == "return_refunded")) is not None


def test_no_duty_or_tax_back_where_the_market_keeps_it(stripe_sandbox, make_delivered_order):
    delivered = make_delivered_order(quantities=(2,))
    rule = db.session.get(MarketRule, delivered.order.assessment["rule_id"])
    rule.duty_tax_refundable_on_return = False
    db.session.commit()
    made = ask(delivered, quantity=1)
    approve(delivered, made)
    got = receive(delivered, made, lines=[{"order_line_id": delivered.order.lines[0].id,
                                           "quantity": 1, "restock": False}])
    assert got.refund.amount_minor == delivered.order.lines[0].unit_price_minor
    assert db.session.scalar(select(StockMovement.id).where(
        StockMovement.reference_type == "return")) is None



def test_a_domestic_return_gets_its_state_sales_tax_back(stripe_sandbox, make_delivered_order):
    # US store to New York: no customs rule, 4 % sales tax, 3.00 of it on the three units.
    delivered = make_delivered_order(quantities=(3,), country="US", currency="USD")
    order, line = delivered.order, delivered.order.lines[0]
    assert order.assessment["rule_id"] is None and line.tax_minor == 300
    made = ask(delivered, quantity=1)
    approve(delivered, made)
    got = receive(delivered, made)
    assert got.refund.amount_minor == line.unit_price_minor + 100


def test_an_imports_return_keeps_the_us_duty_but_gives_the_sales_tax_back(
        stripe_sandbox, make_checkout_shop, make_delivered_order):
    # A Chinese store's T-shirts to New York: US duty from the first dollar (refunded only by
    # a drawback claim) and New York's sales tax (which goes back with the goods).
    shop = make_checkout_shop(currency="USD", country="CN", price="25", stock=20,
                              hs_code="610910")
    delivered = make_delivered_order(quantities=(3,), country="US", currency="USD", shop=shop)
    line = delivered.order.lines[0]
    assert line.duty_minor > 0 and line.tax_minor > 0
    made = ask(delivered, quantity=3)
    approve(delivered, made)
    got = receive(delivered, made)
    assert got.refund.amount_minor == line.unit_price_minor * 3 + line.tax_minor

def test_restock_into_another_warehouse_and_receiving_twice_acts_once(
        stripe_sandbox, make_delivered_order, second_warehouse):
    delivered = make_delivered_order(quantities=(2,))
    other = second_warehouse(delivered.shop)
    line = delivered.order.lines[0]
    made = ask(delivered, quantity=2)
    approve(delivered, made)
    receive(delivered, made, lines=[{"order_line_id": line.id, "quantity": 2,
                                     "warehouse_id": other.id}])
    assert on_hand(line.variant_id, other.id) == 2
    assert made.lines[0].restock_warehouse_id == other.id
    again = error_of(returns.receive_return, delivered.shop.owner, delivered.shop.store.id,
                     made.id)
    assert again.code == "invalid_return_transition"
    assert on_hand(line.variant_id, other.id) == 2
    db.session.refresh(line)
    assert line.refunded_quantity == 2


def test_a_partial_receipt_refunds_only_what_came_back(stripe_sandbox, make_delivered_order):
    delivered = make_delivered_order(quantities=(3, 1))
    order = delivered.order
    made = returns.request_return(
        delivered.shopper, order.id, reason="wrong_item", links=site_links,
        lines=[{"order_line_id": order.lines[0].id, "quantity": 2},
               {"order_line_id": order.lines[1].id, "quantity": 1}])
    db.session.commit()
    approve(delivered, made)
    got = receive(delivered, made, lines=[
        {"order_line_id": order.lines[0].id, "quantity": 1, "restock": False},
        {"order_line_id": order.lines[1].id, "quantity": 0}])
    assert [(line.order_line_id, line.quantity) for line in got.refund.lines] == [
        (order.lines[0].id, 1)]
    # What did not come back may be asked for again.
    can = returns.returnable_lines(order)
    assert (can[order.lines[0].id].quantity, can[order.lines[1].id].quantity) == (1, 0)


def test_merchants_see_only_their_returns_and_shoppers_only_theirs(
        make_delivered_order, make_user, make_checkout_shop):
    delivered = make_delivered_order()
    made = ask(delivered)
    other_shop = make_checkout_shop()
    stranger = make_user()
    for actor in (stranger, other_shop.owner):
        assert error_of(returns.get_return, actor, made.id).code == "not_found"
        assert error_of(returns.list_order_returns, actor,
                        delivered.order.id).code == "not_found"
    assert error_of(returns.approve_return, other_shop.owner, delivered.shop.store.id,
                    made.id, links=site_links).code == "not_found"
    assert error_of(returns.get_store_return, other_shop.owner, other_shop.store.id,
                    made.id).code == "not_found"
    assert error_of(returns.request_return, stranger, delivered.order.id,
                    lines=[{"order_line_id": delivered.order.lines[0].id, "quantity": 1}],
                    reason="damaged", links=site_links).code == "not_found"
    # Staff (below admin) may decide but not receive: receiving refunds.
    approve(delivered, made)
    assert error_of(returns.receive_return, delivered.shop.staff, delivered.shop.store.id,
                    made.id).code in ("forbidden", "not_found")
    assert returns.get_return(delivered.shop.staff, made.id).id == made.id


def test_photos_are_stored_checked_and_limited(app, make_delivered_order):
    from pathlib import Path

    from tests.catalog_factories import png_bytes

    def stored_files():
        return sorted((Path(app.config["MEDIA_ROOT"]) / "returns").rglob("*.webp"))

    delivered = make_delivered_order(quantities=(2,))
    before = stored_files()
    made = ask(delivered, photos=[png_bytes(), png_bytes((60, 40))])
    assert [p.position for p in made.photos] == [0, 1]
    kept = stored_files()
    assert len(kept) == len(before) + 4  # a thumbnail and a large rendition each
    problem = error_of(ask, delivered, photos=[png_bytes(), b"not an image"])
    assert problem.code == "invalid_image" and "Photo 2" in problem.message
    problem = error_of(ask, delivered, photos=[png_bytes()] * 6)
    assert problem.code == "image_count"
    # A refused request keeps none of its photos, in the database or in storage.
    problem = error_of(ask, delivered, quantity=5, photos=[png_bytes()])
    assert problem.code == "return_quantity_exceeded"
    assert db.session.scalar(select(func.count(ReturnPhoto.id))) == 2
    assert stored_files() == kept


def test_a_refund_confirmed_later_marks_the_return_refunded(stripe_sandbox, runner,
                                                            make_delivered_order):
    delivered = make_delivered_order(quantities=(1,))
    made = ask(delivered)
    approve(delivered, made)
    # Received, refund claimed, but the provider was never reached (a crash before Stripe).
    returns.receive_return(delivered.shop.owner, delivered.shop.store.id, made.id)
    db.session.commit()
    assert made.status == "received" and made.refund.state == "pending"
    result = runner.invoke(args=["payments", "reconcile", "--min-age", "0"])
    assert result.exit_code == 0, result.output
    db.session.refresh(made)
    assert made.status == "refunded" and made.refund.state == "succeeded"
    assert db.session.scalar(select(OutboxEmail.id).where(
        OutboxEmail.purpose == "return_refunded")) is not None
