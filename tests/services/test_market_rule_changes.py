"""Each dated rule change of the shipped rule book, with a worked example from its source.

The old version stays in force for its dates, so quotes made before a change still
explain themselves; every duty or tax line names its rule and source.
"""

import json
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MarketRule, RegionTax
from app.money import Money
from app.services.errors import ValidationFailed
from app.services.markets.landed_cost import (
    RULES_FILE,
    DutiableLine,
    assess,
    rule_for,
)
from app.services.markets.rule_fields import CONFIDENCE
from app.services.markets.rules import load_market_rules_file
from tests.market_rule_factories import rule_entry

pytest_plugins = ["tests.market_rule_factories"]


def parcel(dest, lines, shipping, on, *, ship_from="CN", region=""):
    currency = shipping.currency
    return assess(origin_country=ship_from, destination_country=dest,
                  lines=[DutiableLine(hs, Money(minor, currency), origin)
                         for hs, minor, origin in lines],
                  shipping=shipping, on=on, region=region)


def test_eu_flat_duty_of_eur_3_per_tariff_subheading_from_july_2026(rules):
    # The Council's example: 1 silk blouse and 2 wool blouses are two subheadings: EUR 6.
    blouses = [("620610", 4000, None), ("620620", 6000, None)]
    before = parcel("DE", blouses, Money(500, "EUR"), date(2026, 6, 30))
    assert before.duties == Money(0, "EUR")
    assert before.taxes == Money(1995, "EUR")  # 19 % of 105.00
    after = parcel("DE", blouses, Money(500, "EUR"), date(2026, 7, 1))
    assert after.duties == Money(600, "EUR")
    assert after.taxes == Money(2109, "EUR")  # 19 % of (100 + 5 + 6)
    assert after.collected_at_checkout
    assert rule_for("DE", date(2026, 6, 30)).effective_to == date(2026, 6, 30)
    duty = next(c for c in after.charges if c.kind == "duty")
    assert "3.00 EUR × 2" in duty.label and duty.source_url.startswith("https://")
    # Two of the same subheading pay once; above EUR 150 the tariff rates apply instead.
    same = parcel("FR", [("610910", 2000, None), ("610910", 3000, None)], Money(0, "EUR"),
                  date(2026, 7, 1))
    assert same.duties == Money(300, "EUR")
    big = parcel("FR", [("610910", 20000, None)], Money(0, "EUR"), date(2026, 7, 1))
    assert big.duties == Money(2400, "EUR") and not big.collected_at_checkout


@pytest.mark.parametrize(("country", "last_old_day", "first_new_day", "old", "new"), [
    ("EE", date(2025, 6, 30), date(2025, 7, 1), 2200, 2400),
    ("EE", date(2023, 12, 31), date(2024, 1, 1), 2000, 2200),
    ("FI", date(2024, 8, 31), date(2024, 9, 1), 2400, 2550),
    ("SK", date(2024, 12, 31), date(2025, 1, 1), 2000, 2300),
    ("RO", date(2025, 7, 31), date(2025, 8, 1), 1900, 2100),
    # Luxembourg's temporary cut: 16 % for 2023 only, 17 % before and after.
    ("LU", date(2022, 12, 31), date(2023, 1, 1), 1700, 1600),
    ("LU", date(2023, 12, 31), date(2024, 1, 1), 1600, 1700),
])
def test_eu_standard_vat_rate_changes(rules, country, last_old_day, first_new_day, old, new):
    # EUR 100 of goods, no shipping, under EUR 150: VAT only.
    goods = [("610910", 10000, None)]
    assert parcel(country, goods, Money(0, "EUR"), last_old_day).taxes == Money(old, "EUR")
    assert parcel(country, goods, Money(0, "EUR"), first_new_day).taxes == Money(new, "EUR")


