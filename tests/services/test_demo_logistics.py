"""The demo's orders: every shipment state, real journeys, valid numbers, seeded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Notification,
    Order,
    Payment,
    QuoteGroup,
    Refund,
    ReturnRequest,
    StockMovement,
    Store,
    User,
    utcnow,
)
from app.models.logistics import Shipment, ShipmentLeg, TrackingEvent
from app.providers.payments import reset_payment_provider
from app.services.logistics import exception_board
from app.services.logistics.carriers import validate_tracking_number

pytest_plugins = ["tests.localstripe_server"]
pytestmark = pytest.mark.usefixtures("app")


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Order, Shipment, ShipmentLeg, TrackingEvent, Notification,
                               ReturnRequest, Refund))


def _shipments() -> dict[str, Shipment]:
    return {s.tracking_number: s for s in db.session.scalars(
        select(Shipment).where(Shipment.direction != "return"))}


def _returns() -> dict[str, ReturnRequest]:
    return {r.status: r for r in db.session.scalars(select(ReturnRequest))}


@pytest.fixture
def no_sandbox(app):
    """No Stripe sandbox answers (even if a `make run` holds the default port)."""
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_SANDBOX_URL="http://127.0.0.1:9")
    reset_payment_provider()
    yield
    app.config.update(STRIPE_SANDBOX_URL="http://127.0.0.1:8420")
    reset_payment_provider()


def test_the_demo_has_a_parcel_in_every_state_and_seeds_once(runner, no_sandbox):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Demo orders and shipments: " in result.output
    shipments = _shipments()
    assert sorted((s.status, s.sub_status) for s in shipments.values()) == [
        ("attempt_failed", ""), ("customs", "duties_due"), ("delivered", ""),
        ("delivered", ""), ("exception", ""), ("in_transit", ""), ("in_transit", ""),
        ("out_for_delivery", ""), ("pending", "")]
    for shipment in shipments.values():
        assert validate_tracking_number(shipment.carrier, shipment.tracking_number)
        for leg in shipment.legs:
            assert validate_tracking_number(leg.carrier, leg.tracking_number)

    # Hangzhou -> PVG -> LAX customs (submitted, held, released) -> USPS, delivered in NY.
    [hangzhou] = [s for s in shipments.values() if s.carrier == "china_post" and s.legs]
    assert [(leg.kind, leg.carrier) for leg in hangzhou.legs] == [
        ("line_haul", "cainiao"), ("last_mile", "usps")]
    events = list(db.session.scalars(select(TrackingEvent).where(
        TrackingEvent.shipment_id == hangzhou.id).order_by(TrackingEvent.occurred_at)))
    assert [e.sub_status for e in events if e.status == "customs"] == [
        "submitted", "held", "released"]
    assert {e.utc_offset_minutes for e in events} >= {480, -480}  # Shanghai and LA scans
    assert events[-1].leg_id == hangzhou.legs[1].id and events[-1].status == "delivered"
    assert hangzhou.order.status == "delivered"
    assert hangzhou.shipped_at < events[0].occurred_at < utcnow()
    # The order and its log carry the story's dates, not the moment the seed ran.
    logged = {e.to_status: e.created_at for e in hangzhou.order.events}
    assert hangzhou.order.created_at < logged["shipped"] == hangzhou.shipped_at
    assert logged["delivered"] == hangzhou.delivered_at < utcnow() - timedelta(days=1)

    # Brooklyn -> JFK -> Narita customs -> Japan Post, delivered to the Japan shopper.
    [tokyo] = [s for s in shipments.values() if s.legs and s.legs[0].carrier == "japan_post"]
    assert tokyo.status == "delivered" and tokyo.order.status == "delivered"
    assert tokyo.order.user.email == "shopper.jp@example.com"

    # Held at customs with duties due: the order was DDU.
    [held] = [s for s in shipments.values() if s.status == "customs"]
    ddu = db.session.scalar(select(QuoteGroup.collected_at_checkout).where(
        QuoteGroup.quote_id == held.order.quote_id, QuoteGroup.store_id == held.store_id))
    assert ddu is False
    assert db.session.scalar(select(Notification.id).where(
        Notification.shipment_id == held.id, Notification.shipment_status == "customs_held"))

    # One line of two shipped.
    partly = [o for o in db.session.scalars(select(Order)) if o.status == "partially_shipped"]
    assert len(partly) == 1 and len(partly[0].lines) == 2

    # The merchant's exceptions board: the failed attempt, the long-silent exception and the
    # parcel held for its duties.
    tea = db.session.scalar(select(Store).where(Store.slug == "hangzhou-tea-house"))
    owner = db.session.scalar(select(User).where(User.email == "merchant@example.com"))
    board = {group.key: group for group in exception_board(owner, tea.id).groups}
    [stuck] = board["exception"].shipments
    assert utcnow() - stuck.last_event_at > timedelta(days=10)
    assert board["attempt_failed"].count == 1
    assert [s.id for s in board["customs_held"].shipments] == [held.id]

    # No sandbox is up here: the orders are paid directly and the returned mug stops in
    # transit, and the seed says why.
    assert "refunds of those orders will fail" in result.output
    assert "in transit (not received" in result.output
    assert all(p.intent_id.startswith("pi_demo_") for p in db.session.scalars(select(Payment)))
    made = _returns()
    assert sorted(made) == ["in_transit", "requested"]
    mug = made["in_transit"]
    assert mug.shipment.direction == "return" and mug.shipment.status == "delivered"
    assert validate_tracking_number(mug.shipment.carrier, mug.shipment.tracking_number)
    assert mug.refund_id is None

    before = _counts()
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "Demo orders and shipments" not in again.output
    assert "Demo returns" not in again.output
    assert _counts() == before


def test_the_returned_demo_order_is_received_restocked_and_refunded_at_the_sandbox(
        runner, stripe_sandbox):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "refunds of those orders will fail" not in result.output
    payments = list(db.session.scalars(select(Payment)))
    # Nine parcels' orders, and the three orders the demo ad campaigns brought.
    assert len(payments) == 12 and {p.state for p in payments} == {"succeeded"}
    assert not any(p.intent_id.startswith("pi_demo_") for p in payments)
    assert stripe_sandbox.intent(payments[0].intent_id)["status"] == "succeeded"

    made = _returns()
    assert sorted(made) == ["refunded", "requested"]
    mug = made["refunded"]
    # Sent back from Tokyo to Brooklyn by EMS, its scans in the order they happened.
    assert mug.order.user.email == "shopper.jp@example.com" and mug.reason == "size_or_fit"
    parcel = mug.shipment
    assert (parcel.direction, parcel.carrier, parcel.status) == ("return", "japan_post",
                                                                 "delivered")
    assert validate_tracking_number(parcel.carrier, parcel.tracking_number)
    events = list(db.session.scalars(select(TrackingEvent).where(
        TrackingEvent.shipment_id == parcel.id).order_by(TrackingEvent.occurred_at)))
    assert [e.status for e in events][-1] == "delivered" and len(events) >= 4
    assert {e.utc_offset_minutes for e in events} >= {540}  # Tokyo scans
    # Received with restock, refunded at the sandbox.
    assert [(line.received_quantity, line.restocked_quantity) for line in mug.lines] == [
        (1, 1)]
    assert db.session.scalar(select(StockMovement.id).where(
        StockMovement.reference_type == "return",
        StockMovement.reference_id == str(mug.id))) is not None
    assert mug.refund.state == "succeeded" and mug.refund.provider_refund_id
    # The tea house has one to decide.
    waiting = made["requested"]
    assert db.session.get(Store, waiting.store_id).slug == "hangzhou-tea-house"
    assert waiting.reason == "damaged" and waiting.comment

    before = _counts()
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "Demo returns" not in again.output
    assert _counts() == before
