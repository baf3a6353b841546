"""FX snapshots: ECB import, cross rates through EUR, fee, rounding, staleness, manual rates."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.extensions import db
from app.models import FxSnapshot
from app.money import Money
from app.services.errors import ValidationFailed
from app.services.fx import conversion as fx

SAMPLE = (Path(__file__).parent.parent / "data" / "ecb-eurofxref-sample.xml").read_bytes()
PUBLISHED = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SOON_AFTER = PUBLISHED + timedelta(hours=2)


@pytest.fixture
def no_fee(app):
    saved = app.config["FX_CONVERSION_FEE_PERCENT"]
    app.config["FX_CONVERSION_FEE_PERCENT"] = "0"
    yield
    app.config["FX_CONVERSION_FEE_PERCENT"] = saved


def test_ecb_import_records_source_date_and_exact_rates(app):
    snapshot = fx.import_ecb_rates(SAMPLE)
    assert snapshot.source == "ecb"
    assert snapshot.base_currency == "EUR"
    assert snapshot.as_of == PUBLISHED
    rates = {r.currency: r.rate for r in snapshot.rates}
    assert rates["JPY"] == Decimal("162.43")
    assert rates["GBP"] == Decimal("0.83215")  # five decimals survive the database round trip
    db.session.expire_all()
    reloaded = db.session.get(FxSnapshot, snapshot.id)
    assert {r.currency: r.rate for r in reloaded.rates}["GBP"] == Decimal("0.83215")


def test_importing_the_same_day_twice_keeps_one_snapshot(app):
    first = fx.import_ecb_rates(SAMPLE)
    second = fx.import_ecb_rates(SAMPLE)
    assert first.id == second.id
    assert db.session.query(FxSnapshot).count() == 1


def test_cross_rate_through_eur_without_fee(app, no_fee):
    fx.import_ecb_rates(SAMPLE)
    locked = fx.lock_rate("USD", "JPY", now=SOON_AFTER)
    assert locked.mid_rate == Decimal("162.43") / Decimal("1.0850")
    assert locked.rate == locked.mid_rate
    # 19.99 USD * 149.705069... = 2992.60 JPY -> 2993 JPY (JPY has no minor unit)
    assert fx.convert(Money(1999, "USD"), locked) == Money(2993, "JPY")
    assert locked.snapshot_id is not None and locked.source == "ecb"


def test_conversion_fee_is_applied_to_the_rate(app):
    app.config["FX_CONVERSION_FEE_PERCENT"] = "2"
    try:
        fx.import_ecb_rates(SAMPLE)
        locked = fx.lock_rate("EUR", "USD", now=SOON_AFTER)
    finally:
        app.config["FX_CONVERSION_FEE_PERCENT"] = "1.5"
    assert locked.mid_rate == Decimal("1.0850")
    assert locked.rate == Decimal("1.10670")
    assert fx.convert(Money(10000, "EUR"), locked) == Money(11067, "USD")


def test_krw_rounds_to_its_configured_increment(app, no_fee):
    fx.import_ecb_rates(SAMPLE)
    locked = fx.lock_rate("EUR", "KRW", now=SOON_AFTER)
    converted = fx.convert(Money(1234, "EUR"), locked)  # 12.34 EUR * 1512.37 = 18662.6458 KRW
    assert converted == Money(18660, "KRW")


def test_stale_rates_refuse_conversion_with_a_clear_message(app):
    fx.import_ecb_rates(SAMPLE)
    later = PUBLISHED + timedelta(hours=app.config["FX_MAX_AGE_HOURS"] + 1)
    with pytest.raises(fx.StaleRate, match="too old") as excinfo:
        fx.lock_rate("USD", "JPY", now=later)
    assert excinfo.value.code == "stale_rate"


def test_same_currency_needs_no_rate(app):
    locked = fx.lock_rate("usd", "USD")
    assert locked.rate == 1
    assert fx.convert(Money(1999, "USD"), locked) == Money(1999, "USD")


def test_a_pair_nobody_priced_is_unavailable(app):
    fx.import_ecb_rates(SAMPLE)
    with pytest.raises(fx.RateUnavailable):
        fx.lock_rate("USD", "KWD", now=SOON_AFTER)


def test_a_newer_manual_rate_wins_over_the_ecb_snapshot(app, make_user, no_fee):
    admin = make_user(roles=("admin",))
    fx.import_ecb_rates(SAMPLE)
    manual = fx.set_manual_rate(admin, "usd", "jpy", "150.00", note="desk rate")
    locked = fx.lock_rate("USD", "JPY", now=manual.as_of + timedelta(minutes=1))
    assert locked.source == "manual"
    assert locked.mid_rate == Decimal("150.00")
    inverse = fx.lock_rate("JPY", "USD", now=manual.as_of + timedelta(minutes=1))
    assert inverse.snapshot_id == manual.id
    assert inverse.mid_rate == Decimal(1) / Decimal("150.00")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("XXY", "JPY", "1"), "from_currency"),
        (("USD", "JPY", "-3"), "rate"),
        (("USD", "JPY", "abc"), "rate"),
        (("USD", "USD", "1"), "to_currency"),
    ],
)
def test_manual_rate_input_is_validated(app, make_user, args, field):
    admin = make_user(roles=("admin",))
    with pytest.raises(ValidationFailed) as excinfo:
        fx.set_manual_rate(admin, *args)
    assert field in excinfo.value.fields
    assert db.session.query(FxSnapshot).count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<not-xml", "not valid XML"),
        (b"<root/>", "no dated"),
        (SAMPLE.replace(b"rate='1.0850'", b"rate='-1'"), "must be positive"),
        (SAMPLE.replace(b"currency='USD'", b"currency='ZZZ'"), "Bad rate entry"),
    ],
)
def test_bad_ecb_files_are_refused_and_write_nothing(app, content, message):
    with pytest.raises(ValidationFailed, match=message):
        fx.import_ecb_rates(content)
    assert db.session.query(FxSnapshot).count() == 0
