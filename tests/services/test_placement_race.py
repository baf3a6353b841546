"""50 brands book the same guaranteed slot-days at once: exactly one gets them.

Real threads with their own connections on PostgreSQL (committed data, so not the suite's
rolled-back transaction). Each thread holds and pays in one transaction, as the API's
`pay: true` does; the losers get 409 `placement_unavailable` and pay nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdAccount,
    AdLedgerEntry,
    Membership,
    Organization,
    PlacementBooking,
    PlacementSlotDay,
    User,
    utcnow,
)
from app.services.ads import account_balance_minor, bookings, placements
from tests.ad_placement_factories import add_traffic, fund_brand
from tests.concurrency import POSTGRES_ONLY, race, race_application

pytestmark = POSTGRES_ONLY
THREADS = 50


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    with race_application("placements", tmp_path_factory.mktemp("placements"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def seed_brands(app: Flask, count: int) -> list[tuple[int, int, int]]:
    """`count` funded brands, each (owner id, organization id, campaign id)."""
    brands = []
    with app.app_context():
        add_traffic("JP", 1000)
        for i in range(count):
            owner = User(email=f"brand{i}@example.test", password_hash="x",
                         display_name=f"Brand {i}")
            org = Organization(kind="brand", name=f"Brand {i}", slug=f"brand-{i}")
            db.session.add_all([owner, org, Membership(organization=org, user=owner,
                                                       role="owner")])
            db.session.flush()
            _account, campaign = fund_brand(org, balance_minor=100_000)
            brands.append((owner.id, org.id, campaign.id))
        commit()
        db.session.remove()
    return brands


def test_fifty_concurrent_bookings_of_one_slot_book_exactly_one(race_app):
    brands = seed_brands(race_app, THREADS)
    now = utcnow()
    start = now.date() + timedelta(days=3)
    end = start + timedelta(days=2)

    def book(index: int) -> str:
        owner_id, org_id, campaign_id = brands[index]
        owner = db.session.get(User, owner_id)
        booking = bookings.book_placement(owner, org_id, campaign_id=campaign_id,
                                            slot_code="discover_first", country="JP",
                                            start=start, end=end, now=now)
        placements.pay_placement(owner, booking, now=now)
        return "paid"

    outcomes = race(race_app, book, THREADS)
    assert outcomes == {"paid": 1, "placement_unavailable": THREADS - 1}, outcomes
    with race_app.app_context():
        [winner] = db.session.scalars(select(PlacementBooking)).all()
        assert winner.state == "paid"
        days = db.session.scalars(select(PlacementSlotDay).where(
            PlacementSlotDay.country == "JP")).all()
        assert len(days) == 3 and {d.booking_id for d in days} == {winner.id}
        assert db.session.scalar(select(func.count()).select_from(AdLedgerEntry).where(
            AdLedgerEntry.kind == "placement_charge")) == 1
        charged = db.session.scalar(select(AdAccount).where(
            AdAccount.organization_id == winner.organization_id))
        assert account_balance_minor(charged.id) == 100_000 - winner.price_minor
        db.session.remove()