def test_finland_25_5_percent_is_checked_against_the_tax_administration(rules):
    # vero.fi: goods delivered on or before 2024-08-31 take 24 %, from 2024-09-01 25.5 %.
    goods = [("610910", 10000, None)]
    assert parcel("FI", goods, Money(0, "EUR"), date(2024, 8, 31)).taxes == Money(2400, "EUR")
    after = parcel("FI", goods, Money(0, "EUR"), date(2024, 9, 1))
    assert after.taxes == Money(2550, "EUR")
    assert after.source_url.startswith("https://www.vero.fi/")


def test_us_de_minimis_suspended_for_all_countries_from_2025_08_29(rules):
    # A USD 100 cotton T-shirt made in Vietnam: duty-free under USD 800 until 2025-08-28,
    # 16.5 % after.
    shirt = [("610910", 10000, "VN")]
    assert parcel("US", shirt, Money(0, "USD"), date(2025, 8, 28)).duties == Money(0, "USD")
    after = parcel("US", shirt, Money(0, "USD"), date(2025, 8, 29))
    assert after.duties == Money(1650, "USD")
    assert "14324" in after.source_url or "2025-14897" in after.source_url


def test_us_de_minimis_ends_for_products_of_china_and_hong_kong_from_2025_05_02(rules):
    # Executive Order 14256: a USD 100 cotton T-shirt made in China or Hong Kong pays 16.5 %
    # from 2025-05-02; the same shirt made in Vietnam stays duty-free under USD 800.
    before = parcel("US", [("610910", 10000, "CN")], Money(0, "USD"), date(2025, 5, 1))
    assert before.duties == Money(0, "USD")
    for origin in ("CN", "HK"):
        after = parcel("US", [("610910", 10000, origin)], Money(0, "USD"), date(2025, 5, 2))
        assert after.duties == Money(1650, "USD"), origin
    assert after.source_url.startswith("https://govinfo.gov/")
    vietnam = parcel("US", [("610910", 10000, "VN")], Money(0, "USD"), date(2025, 5, 2))
    assert vietnam.duties == Money(0, "USD")
    # Shipped from China without a recorded origin: the store's country stands for it.
    assert parcel("US", [("610910", 10000, None)], Money(0, "USD"),
                  date(2025, 6, 1)).duties == Money(1650, "USD")


def test_singapore_gst_8_to_9_percent_at_checkout_up_to_sgd_400(rules):
    goods = [("330499", 10000, None)]
    assert parcel("SG", goods, Money(1000, "SGD"), date(2023, 12, 31)).taxes == \
        Money(880, "SGD")
    now = parcel("SG", goods, Money(1000, "SGD"), date(2024, 1, 1))
    assert now.taxes == Money(990, "SGD") and now.collected_at_checkout
    big = parcel("SG", [("330499", 50000, None)], Money(0, "SGD"), date(2024, 1, 1))
    assert big.taxes == Money(4500, "SGD") and not big.collected_at_checkout


def test_australia_gst_on_the_whole_price_up_to_aud_1000_as_the_ato_example(rules):
    # The ATO's example: jeans of AUD 300 plus AUD 50 shipping pay GST on AUD 350.
    jeans = parcel("AU", [("620342", 30000, None)], Money(5000, "AUD"), date(2026, 12, 7))
    assert jeans.duties == Money(0, "AUD")
    assert jeans.taxes == Money(3500, "AUD") and jeans.collected_at_checkout
    assert jeans.source_url.startswith("https://www.ato.gov.au/")
    # Above AUD 1,000 duty and GST are collected at the border.
    dear = parcel("AU", [("620342", 120000, None)], Money(0, "AUD"), date(2026, 12, 7))
    assert dear.duties == Money(6000, "AUD") and not dear.collected_at_checkout


def test_uk_vat_at_the_point_of_sale_on_consignments_up_to_gbp_135(rules):
    # gov.uk: the consignment's value is its goods' values added up, without shipping.
    on = date(2026, 12, 7)
    small = parcel("GB", [("610910", 8000, None), ("610910", 5000, None)], Money(1000, "GBP"),
                   on)
    assert small.duties == Money(0, "GBP")
    assert small.taxes == Money(2800, "GBP") and small.collected_at_checkout  # 20 % of 140
    large = parcel("GB", [("610910", 8000, None), ("610910", 6000, None)], Money(1000, "GBP"),
                   on)
    assert large.duties == Money(1680, "GBP") and not large.collected_at_checkout  # 12 %
    assert small.source_url.startswith("https://gov.uk/guidance/")


