"""Landed cost: duties and taxes per destination rule, thresholds, DDP vs DDU."""

from datetime import date
from pathlib import Path

import pytest

from app.extensions import db
from app.models import MarketRule
from app.money import Money
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import (
    ConsignmentLimitExceeded,
    DutiableLine,
    Relief,
    assess,
    duty_rate_for,
    load_market_rules,
    rule_for,
)

SAMPLE = (Path(__file__).parent.parent / "data" / "ecb-eurofxref-sample.xml").read_bytes()
TODAY = date(2026, 11, 27)
BEFORE_EU_FLAT_DUTY = date(2026, 6, 30)


@pytest.fixture
def rules(app):
    load_market_rules()
    fx.import_ecb_rates(SAMPLE)
    db.session.flush()


@pytest.fixture
def fresh_rates(app):
    # The sample's rates are from 2026-11-27; let them count as current for these tests.
    saved = app.config["FX_MAX_AGE_HOURS"]
    app.config["FX_MAX_AGE_HOURS"] = 24 * 365 * 10
    yield
    app.config["FX_MAX_AGE_HOURS"] = saved


def test_every_required_market_has_a_rule_with_source_and_date(rules):
    required = ["US", "GB", "AU", "CA", "JP", "CN", "DE", "FR", "IT", "ES", "NL", "SE", "PL"]
    for country in required:
        rule = rule_for(country, TODAY)
        assert rule is not None, country
        assert rule.source and rule.effective_from <= TODAY
    in_force = {r.country for r in db.session.query(MarketRule).filter(
        MarketRule.currency == "EUR") if rule_for(r.country, TODAY).id == r.id}
    assert len(in_force) == 27


def test_loading_twice_adds_nothing(rules):
    assert load_market_rules() == 0


def test_effective_dates_pick_the_rule_in_force(rules):
    assert rule_for("US", date(2024, 1, 1)).duty_free_threshold_minor == 80000
    assert rule_for("US", date(2025, 9, 1)).duty_free_threshold_minor == 0
    assert rule_for("GB", date(2020, 6, 1)) is None


def test_longest_hs_prefix_wins(rules):
    eu = rule_for("DE", TODAY)
    assert duty_rate_for(eu, "6109.10") == eu.duty_rates[[d.hs_prefix for d in eu.duty_rates]
                                                        .index("61")].rate
    assert str(duty_rate_for(eu, "090210")) == "0.032"
    assert duty_rate_for(eu, "999999") == eu.default_duty_rate


def test_domestic_shipment_pays_nothing(rules):
    result = assess(origin_country="US", destination_country="us",
                    lines=[DutiableLine("610910", Money(50000, "USD"))],
                    shipping=Money(999, "USD"), on=TODAY)
    assert result.total == Money(0, "USD")
    assert result.collected_at_checkout
    assert result.relief.code == "domestic"


def test_germany_below_150_eur_vat_only_collected_at_checkout(rules, fresh_rates):
    result = assess(origin_country="CN", destination_country="DE",
                    lines=[DutiableLine("610910", Money(4000, "EUR"))],
                    shipping=Money(500, "EUR"), on=BEFORE_EU_FLAT_DUTY)
    assert result.duties == Money(0, "EUR")
    assert result.taxes == Money(855, "EUR")  # 19% of (40.00 + 5.00)
    assert result.collected_at_checkout
    assert result.relief == Relief("duty_exempt", Money(15000, "EUR"), Money(4000, "EUR"))


def test_germany_above_150_eur_duty_and_vat_due_on_delivery(rules, fresh_rates):
    result = assess(origin_country="CN", destination_country="DE",
                    lines=[DutiableLine("610910", Money(20000, "EUR"))],
                    shipping=Money(1000, "EUR"), on=TODAY)
    assert result.duties == Money(2400, "EUR")  # 12% of 200.00
    assert result.taxes == Money(4446, "EUR")  # 19% of (200 + 10 + 24)
    assert not result.collected_at_checkout


def test_thresholds_compare_in_the_rules_currency(rules, fresh_rates):
    # 160 USD is about 147 EUR: still under the EU's 150 EUR duty threshold.
    result = assess(origin_country="US", destination_country="FR",
                    lines=[DutiableLine("610910", Money(16000, "USD"))],
                    shipping=Money(0, "USD"), on=BEFORE_EU_FLAT_DUTY)
    assert result.duties == Money(0, "USD")
    assert result.taxes == Money(3200, "USD")


def test_china_cross_border_limit_refuses_big_parcels(rules, fresh_rates):
    small = assess(origin_country="US", destination_country="CN",
                   lines=[DutiableLine("330499", Money(100000, "CNY"))],
                   shipping=Money(5000, "CNY"), on=TODAY)
    assert small.duties == Money(0, "CNY")
    assert small.taxes == Money(9555, "CNY")  # 9.1% of 1,050.00
    assert small.collected_at_checkout
    with pytest.raises(ConsignmentLimitExceeded, match="5000.00 CNY"):
        assess(origin_country="US", destination_country="CN",
               lines=[DutiableLine("330499", Money(600000, "CNY"))],
               shipping=Money(0, "CNY"), on=TODAY)


def test_japan_small_amounts_are_exempt_and_larger_ones_due_on_delivery(rules, fresh_rates):
    small = assess(origin_country="CN", destination_country="JP",
                   lines=[DutiableLine("090210", Money(9000, "JPY"))],
                   shipping=Money(800, "JPY"), on=TODAY)
    assert small.total == Money(0, "JPY")
    assert small.relief == Relief("exempt", Money(10000, "JPY"), Money(9000, "JPY"))
    large = assess(origin_country="CN", destination_country="JP",
                   lines=[DutiableLine("090210", Money(20000, "JPY"))],
                   shipping=Money(1000, "JPY"), on=TODAY)
    assert large.duties == Money(3400, "JPY")  # 17% green tea
    assert large.taxes == Money(2440, "JPY")  # 10% of 20000 + 1000 + 3400
    assert not large.collected_at_checkout
    assert large.relief == Relief("over_allowance", Money(10000, "JPY"), Money(20000, "JPY"))


def test_a_country_without_a_rule_is_flagged_as_due_on_delivery(rules):
    result = assess(origin_country="CN", destination_country="BR",
                    lines=[DutiableLine("610910", Money(1000, "USD"))],
                    shipping=Money(0, "USD"), on=TODAY)
    assert result.total == Money(0, "USD")
    assert not result.collected_at_checkout
    assert "due on delivery" in result.source
    assert result.relief.code == "no_rule"


def test_a_destination_without_an_allowance_says_so(rules, fresh_rates):
    result = assess(origin_country="CN", destination_country="US",
                    lines=[DutiableLine("610910", Money(1000, "USD"))],
                    shipping=Money(0, "USD"), on=TODAY)  # de minimis suspended in 2025
    assert result.duties.minor > 0
    assert result.relief == Relief("no_allowance", None, Money(1000, "USD"))
