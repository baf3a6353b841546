"""Exchange rates kept between requests: the same answers, and a new snapshot is seen at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.services.fx import conversion as fx
from tests.notes_factories import QueryCounter
from tests.services.test_fx import PUBLISHED, SAMPLE, SOON_AFTER


@pytest.fixture
def ecb(app):
    """The ECB sample, committed (what a transaction wrote itself is never kept)."""
    snapshot = fx.import_ecb_rates(SAMPLE)
    db.session.commit()
    return snapshot


def rate_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "fx_snapshots" in s or "fx_rates" in s]


def test_a_second_lock_reads_no_rate_from_the_database(ecb):
    first = fx.lock_rate("USD", "JPY", now=SOON_AFTER)
    with QueryCounter() as counter:
        again = fx.lock_rate("USD", "JPY", now=SOON_AFTER + timedelta(minutes=5))
    assert rate_reads(counter.statements) == []
    assert (again.mid_rate, again.rate, again.snapshot_id) == \
        (first.mid_rate, first.rate, first.snapshot_id)


def test_a_committed_manual_rate_is_in_the_next_lock(ecb, make_user):
    admin = make_user(roles=("admin",))
    assert fx.lock_rate("USD", "JPY", now=SOON_AFTER).source == "ecb"  # now kept
    manual = fx.set_manual_rate(admin, "USD", "JPY", "150.00")
    db.session.commit()
    locked = fx.lock_rate("USD", "JPY", now=manual.as_of + timedelta(minutes=1))
    assert (locked.source, locked.mid_rate) == ("manual", Decimal("150.00"))
    # A lock dated before the manual rate still gets the snapshot in force then.
    assert fx.lock_rate("USD", "JPY", now=SOON_AFTER).snapshot_id == ecb.id


def test_kept_rates_still_go_stale_and_dates_before_them_find_none(app, ecb):
    assert fx.lock_rate("USD", "JPY", now=SOON_AFTER).snapshot_id == ecb.id
    later = PUBLISHED + timedelta(hours=app.config["FX_MAX_AGE_HOURS"] + 1)
    with pytest.raises(fx.StaleRate):
        fx.lock_rate("USD", "JPY", now=later)
    with pytest.raises(fx.RateUnavailable):
        fx.lock_rate("USD", "JPY", now=PUBLISHED - timedelta(days=1))