def test_british_columbia_pst_collected_at_import_from_2023_07_01(rules):
    # From 2023-07-01 a marketplace no longer collects PST on goods sent from outside
    # Canada; CBSA does, so a CAD 15 parcel under the CAD 20 de minimis pays none.
    cheap = [("610910", 1500, None)]
    before = parcel("CA", cheap, Money(0, "CAD"), date(2023, 6, 30), region="BC")
    assert before.taxes == Money(105, "CAD")  # 7 % collected by the marketplace
    after = parcel("CA", cheap, Money(0, "CAD"), date(2023, 7, 1), region="BC")
    assert after.total == Money(0, "CAD")
    shirt = parcel("CA", [("610910", 10000, None)], Money(0, "CAD"), date(2023, 7, 1),
                   region="BC")
    regional = next(c for c in shirt.charges if c.kind == "region_tax")
    assert regional.amount == Money(826, "CAD")  # 7 % of 100 + 18 duty, with the GST
    assert not shirt.collected_at_checkout


def test_nova_scotia_hst_cut_from_15_to_14_percent_on_2025_04_01(rules):
    # CAD 100 T-shirt made in CN: 18 % duty, 5 % GST and the provincial part on 118.00.
    shirt = [("610910", 10000, None)]
    before = parcel("CA", shirt, Money(1000, "CAD"), date(2025, 3, 31), region="NS")
    after = parcel("CA", shirt, Money(1000, "CAD"), date(2025, 4, 1), region="NS")
    assert before.duties == after.duties == Money(1800, "CAD")
    assert before.taxes == Money(590 + 1180, "CAD")
    assert after.taxes == Money(590 + 1062, "CAD")
    regional = next(c for c in after.charges if c.kind == "region_tax")
    assert regional.rule == "Nova Scotia HST (provincial part)" and regional.source
    # Alberta has no provincial sales tax: GST only.
    alberta = parcel("CA", shirt, Money(1000, "CAD"), date(2025, 4, 1), region="AB")
    assert alberta.taxes == Money(590, "CAD")


def test_usmca_origin_goods_enter_the_us_duty_free_whoever_ships_them(rules):
    on = date(2026, 12, 1)
    result = parcel("US", [("610910", 10000, "MX"), ("610910", 10000, "CN")],
                    Money(0, "USD"), on, ship_from="CN")
    assert result.duties == Money(1650, "USD")  # only the CN-made line pays 16.5 %
    treatments = [t.treatment for t in result.lines]
    assert treatments[0].startswith("USMCA") and treatments[1].startswith("HS 61")


def test_hong_kong_charges_nothing(rules):
    result = parcel("HK", [("610910", 100000, None)], Money(5000, "HKD"), date(2026, 12, 1))
    assert result.total == Money(0, "HKD") and result.rule_name.startswith("Hong Kong")


def test_us_state_tax_a_marketplace_collects(rules):
    on = date(2026, 12, 1)
    ny = parcel("US", [("330499", 10000, None)], Money(1000, "USD"), on, region="NY")
    assert ny.taxes == Money(440, "USD")  # 4 % of goods and shipping
    ca = parcel("US", [("330499", 10000, None)], Money(1000, "USD"), on, region="CA")
    assert ca.taxes == Money(725, "USD")  # 7.25 % of goods only
    assert all(c.rule and c.source for c in ny.charges)
    # CDTFA: marketplace facilitators collect California's tax from 2019-10-01.
    regional = next(c for c in ca.charges if c.kind == "region_tax")
    assert regional.source_url.startswith("https://www.cdtfa.ca.gov/")
    assert parcel("US", [("330499", 10000, None)], Money(1000, "USD"), date(2019, 9, 30),
                  region="CA").taxes == Money(0, "USD")


