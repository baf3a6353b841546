"""Tracking events: matching, dedupe, event-time status, order delivery and notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import Notification, OutboxEmail
from app.models.logistics import TrackingEvent
from app.services.logistics.tracking import ingest_tracking_events
from app.services.logistics.tracking_formats import events_from_payload, normalize_status
from app.services.orders.lifecycle import transition_order
from app.web.links import site_links
from tests.logistics_factories import tracking_event, yunexpress_number

pytestmark = pytest.mark.usefixtures("app")
pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories", "tests.tracking_server"]

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=CST)


def _events(shipment_id: int) -> list[TrackingEvent]:
    return list(db.session.scalars(select(TrackingEvent).where(
        TrackingEvent.shipment_id == shipment_id).order_by(TrackingEvent.occurred_at)))


def _ingest(events, source="webhook"):
    report = ingest_tracking_events(events, source=source, links=site_links)
    commit()
    return report


def test_an_event_is_stored_with_its_local_offset_and_moves_the_shipment(
        shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    report = _ingest([tracking_event(shipment, "in_transit", T0, location="Shenzhen")])
    assert [o.outcome for o in report.outcomes] == ["stored"]
    [event] = _events(shipment.id)
    assert event.occurred_at == datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    assert event.utc_offset_minutes == 480
    assert event.source == "webhook" and event.location == "Shenzhen"
    db.session.refresh(shipment)
    assert (shipment.status, shipment.status_at, shipment.last_event_at) == (
        "in_transit", event.occurred_at, event.occurred_at)


def test_duplicates_within_a_batch_and_across_deliveries_are_stored_once(
        shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    event = tracking_event(shipment, "in_transit", T0)
    first = _ingest([event, dict(event)])
    assert [o.outcome for o in first.outcomes] == ["stored", "duplicate"]
    # The same scan with the same instant written in another zone is the same report.
    same_instant = {**event, "occurred_at": T0.astimezone(UTC).isoformat()}
    again = _ingest([event, same_instant], source="poll")
    assert [o.outcome for o in again.outcomes] == ["duplicate", "duplicate"]
    assert len(_events(shipment.id)) == 1


def test_out_of_order_arrival_keeps_the_newest_status(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    _ingest([tracking_event(shipment, "delivered", T0 + timedelta(days=5))])
    report = _ingest([tracking_event(shipment, "in_transit", T0),
                      tracking_event(shipment, "customs", T0 + timedelta(days=2),
                                     sub_status="held")])
    assert report.count("stored") == 2 and report.changed_shipment_ids == []
    db.session.refresh(shipment)
    assert shipment.status == "delivered"
    assert shipment.delivered_at == (T0 + timedelta(days=5)).astimezone(UTC)
    assert [e.status for e in _events(shipment.id)] == ["in_transit", "customs", "delivered"]


def test_an_event_as_new_as_the_status_replaces_it(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    _ingest([tracking_event(shipment, "in_transit", T0)])
    _ingest([tracking_event(shipment, "exception", T0, description="Damaged")])
    db.session.refresh(shipment)
    assert shipment.status == "exception"


def test_leg_numbers_match_and_record_the_leg(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order, legs=[
        ("last_mile", "japan_post", "RR473124829JP")])
    report = _ingest([tracking_event(shipment, "out_for_delivery", T0, carrier="japan_post",
                                     number="rr 4731-2482 9jp")])
    assert report.outcomes[0].shipment_id == shipment.id
    [event] = _events(shipment.id)
    assert event.leg_id == shipment.legs[0].id


def test_unknown_numbers_and_bad_events_are_reported_and_good_ones_stored(
        shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    future = datetime.now(UTC) + timedelta(hours=1)
    batch = [
        tracking_event(shipment, "in_transit", T0),
        tracking_event(shipment, "in_transit", T0, number=yunexpress_number()),
        tracking_event(shipment, "in_transit", future),
        tracking_event(shipment, "in_transit", "2026-11-02T09:30:00"),
        tracking_event(shipment, "teleported", T0),
        tracking_event(shipment, "customs", T0, sub_status="confiscated"),
        tracking_event(shipment, "in_transit", T0, carrier="pigeon_post"),
        {**tracking_event(shipment, "in_transit", T0), "location": 12},
        "not an object",
    ]
    report = _ingest(batch)
    assert [(o.outcome, o.code) for o in report.outcomes] == [
        ("stored", ""), ("unknown_tracking_number", "unknown_tracking_number"),
        ("invalid", "future_occurred_at"), ("invalid", "naive_occurred_at"),
        ("invalid", "invalid_status"), ("invalid", "invalid_status"),
        ("invalid", "unknown_carrier"), ("invalid", "invalid_field"),
        ("invalid", "invalid_event")]
    assert "future" in report.outcomes[2].message
    assert len(_events(shipment.id)) == 1


def test_a_few_minutes_of_clock_skew_is_allowed(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert _ingest([tracking_event(shipment, "in_transit", soon)]).count("stored") == 1


@pytest.mark.parametrize(("tag", "subtag", "expected"), [
    ("InfoReceived", "InfoReceived_001", ("info_received", "InfoReceived_001")),
    ("InTransit", "InTransit_007", ("in_transit", "InTransit_007")),
    ("InTransit", "InTransit_006", ("customs", "submitted")),
    ("InTransit", "InTransit_005", ("customs", "released")),
    ("Exception", "Exception_004", ("customs", "held")),
    ("Exception", "Exception_006", ("customs", "duties_due")),
    ("Exception", "Exception_011", ("returned", "")),
    ("OutForDelivery", "", ("out_for_delivery", "")),
    ("AttemptFail", "AttemptFail_001", ("attempt_failed", "AttemptFail_001")),
    ("AvailableForPickup", "", ("available_for_pickup", "")),
    ("Delivered", "Delivered_001", ("delivered", "Delivered_001")),
    ("Expired", "", ("expired", "")), ("Pending", "", ("pending", "")),
    ("customs", "on hold", ("customs", "held")), ("Out for delivery", "", ("out_for_delivery", "")),
    ("Lost", "", None),
])
def test_status_mapping(tag, subtag, expected):
    assert normalize_status(tag, subtag) == expected


def test_aftership_checkpoints_are_ingested(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order, carrier="fourpx",
                             tracking_number="4PX3000123456789CN")
    body = {"event": "tracking_update", "msg": {
        "slug": "4px", "tracking_number": "4PX3000123456789CN", "checkpoints": [
            {"checkpoint_time": "2026-11-02T09:30:00+08:00", "tag": "InTransit",
             "subtag": "InTransit_007", "message": "Departed facility", "city": "Shenzhen",
             "country_name": "China"},
            {"checkpoint_time": "2026-11-04T18:00:00+09:00", "tag": "Exception",
             "subtag": "Exception_004", "message": "Held by customs", "location": "Tokyo"},
        ]}}
    events, source = events_from_payload(body)
    report = _ingest(events, source=source)
    assert report.count("stored") == 2
    stored = _events(shipment.id)
    assert [(e.status, e.sub_status, e.location, e.source) for e in stored] == [
        ("in_transit", "InTransit_007", "Shenzhen, China", "aftership"),
        ("customs", "held", "Tokyo", "aftership")]
    assert stored[1].utc_offset_minutes == 540
    db.session.refresh(shipment)
    assert (shipment.status, shipment.sub_status) == ("customs", "held")


def test_the_newest_scan_sets_the_carriers_delivery_estimate(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    report = _ingest([
        {**tracking_event(shipment, "in_transit", T0), "estimated_delivery": "2026-11-09"},
        {**tracking_event(shipment, "customs", T0 + timedelta(days=2), sub_status="held"),
         "estimated_delivery": "2026-11-12T18:00:00+09:00"},
    ])
    assert report.count("stored") == 2
    db.session.refresh(shipment)
    assert shipment.estimated_delivery_at == datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    # A late-arriving older scan does not take back the newer promise.
    _ingest([{**tracking_event(shipment, "in_transit", T0 + timedelta(days=1)),
              "estimated_delivery": "2026-11-08"}])
    db.session.refresh(shipment)
    assert shipment.estimated_delivery_at == datetime(2026, 11, 12, 9, 0, tzinfo=UTC)


def test_a_bad_delivery_estimate_refuses_that_event_only(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    report = _ingest([
        {**tracking_event(shipment, "in_transit", T0), "estimated_delivery": "next week"},
        {**tracking_event(shipment, "in_transit", T0), "estimated_delivery": "2025-01-01"},
        {**tracking_event(shipment, "in_transit", T0), "estimated_delivery": "2026-11-20T10:00"},
        tracking_event(shipment, "in_transit", T0 + timedelta(hours=1)),
    ])
    assert [(o.outcome, o.code) for o in report.outcomes] == [
        ("invalid", "invalid_estimated_delivery")] * 3 + [("stored", "")]
    db.session.refresh(shipment)
    assert shipment.estimated_delivery_at is None


def test_aftership_expected_delivery_is_the_carriers_estimate(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order, carrier="fourpx",
                             tracking_number="4PX3000123456789CN")
    events, source = events_from_payload({"event": "tracking_update", "msg": {
        "slug": "4px", "tracking_number": "4PX3000123456789CN",
        "expected_delivery": "2026-11-10", "checkpoints": [
            {"checkpoint_time": "2026-11-02T09:30:00+08:00", "tag": "InTransit",
             "message": "Departed facility", "city": "Shenzhen"}]}})
    _ingest(events, source=source)
    db.session.refresh(shipment)
    assert shipment.estimated_delivery_at == datetime(2026, 11, 10, 23, 59, tzinfo=UTC)


def test_order_is_delivered_when_every_shipment_is(make_shipped_order, make_shipment):
    placed = make_shipped_order(quantity=2)
    line = placed.order.lines[0]
    first = make_shipment(placed.order, lines={line.id: 1})
    second = make_shipment(placed.order, lines={line.id: 1})
    _ingest([tracking_event(first, "delivered", T0)])
    db.session.refresh(placed.order)
    assert placed.order.status == "shipped"
    _ingest([tracking_event(second, "delivered", T0 + timedelta(hours=3))])
    db.session.refresh(placed.order)
    assert placed.order.status == "delivered"
    assert placed.order.events[-1].reason_code == "all_delivered"


def test_order_waits_for_unshipped_units(make_shipped_order, make_shipment):
    placed = make_shipped_order(quantity=2)
    shipment = make_shipment(placed.order, lines={placed.order.lines[0].id: 1})
    _ingest([tracking_event(shipment, "delivered", T0)])
    db.session.refresh(placed.order)
    assert placed.order.status == "shipped"


def test_a_refunded_order_is_left_alone(shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    transition_order(shipped_order.order, "refunded", reason="test")
    db.session.commit()
    assert _ingest([tracking_event(shipment, "delivered", T0)]).count("stored") == 1
    db.session.refresh(shipped_order.order)
    assert shipped_order.order.status == "refunded"


def _notices(shipment_id):
    return list(db.session.scalars(select(Notification.shipment_status).where(
        Notification.shipment_id == shipment_id).order_by(Notification.id)))


def test_shopper_is_told_once_per_status(shipped_order, make_shipment, sent_mail):
    shipment = make_shipment(shipped_order.order)
    held = tracking_event(shipment, "customs", T0, sub_status="held")
    _ingest([tracking_event(shipment, "in_transit", T0 - timedelta(days=1)), held])
    _ingest([held])  # redelivered
    _ingest([tracking_event(shipment, "customs", T0 + timedelta(hours=1), sub_status="held",
                            description="Still held")])  # same news, new scan
    _ingest([tracking_event(shipment, "delivered", T0 + timedelta(days=2))])
    _ingest([tracking_event(shipment, "out_for_delivery", T0 + timedelta(days=1))])  # older
    assert _notices(shipment.id) == ["customs_held", "delivered"]
    notice = db.session.scalar(select(Notification).where(
        Notification.shipment_id == shipment.id).limit(1))
    assert notice.recipient_id == shipped_order.shopper.id and notice.actor_id is None
    subjects = [m.subject for m in sent_mail]
    assert subjects == ["Your Qiao parcel is held at customs", "Your Qiao parcel was delivered"]
    assert shipment.tracking_number in sent_mail[0].body
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.purpose.like("shipment_%"))) == 2


def test_the_email_is_in_the_shoppers_language(make_shipped_order, make_shipment, sent_mail):
    from tests.web.test_preferences import _compiled_zh

    english = "Your Qiao parcel is out for delivery"
    placed = make_shipped_order(locale="zh")
    shipment = make_shipment(placed.order)
    _ingest([tracking_event(shipment, "out_for_delivery", T0)])
    po = (Path(__file__).resolve().parents[2] / "translations" / "zh" / "LC_MESSAGES"
          / "messages.po").read_text(encoding="utf-8")
    assert f'msgid "{english}"\nmsgstr "您的桥包裹正在派送中"' in po
    # The compiled catalog exists once `make translations` ran (it is not committed).
    expected = _compiled_zh().get(english, english)
    assert [m.subject for m in sent_mail] == [expected]
    if expected != english:
        assert "云途物流" in sent_mail[0].body


# Pulling ------------------------------------------------------------------------------------
def _poll_event(status, at, **fields):
    return {"occurred_at": at.isoformat(), "status": status, "location": "Osaka",
            "carrier_code": status.upper(), "description": status, **fields}


def test_poll_task_pulls_due_shipments_and_backs_off_on_failure(
        app, tracking_service, make_shipped_order, make_shipment, monkeypatch):
    from app.providers import tracking as provider_module
    from app.services.logistics.polling import backoff
    from app.tasks.logistics import poll_tracking

    working = make_shipment(make_shipped_order().order)
    failing = make_shipment(make_shipped_order().order)
    arrived = make_shipment(make_shipped_order().order)
    arrived.status = "delivered"
    db.session.commit()
    tracking_service.parcels[("yunexpress", working.tracking_number)] = [
        _poll_event("in_transit", T0), _poll_event("out_for_delivery", T0 + timedelta(days=1))]
    real_fetch = provider_module.HttpTrackingProvider.fetch_events

    def flaky(self, carrier, number):
        # One parcel's carrier API is down; the others answer through the loopback service.
        if number == failing.tracking_number:
            raise provider_module.TrackingUnavailable("carrier API down")
        return real_fetch(self, carrier, number)

    monkeypatch.setattr(provider_module.HttpTrackingProvider, "fetch_events", flaky)
    started = datetime.now(UTC)
    assert poll_tracking(batch=1) == 2  # batches of one; the delivered parcel is not due
    db.session.expire_all()
    assert [e.status for e in _events(working.id)] == ["in_transit", "out_for_delivery"]
    assert _events(working.id)[0].source == "poll"
    assert working.status == "out_for_delivery" and working.poll_failures == 0
    assert working.next_poll_at >= started + timedelta(minutes=119)
    assert failing.poll_failures == 1
    assert timedelta(minutes=14) < failing.next_poll_at - started <= timedelta(minutes=16)
    assert arrived.next_poll_at is None
    assert not any(arrived.tracking_number in p for p in tracking_service.paths)
    assert poll_tracking() == 0  # nothing due any more
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 6, 7, 30)] == [
        15, 30, 60, 480, 720, 720]


def test_a_failing_service_backs_off_every_due_shipment(tracking_service, shipped_order,
                                                        make_shipment):
    from app.tasks.logistics import poll_tracking

    shipment = make_shipment(shipped_order.order)
    tracking_service.fail_with = 503
    assert poll_tracking() == 1
    db.session.refresh(shipment)
    assert shipment.poll_failures == 1 and shipment.next_poll_at is not None
    shipment.next_poll_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert poll_tracking() == 1
    db.session.refresh(shipment)
    assert shipment.poll_failures == 2
    assert shipment.next_poll_at - datetime.now(UTC) > timedelta(minutes=29)
    tracking_service.fail_with = None  # the service is back but does not know the parcel
    shipment.next_poll_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert poll_tracking() == 1
    db.session.refresh(shipment)
    assert shipment.poll_failures == 0 and _events(shipment.id) == []


def test_no_provider_means_no_pulling(shipped_order, make_shipment):
    from app.tasks.logistics import poll_tracking

    make_shipment(shipped_order.order)
    assert poll_tracking() == 0
