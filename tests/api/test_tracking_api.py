"""POST /api/v1/webhooks/tracking and GET /api/v1/shipments/{id}."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.extensions import db
from app.models.logistics import TrackingEvent
from tests.logistics_factories import tracking_event

pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

SECRET = "tracking-test-secret"  # TestingConfig.TRACKING_WEBHOOK_SECRET
URL = "/api/v1/webhooks/tracking"
CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 2, 9, 30, tzinfo=CST)


def _sign(raw: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def post_events(client, body, *, signature: str | None = None, raw: bytes | None = None,
                headers: dict | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"}
    if headers is not None:
        sent.update(headers)
    else:
        sent["X-Qiao-Signature"] = signature or _sign(data)
    return client.post(URL, data=data, headers=sent)


def _stored(shipment_id: int) -> int:
    return db.session.scalar(select(func.count(TrackingEvent.id)).where(
        TrackingEvent.shipment_id == shipment_id))


def test_signed_qiao_events_are_stored_and_duplicates_ignored(
        client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    body = {"events": [tracking_event(shipment, "in_transit", T0),
                       tracking_event(shipment, "in_transit", T0)]}
    first = post_events(client, body)
    assert first.status_code == 200, first.json
    assert first.json["counts"]["stored"] == 1 and first.json["counts"]["duplicate"] == 1
    assert first.json["results"][0] == {"index": 0, "outcome": "stored",
                                        "shipment_id": shipment.id}
    again = post_events(client, body)
    assert again.json["counts"] == {"stored": 0, "duplicate": 2,
                                    "unknown_tracking_number": 0, "invalid": 0}
    assert _stored(shipment.id) == 1


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "md5=abc", "garbage"])
def test_a_missing_or_wrong_signature_is_refused(client, shipped_order, make_shipment,
                                                 signature):
    shipment = make_shipment(shipped_order.order)
    raw = json.dumps({"events": [tracking_event(shipment, "in_transit", T0)]}).encode()
    headers = {} if signature is None else {"X-Qiao-Signature": signature}
    response = post_events(client, None, raw=raw, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_signature"
    assert _stored(shipment.id) == 0


def test_a_signature_over_another_body_is_refused(client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    signed = json.dumps({"events": []}).encode()
    raw = json.dumps({"events": [tracking_event(shipment, "delivered", T0)]}).encode()
    response = post_events(client, None, raw=raw, signature=_sign(signed))
    assert response.status_code == 400 and _stored(shipment.id) == 0


def test_no_secret_turns_the_webhook_off(app, client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    app.config["TRACKING_WEBHOOK_SECRET"] = ""
    try:
        raw = json.dumps({"events": [tracking_event(shipment, "in_transit", T0)]}).encode()
        response = post_events(client, None, raw=raw, signature=_sign(raw, ""))
    finally:
        app.config["TRACKING_WEBHOOK_SECRET"] = SECRET
    assert response.status_code == 503
    assert response.json["error"]["code"] == "tracking_webhook_disabled"


def test_aftership_payload_with_its_own_signature_header(client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order, carrier="fourpx",
                             tracking_number="4PX3000123456789CN")
    body = {"event": "tracking_update", "event_id": "1c8b3b0e", "msg": {
        "slug": "4px", "tracking_number": "4PX3000123456789CN", "tag": "OutForDelivery",
        "checkpoints": [
            {"checkpoint_time": "2026-11-05T08:10:00+09:00", "tag": "OutForDelivery",
             "subtag": "OutForDelivery_001", "message": "Out for delivery", "city": "Tokyo",
             "country_name": "Japan"},
            {"checkpoint_time": "2026-11-05T08:10:00", "tag": "InTransit",
             "message": "No zone given"}]}}
    raw = json.dumps(body).encode()
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).digest()
    response = post_events(client, None, raw=raw,
                           headers={"aftership-hmac-sha256": base64.b64encode(digest).decode()})
    assert response.status_code == 200, response.json
    assert [(r["outcome"], r.get("code")) for r in response.json["results"]] == [
        ("stored", None), ("invalid", "naive_occurred_at")]
    db.session.refresh(shipment)
    assert shipment.status == "out_for_delivery"


@pytest.mark.parametrize(("raw", "status", "code"), [
    (b"{not json", 400, "malformed_json"),
    (b"[1, 2]", 422, "invalid_payload"),
    (b'{"events": {"carrier": "ups"}}', 422, "invalid_payload"),
    (b'{"events": []}', 422, "no_events"),
    (b'{"msg": {"slug": "ups", "checkpoints": "none"}}', 422, "invalid_payload"),
    (b'{"hello": "world"}', 422, "invalid_payload"),
    ("\xff".encode("latin-1"), 400, "malformed_json"),
])
def test_malformed_payloads_are_refused_with_a_code(client, raw, status, code):
    response = post_events(client, None, raw=raw, signature=_sign(raw))
    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_the_batch_size_is_limited(app, client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    events = [tracking_event(shipment, "in_transit", T0 + timedelta(minutes=i))
              for i in range(app.config["TRACKING_WEBHOOK_MAX_EVENTS"] + 1)]
    response = post_events(client, {"events": events})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "too_many_events"
    assert _stored(shipment.id) == 0


def test_unknown_numbers_and_future_events_are_reported_not_stored(
        client, shipped_order, make_shipment):
    shipment = make_shipment(shipped_order.order)
    future = datetime.now(UTC) + timedelta(days=1)
    response = post_events(client, {"events": [
        tracking_event(shipment, "in_transit", T0, number="YT0000000000000001"),
        tracking_event(shipment, "in_transit", future),
        tracking_event(shipment, "in_transit", T0)]})
    assert response.status_code == 200
    assert [(r["outcome"], r.get("code")) for r in response.json["results"]] == [
        ("unknown_tracking_number", "unknown_tracking_number"),
        ("invalid", "future_occurred_at"), ("stored", None)]
    assert _stored(shipment.id) == 1


def test_shopper_and_staff_see_the_shipment_others_get_404(
        client, api_token, shipped_order, make_shipment, make_user, make_checkout_shop):
    shipment = make_shipment(shipped_order.order, legs=[
        ("last_mile", "japan_post", "RR473124829JP")])
    post_events(client, {"events": [
        tracking_event(shipment, "delivered", T0 + timedelta(days=3), location="Tokyo"),
        tracking_event(shipment, "in_transit", T0, location="Shenzhen")]})
    url = f"/api/v1/shipments/{shipment.id}"
    for viewer in (shipped_order.shopper, shipped_order.shop.staff):
        response = client.get(url, headers=api_token(viewer))
        assert response.status_code == 200
        body = response.json
        assert body["status"] == "delivered"
        assert [e["status"] for e in body["events"]] == ["in_transit", "delivered"]
        assert body["events"][0]["occurred_at"] == "2026-11-02T01:30:00+00:00"
        assert body["events"][0]["local_time"] == "2026-11-02T09:30:00+08:00"
        assert body["legs"][0]["tracking_number"] == "RR473124829JP"
        assert body["tracking_url"].startswith("https://www.yuntrack.com/")
    rival = make_checkout_shop(with_product=False)
    for outsider in (make_user(), rival.owner):
        assert client.get(url, headers=api_token(outsider)).status_code == 404
    assert client.get("/api/v1/shipments/999999",
                      headers=api_token(shipped_order.shopper)).status_code == 404
    assert client.get(url).status_code == 401


def _count_selects(app, work) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_query_count_does_not_grow_with_events(app, client, api_token, make_shipped_order,
                                               make_shipment):
    counts = []
    for size in (3, 300):
        placed = make_shipped_order()
        shipment = make_shipment(placed.order)
        events = [tracking_event(shipment, "in_transit", T0 + timedelta(minutes=i),
                                 location=f"Hub {i}") for i in range(size)]
        assert post_events(client, {"events": events}).json["counts"]["stored"] == size
        headers = api_token(placed.shopper)
        db.session.expire_all()

        def fetch(shipment_id=shipment.id, headers=headers, size=size):
            response = client.get(f"/api/v1/shipments/{shipment_id}", headers=headers)
            assert len(response.json["events"]) == size

        counts.append(_count_selects(app, fetch))
    assert counts[0] == counts[1]