# Bad input ------------------------------------------------------------------------------------
def _region(**changes):
    base = {"country": "US", "region": "OR", "name": "Oregon", "effective_from": "2026-01-01",
            "effective_to": None, "rate": "0.01", "includes_shipping": False,
            "collected_by": "marketplace", "source": "Test", "source_url": "",
            "verified_on": None, "notes": ""}
    return {**base, **changes}


@pytest.mark.parametrize(("document", "field"), [
    ({"rules": [rule_entry(), rule_entry(effective_from="2026-06-01")]}, "effective_from"),
    ({"rules": [rule_entry(vat_rate="1.5")]}, "vat_rate"),
    ({"rules": [rule_entry(currency="XYZ", duty_free_threshold="150")]}, "currency"),
    ({"rules": [rule_entry(duty_rates=[{"hs_prefix": "61a", "rate": "0.1",
                                     "description": ""}])]}, "duty_rates.0.hs_prefix"),
    ({"rules": [], "region_taxes": [_region(region="ZZ")]}, "region"),
    ({"rules": [], "region_taxes": [_region(rate="-0.01")]}, "rate"),
    ({"rules": [], "region_taxes": [_region(), _region(effective_from="2026-03-01")]},
     "effective_from"),
    ({"rules": [rule_entry(preferences=[{"name": "X", "origins": ["QQ"], "duty_rate": "0",
                                     "source": "x"}])]}, "preferences.0.origins"),
    ({"rules": [rule_entry(confidence="sure")]}, "confidence"),
    ({"rules": [rule_entry(confidence="official", source_url="")]}, "confidence"),
    ({"rules": [], "region_taxes": [_region(confidence="probably")]}, "confidence"),
])
def test_bad_rules_are_refused_with_the_field_named_and_nothing_written(
        app, tmp_path, document, field):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValidationFailed) as excinfo:
        load_market_rules_file(path)
    text = json.dumps(excinfo.value.fields)
    assert field in text
    assert db.session.query(MarketRule).count() == 0
    assert db.session.query(RegionTax).count() == 0


# Coverage ---------------------------------------------------------------------------------------
pytest_plugins = ["tests.checkout_factories"]


def test_markets_check_reports_each_destination_a_store_sells_to(app, rules, runner,
                                                                  make_checkout_shop):
    make_checkout_shop("USD", "US", sells_to=["DE", "BR", "KR"], hs_code="851712")
    result = runner.invoke(args=["markets", "check", "--on", "2026-12-01"])
    assert result.exit_code == 1  # Brazil has no rule
    lines = result.output.splitlines()
    assert any(line.startswith("BR  MISSING") for line in lines)
    de = next(i for i, line in enumerate(lines) if line.startswith("DE  "))
    assert "EUR 3 duty per item" in lines[de] and "source checked: 2026-12-06" in lines[de]
    assert any("default duty rate for HS 851712" in line for line in lines[de:de + 3])
    assert any(line.startswith("KR  ") for line in lines)


def test_the_rules_file_loads_once_with_its_regional_taxes(app):
    first = load_market_rules_file()
    assert first.added == db.session.query(MarketRule).count() + \
        db.session.query(RegionTax).count()
    again = load_market_rules_file()
    assert again.added == again.updated == 0


def test_markets_show_lists_preferences_and_regional_taxes(app, rules, runner):
    output = runner.invoke(args=["markets", "show", "CA"]).output
    assert "shipped from MX, US: CUSMA courier thresholds" in output
    assert "CA-NS  2025-04-01 – open-ended  Nova Scotia HST (provincial part) 9 %" in output
    assert "official page: https://cbsa-asfc.gc.ca" in output


