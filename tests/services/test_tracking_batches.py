"""A tracking delivery costs the same statements for 3 events as for 120."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services.logistics.tracking import ingest_tracking_events
from app.web.links import site_links
from tests.logistics_factories import tracking_event

pytestmark = pytest.mark.usefixtures("app")
pytest_plugins = ["tests.checkout_factories", "tests.logistics_factories"]

T0 = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)


@contextmanager
def counting() -> Iterator[list[str]]:
    """The SQL statements sent meanwhile."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _scans(shipments, per_shipment: int, start: datetime) -> list[dict]:
    # Newest first, so every batch arrives out of order, and each batch sends one scan twice.
    scans = [tracking_event(s, "in_transit", start + timedelta(hours=h),
                            location=f"Hub {h}", description=f"Scan {h}")
             for s in shipments for h in reversed(range(per_shipment))]
    return [*scans, scans[0]]


def test_statements_per_delivery_do_not_grow_with_events_or_shipments(
        make_shipped_order, make_shipment):
    small = [make_shipment(make_shipped_order().order) for _ in range(1)]
    large = [make_shipment(make_shipped_order().order) for _ in range(6)]
    few_scans, many_scans = _scans(small, 3, T0), _scans(large, 20, T0)

    with counting() as few:
        report = ingest_tracking_events(few_scans, source="webhook", links=site_links)
    assert report.counts()["stored"] == 3
    with counting() as many:
        report = ingest_tracking_events(many_scans, source="webhook", links=site_links)
    assert report.counts()["stored"] == 120 and report.counts()["duplicate"] == 1
    assert len(many) == len(few), (few, many)

    # Redelivered whole, the batch is all duplicates: one match, one insert, nothing more.
    with counting() as again:
        report = ingest_tracking_events(many_scans, source="webhook", links=site_links)
    assert report.counts()["duplicate"] == 121
    assert len(again) == 2, again
