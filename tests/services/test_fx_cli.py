"""`flask fx` and `flask markets` commands, and the demo seed's rates and rules."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.demo.rates import seed_rates_and_rules
from app.extensions import db
from app.models import FxSnapshot, MarketRule, utcnow
from app.models.markets import DutyRate
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import RULES_FILE
from app.services.regions import SUPPORTED_CURRENCIES

pytest_plugins = ["tests.ecb_server"]

SAMPLE_FILE = Path(__file__).resolve().parent.parent / "data" / "ecb-eurofxref-sample.xml"
ECB_SAMPLE = SAMPLE_FILE.read_bytes()
RULES = json.loads(RULES_FILE.read_text(encoding="utf-8"))


def snapshot_count() -> int:
    return db.session.scalar(select(func.count()).select_from(FxSnapshot))


def rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MarketRule))


@pytest.fixture
def max_age(app):
    """Set FX_MAX_AGE_HOURS for one test."""
    saved = app.config["FX_MAX_AGE_HOURS"]

    def set_hours(hours: int) -> None:
        app.config["FX_MAX_AGE_HOURS"] = hours

    yield set_hours
    app.config["FX_MAX_AGE_HOURS"] = saved


def write_rules(tmp_path: Path, rules: list[dict]) -> Path:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": rules}), encoding="utf-8")
    return path


def us_rules() -> list[dict]:
    return [json.loads(json.dumps(r)) for r in RULES["rules"] if r["country"] == "US"]


# flask fx import -----------------------------------------------------------------------------
def test_import_from_a_file_reports_the_date_and_currency_count(runner):
    result = runner.invoke(args=["fx", "import", "--file", str(SAMPLE_FILE)])
    assert result.exit_code == 0, result.output
    assert "Imported the ECB rates of 2026-11-27: 9 currencies against EUR" in result.output
    snapshot = db.session.scalar(select(FxSnapshot))
    assert snapshot.source == "ecb" and snapshot.as_of.strftime("%Y-%m-%d") == "2026-11-27"
    again = runner.invoke(args=["fx", "import", "--file", str(SAMPLE_FILE)])
    assert again.exit_code == 0
    assert "already recorded" in again.output and snapshot_count() == 1


def test_import_downloads_from_the_configured_url(runner, ecb_server):
    result = runner.invoke(args=["fx", "import"])
    assert result.exit_code == 0, result.output
    assert "2026-11-27: 9 currencies" in result.output
    assert ecb_server.requests == ["/eurofxref-daily.xml"]


def test_import_from_an_explicit_url(runner, ecb_server, app):
    app.config["ECB_RATES_URL"] = "http://127.0.0.1:9/never-used.xml"
    result = runner.invoke(args=["fx", "import", "--url", ecb_server.url])
    assert result.exit_code == 0, result.output
    assert snapshot_count() == 1


def test_bad_xml_exits_non_zero_and_writes_nothing(runner, tmp_path):
    bad = tmp_path / "rates.xml"
    bad.write_bytes(b"<gesmes:Envelope><Cube>")
    result = runner.invoke(args=["fx", "import", "--file", str(bad)])
    assert result.exit_code == 1
    assert "not valid XML" in result.output and str(bad) in result.output
    assert snapshot_count() == 0


def test_a_negative_rate_in_the_document_is_refused(runner, ecb_server):
    ecb_server.body = ECB_SAMPLE.replace(b"rate='162.43'", b"rate='-162.43'")
    result = runner.invoke(args=["fx", "import"])
    assert result.exit_code == 1
    assert "JPY must be positive" in result.output
    assert snapshot_count() == 0


def test_an_unreachable_url_exits_non_zero_and_writes_nothing(runner, closed_port_url):
    result = runner.invoke(args=["fx", "import", "--url", closed_port_url])
    assert result.exit_code == 1
    assert "Could not reach the rate source" in result.output
    assert "nothing was imported" in result.output
    assert snapshot_count() == 0


def test_an_http_error_exits_non_zero(runner, ecb_server):
    ecb_server.status = 503
    result = runner.invoke(args=["fx", "import"])
    assert result.exit_code == 1
    assert "answered HTTP 503" in result.output
    assert snapshot_count() == 0


def test_file_and_url_together_are_a_usage_error(runner, ecb_server):
    result = runner.invoke(args=["fx", "import", "--file", str(SAMPLE_FILE), "--url",
                                 ecb_server.url])
    assert result.exit_code == 2
    assert "not both" in result.output
    assert ecb_server.requests == [] and snapshot_count() == 0


# flask fx rates / set --------------------------------------------------------------------------
def test_rates_lists_each_currency_with_its_age(runner, max_age):
    max_age(24 * 365 * 10)
    fx.import_ecb_rates(ECB_SAMPLE)
    result = runner.invoke(args=["fx", "rates", "--base", "usd"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == set(SUPPORTED_CURRENCIES) - {"USD"}
    jpy = lines["JPY"]
    assert f"mid {Decimal('162.43') / Decimal('1.0850')}" in jpy
    assert "ecb 2026-11-27 15:00 UTC" in jpy and "h old  ok" in jpy


def test_rates_mark_stale_ones_and_missing_ones(runner, max_age):
    max_age(1)
    fx.import_ecb_rates(ECB_SAMPLE.replace(b"<Cube currency='KRW' rate='1512.37'/>", b""))
    result = runner.invoke(args=["fx", "rates"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert "STALE: checkout refuses it" in lines["USD"] and "mid 1.0850" in lines["USD"]
    assert "not charged" in lines["USD"]
    assert lines["KRW"] == "KRW  no rate"


def test_rates_refuse_an_unknown_base(runner):
    result = runner.invoke(args=["fx", "rates", "--base", "XYZ"])
    assert result.exit_code == 2
    assert "Unknown currency 'XYZ'" in result.output


def test_set_records_a_manual_rate_used_from_now_on(runner):
    result = runner.invoke(args=["fx", "set", "usd", "jpy", "150.5", "--note", "desk rate"])
    assert result.exit_code == 0, result.output
    assert "1 USD = 150.5 JPY" in result.output
    snapshot = db.session.scalar(select(FxSnapshot))
    assert (snapshot.source, snapshot.note, snapshot.created_by_id) == \
        ("manual", "desk rate", None)
    assert fx.lock_rate("USD", "JPY").mid_rate == Decimal("150.5")


@pytest.mark.parametrize(("args", "message"), [
    (["USD", "JPY", "--", "-1"], "rate: Enter a positive decimal number"),
    (["USD", "JPY", "0"], "rate: Enter a positive decimal number"),
    (["USD", "JPY", "abc"], "rate: Enter a positive decimal number"),
    (["USD", "XXY", "1.5"], "to_currency: Unknown currency 'XXY'"),
    (["EUR", "eur", "1"], "to_currency: Choose two different currencies."),
])
def test_set_refuses_bad_input_and_writes_nothing(runner, args, message):
    result = runner.invoke(args=["fx", "set", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert snapshot_count() == 0


# flask markets load / show ---------------------------------------------------------------------
def test_loading_the_shipped_rules_twice_changes_nothing_the_second_time(runner):
    first = runner.invoke(args=["markets", "load"])
    assert first.exit_code == 0, first.output
    # The rule book's dated rules and its regional taxes are counted together.
    total = len(RULES["rules"]) + len(RULES["region_taxes"])
    assert f"Market rules: {total} added, 0 updated, 0 unchanged." in first.output
    duty_rows = db.session.scalar(select(func.count()).select_from(DutyRate))
    second = runner.invoke(args=["markets", "load"])
    assert f"0 added, 0 updated, {total} unchanged." in second.output
    assert rule_count() == len(RULES["rules"])
    assert db.session.scalar(select(func.count()).select_from(DutyRate)) == duty_rows


def test_load_updates_a_changed_rule_and_its_duty_rates(runner, tmp_path):
    rules = us_rules()
    runner.invoke(args=["markets", "load", "--file", str(write_rules(tmp_path, rules))])
    current = rules[-1]
    current["vat_rate"] = "0.07"
    current["duty_rates"] = [d for d in current["duty_rates"] if d["hs_prefix"] != "64"]
    current["duty_rates"].append({"hs_prefix": "8517", "rate": "0", "description": "Phones"})
    result = runner.invoke(args=["markets", "load", "--file",
                                 str(write_rules(tmp_path, rules))])
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 2 unchanged." in result.output
    db.session.expire_all()
    rule = db.session.scalar(select(MarketRule).where(
        MarketRule.country == "US", MarketRule.effective_to.is_(None)))
    assert rule.vat_rate == Decimal("0.07")
    prefixes = {d.hs_prefix for d in rule.duty_rates}
    assert "8517" in prefixes and "64" not in prefixes


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r[0].update(vat_rate="1.5"), "vat_rate: 150 % is outside 0 to 100 %"),
    (lambda r: r[0]["duty_rates"].append({"hs_prefix": "9", "rate": "0.1",
                                          "description": ""}),
     "hs_prefix: An HS prefix is 2 to 10 digits"),
    (lambda r: r[-1].update(effective_from="2025-08-01"), "overlaps"),
    (lambda r: r[0].update(country="XX"), "country: 'XX' is not a country code"),
    (lambda r: r[0].update(effective_from="yesterday"), "'yesterday' is not a date"),
    (lambda r: r[0].update(duty_free_threshold="80.001"), "at most 2 decimals"),
])
def test_load_refuses_a_bad_file_and_writes_nothing(runner, tmp_path, change, message):
    rules = us_rules()
    change(rules)
    result = runner.invoke(args=["markets", "load", "--file",
                                 str(write_rules(tmp_path, rules))])
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was loaded" in result.output
    assert rule_count() == 0


def test_load_refuses_a_file_that_is_not_json(runner, tmp_path):
    path = tmp_path / "rules.json"
    path.write_text("{not json", encoding="utf-8")
    result = runner.invoke(args=["markets", "load", "--file", str(path)])
    assert result.exit_code == 1
    assert "is not a readable JSON file" in result.output
    assert rule_count() == 0


def test_show_prints_each_rule_with_dates_source_and_duty_rates(runner):
    runner.invoke(args=["markets", "load"])
    result = runner.invoke(args=["markets", "show", "us"])
    assert result.exit_code == 0, result.output
    assert "US  2016-03-10 – 2025-05-01  United States — de minimis USD 800" in result.output
    assert "US  2025-05-02 – 2025-08-28  United States — de minimis USD 800, none for " \
        "products of China and Hong Kong" in result.output
    assert "US  2025-08-29 – open-ended  (in force today)" in result.output
    assert "no duty up to 800.00 USD; default duty 5 %; VAT/GST 0 %; paid at checkout (DDP)" \
        in result.output
    assert "HS 61: 16.5 % Knitted apparel" in result.output
    assert "source: Executive Order 14324" in result.output
    gb = runner.invoke(args=["markets", "show", "GB"])
    assert "paid at checkout up to 135.00 GBP, on delivery above" in gb.output


def test_show_an_unknown_country_exits_non_zero(runner):
    result = runner.invoke(args=["markets", "show", "ZZ"])
    assert result.exit_code == 1
    assert "No market rules for ZZ." in result.output


# Demo seed ----------------------------------------------------------------------------------
def test_demo_seed_redates_stale_rates_as_labelled_demo_rates(app, max_age):
    max_age(1)  # the shipped snapshot (2026-11-27) is older than this
    lines = seed_rates_and_rules()
    assert any("recorded again as demo rates" in line for line in lines)
    demo = db.session.scalar(select(FxSnapshot).where(FxSnapshot.source == "demo"))
    assert utcnow() - demo.as_of < timedelta(minutes=1)
    assert "Demo rates: the ECB reference rates of 2026-11-27" in demo.note
    for currency in SUPPORTED_CURRENCIES:
        assert fx.lock_rate("USD", currency).source in {"demo", "identity"}
    assert fx.lock_rate("EUR", "JPY").mid_rate == Decimal("162.43")
    seed_rates_and_rules()  # a second seed while they are fresh adds nothing
    assert snapshot_count() == 2


def test_demo_seed_keeps_fresh_rates_and_loads_rules_once(app, max_age):
    max_age(24 * 365 * 10)
    seed_rates_and_rules()
    seed_rates_and_rules()
    assert [s.source for s in db.session.scalars(select(FxSnapshot))] == ["ecb"]
    assert rule_count() == len(RULES["rules"])


def test_flask_demo_seed_makes_checkout_rates_and_rules_available(runner, max_age):
    max_age(1)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Market rules:" in result.output and "Exchange rates:" in result.output
    assert fx.lock_rate("CNY", "USD").source == "demo"
    assert db.session.scalar(select(func.count()).select_from(MarketRule).where(
        MarketRule.country == "US")) == 3