def test_rules_checked_against_an_official_page_name_it_and_the_day(rules):
    on = date(2026, 12, 7)
    hong_kong, japan = rule_for("HK", on), rule_for("JP", on)
    assert hong_kong.source_url.startswith("https://www.customs.gov.hk/")
    assert japan.source_url.startswith("https://www.customs.go.jp/")
    assert hong_kong.verified_on == japan.verified_on == on
    # Japan Customs' FAQ 1006: a parcel of JPY 10,000 or less pays neither duty nor tax.
    at_limit = parcel("JP", [("610910", 10000, None)], Money(0, "JPY"), on)
    above = parcel("JP", [("610910", 10001, None)], Money(0, "JPY"), on)
    assert at_limit.total == Money(0, "JPY") and above.total > Money(0, "JPY")
    nova_scotia = db.session.scalar(select(RegionTax).where(
        RegionTax.region == "NS", RegionTax.effective_from == date(2025, 4, 1)))
    assert nova_scotia.source_url.startswith("https://gazette.gc.ca/")
    assert nova_scotia.verified_on == on
    for country, host in (("GB", "https://gov.uk/"), ("AU", "https://www.ato.gov.au/"),
                          ("KR", "https://customs.go.kr/"),
                          ("SG", "https://www.iras.gov.sg/"), ("CA", "https://cbsa-asfc.gc.ca/"),
                          ("FI", "https://mano.muitine.lt/"),
                          ("CN", "https://chinalawandpractice.com/")):
        rule = rule_for(country, on)
        assert rule.source_url.startswith(host) and rule.verified_on == on, country
    # France's 20 %: article 278 of the tax code; from July 2026 the EUR 3 rule names customs.
    france = rule_for("FR", date(2026, 6, 30))
    assert france.source_url.startswith("https://www.doctrine.fr/") and france.verified_on == on
    assert "article 278" in rule_for("FR", on).notes and rule_for("FR", on).verified_on == on
    # Italy's 22 %: article 16 of DPR 633/1972 on Normattiva.
    italy = rule_for("IT", date(2026, 6, 30))
    assert italy.source_url.startswith("https://www.normattiva.it/") and italy.verified_on == on
    assert "Normattiva" in rule_for("IT", on).notes
    # Sweden's 25 %: the Swedish Tax Agency's legal guidance.
    sweden = rule_for("SE", date(2026, 6, 30))
    assert sweden.source_url.startswith("https://www4.skatteverket.se/")
    assert sweden.verified_on == rule_for("SE", on).verified_on == on
    # Austria's 20 % and Spain's 21 %: the finance ministry's portal, the Tax Agency's manual.
    for country, host in (("AT", "https://www.usp.gv.at/"),
                          ("ES", "https://sede.agenciatributaria.gob.es/")):
        before_july = rule_for(country, date(2026, 6, 30))
        assert before_july.source_url.startswith(host), country
        assert before_july.verified_on == rule_for(country, on).verified_on == on, country
    # Estonia's 20 % and 22 %: the amending act of 2023 in Riigi Teataja.
    for day in (date(2023, 12, 31), date(2024, 1, 1)):
        estonia = rule_for("EE", day)
        assert estonia.source_url.startswith("https://www.riigiteataja.ee/"), day
        assert estonia.verified_on == on
    # The USD 800 de minimis of 2016-2025: CBP's rule in the Federal Register.
    us_2020 = rule_for("US", date(2020, 1, 1))
    assert us_2020.source_url.startswith("https://www.gpo.gov/") and us_2020.verified_on == on


def test_every_entry_of_the_rule_book_says_how_sure_it_is():
    document = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    entries = document["rules"] + document["region_taxes"]
    assert all(entry["confidence"] in CONFIDENCE for entry in entries)
    official = [e for e in entries if e["confidence"] == "official"]
    assert all(e["source_url"].startswith("https://") and e["verified_on"] for e in official)
    # Pages read on 2026-12-07 against official sources.
    checked = {(e["country"], e["effective_from"]) for e in official
               if e["verified_on"] == "2026-12-07" and "region" not in e}
    assert {("GB", "2021-01-01"), ("AU", "2018-07-01"), ("SG", "2024-01-01"),
            ("CA", "2020-07-01"), ("FI", "2024-09-01"), ("US", "2016-03-10"),
            ("US", "2025-05-02"), ("CN", "2019-04-01")} <= checked
