"""The admin market-rule pages: access, list, edits with duty rates, new versions, validation."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import MarketRule
from app.services.markets.landed_cost import load_market_rules, rule_for
from app.services.markets.rules import rule_form_data
from tests.conftest import csrf_from

TODAY = date.today()
PREFERENCE_FIELDS = ("name", "origins", "shipped_from", "duty_rate", "duty_free_threshold",
                     "tax_free_threshold", "source")


def text_of(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def rule_of(country: str, *, current: bool = True) -> MarketRule:
    rules = db.session.scalars(select(MarketRule).where(MarketRule.country == country)
                               .order_by(MarketRule.effective_from)).all()
    return rules[-1] if current else rules[0]


def fresh(rule: MarketRule) -> MarketRule:
    db.session.expire_all()
    return db.session.get(MarketRule, rule.id)


def form_fields(data: dict, blank_rows: int = 1) -> dict:
    """The POST body a browser sends for this data (WTForms names, unticked boxes left out)."""
    body = {key: value for key, value in data.items()
            if key not in ("duty_rates", "preferences") and not isinstance(value, bool)}
    body.update({key: "y" for key, value in data.items() if value is True})
    rows = [*data.get("duty_rates", []), *[{}] * blank_rows]
    for index, row in enumerate(rows):
        for name in ("hs_prefix", "rate", "description"):
            body[f"duty_rates-{index}-{name}"] = row.get(name, "")
        if row.get("remove"):
            body[f"duty_rates-{index}-remove"] = "y"
    for index, row in enumerate([*data.get("preferences", []), {}]):
        for name in PREFERENCE_FIELDS:
            value = row.get(name)
            body[f"preferences-{index}-{name}"] = (
                ", ".join(value) if isinstance(value, list) else value or "")
        if row.get("remove"):
            body[f"preferences-{index}-remove"] = "y"
    return body


@pytest.fixture
def rules(app):
    load_market_rules()
    db.session.commit()


@pytest.fixture
def admin_client(app, make_user, login):
    admin = make_user("rules-admin@example.com", roles=("admin",))
    browser = app.test_client()
    login(admin, target=browser)
    return browser


def post(browser, url: str, data: dict):
    token = csrf_from(browser.get("/admin/markets/new").get_data(as_text=True))
    return browser.post(url, data={**form_fields(data), "csrf_token": token})


def rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(MarketRule))


# Access -----------------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_log_in(client, rules):
    for url in ["/admin/markets", f"/admin/markets/{rule_of('US').id}"]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [(), ("moderator",)])
def test_non_admins_get_403_and_change_nothing(app, make_user, login, rules, roles):
    browser = app.test_client()
    login(make_user(roles=roles), target=browser)
    rule = rule_of("GB")
    for url in ["/admin/markets", "/admin/markets/new", f"/admin/markets/{rule.id}",
                f"/admin/markets/{rule.id}/new-version"]:
        assert browser.get(url).status_code == 403, url
    token = csrf_from(browser.get("/orgs/").get_data(as_text=True))
    data = {**form_fields({**rule_form_data(rule), "vat_rate": "5"}), "csrf_token": token}
    assert browser.post(f"/admin/markets/{rule.id}", data=data).status_code == 403
    assert fresh(rule).vat_rate == Decimal("0.20")


def test_a_missing_rule_is_404(admin_client):
    assert admin_client.get("/admin/markets/999999").status_code == 404


# List ---------------------------------------------------------------------------------------------
def test_the_list_shows_dates_sources_and_what_is_in_force(admin_client, rules):
    page = text_of(admin_client.get("/admin/markets?country=us"))
    assert "3 rules" in page
    old, current = rule_of("US", current=False), rule_of("US")
    old_row = re.search(rf'<tr data-rule="{old.id}".*?</tr>', page, re.S).group(0)
    new_row = re.search(rf'<tr data-rule="{current.id}".*?</tr>', page, re.S).group(0)
    assert "2016-03-10 – 2025-05-01" in old_row and "in force today" not in old_row
    assert "2025-08-29 – open-ended" in new_row and "in force today" in new_row
    assert "Executive Order 14324" in new_row and "800.00 USD" in old_row
    gb_page = text_of(admin_client.get("/admin/markets?country=GB"))
    assert "At checkout up to 135.00 GBP, on delivery above" in gb_page
    assert "20 %" in gb_page


# Editing ----------------------------------------------------------------------------------------
def test_editing_a_rule_changes_rates_thresholds_and_duty_rates(admin_client, rules):
    rule = rule_of("GB")
    data = rule_form_data(rule)
    duty = {d["hs_prefix"]: d for d in data["duty_rates"]}
    duty["61"]["rate"] = "10.5"  # edit
    duty["64"]["remove"] = True  # remove
    data.update(vat_rate="17.5", duty_free_threshold="150", collection="ddu",
                checkout_collection_limit="", tax_includes_duty=False,
                source="HMRC notice 143, checked 2026-11", duty_rates=[
                    *duty.values(), {"hs_prefix": "8517.12", "rate": "0",
                                     "description": "Phones"}])
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 303, text_of(response)[:2000]
    assert "Saved “United Kingdom" in text_of(admin_client.get(response.headers["Location"]))
    saved = fresh(rule)
    assert saved.vat_rate == Decimal("0.175")
    assert saved.duty_free_threshold_minor == 15000
    assert saved.checkout_collection_limit_minor == 0  # DDU
    assert saved.tax_includes_duty is False and saved.tax_includes_shipping is True
    assert saved.source == "HMRC notice 143, checked 2026-11"
    rates = {d.hs_prefix: d.rate for d in saved.duty_rates}
    assert rates["61"] == Decimal("0.105") and "64" not in rates
    assert rates["851712"] == Decimal("0")
    assert rule_for("GB", TODAY).vat_rate == Decimal("0.175")


def test_the_edit_form_shows_percentages_and_amounts_as_entered(admin_client, rules):
    page = text_of(admin_client.get(f"/admin/markets/{rule_of('US').id}"))
    assert re.search(r'name="vat_rate"[^>]* value="0"', page)
    assert 'value="16.5"' in page  # knitted apparel, stored as 0.165
    assert re.search(r'name="duty_free_threshold"[^>]* value="0.00"', page)


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"vat_rate": "120"}, "vat_rate", "120 % is outside 0 to 100 %."),
    ({"default_duty_rate": "-1"}, "default_duty_rate", "-1 % is outside 0 to 100 %."),
    ({"vat_rate": "twenty"}, "vat_rate", "Enter a percentage from 0 to 100"),
    ({"currency": "EURO"}, "currency", "Unknown currency 'EURO'"),
    ({"country": "XX"}, "country", "'XX' is not a country code"),
    ({"duty_free_threshold": ""}, "duty_free_threshold", "Enter an amount"),
    ({"duty_free_threshold": "-5"}, "duty_free_threshold", "Must not be negative."),
    ({"duty_free_threshold": "1.234"}, "duty_free_threshold", "at most 2 decimals"),
    ({"collection": "limit", "checkout_collection_limit": ""}, "checkout_collection_limit",
     "Enter an amount"),
    ({"max_consignment": "0"}, "max_consignment", "Must be more than 0."),
    ({"effective_from": "2021-13-01"}, "effective_from", "is not a date"),
    ({"effective_to": "2020-12-31"}, "effective_to",
     "The end date must not be before the start date."),
    ({"source": " "}, "source", "Say where the rule comes from"),
    ({"name": ""}, "name", "Give the rule a name"),
])
def test_bad_values_say_what_to_fix_and_write_nothing(admin_client, rules, change, field,
                                                      message):
    rule = rule_of("GB")
    data = {**rule_form_data(rule), "notes": "should not be saved", **change}
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved" in page
    block = next(b for b in page.split('<div class="field')[1:] if f'name="{field}"' in b)
    assert block.startswith(' has-error"')
    assert re.search(rf'<p class="error" role="alert">[^<]*{re.escape(message)}', block), block
    assert fresh(rule).notes != "should not be saved"


@pytest.mark.parametrize(("row", "message"), [
    ({"hs_prefix": "9", "rate": "5"}, "An HS prefix is 2 to 10 digits"),
    ({"hs_prefix": "12345678901", "rate": "5"}, "An HS prefix is 2 to 10 digits"),
    ({"hs_prefix": "61a", "rate": "5"}, "An HS prefix is 2 to 10 digits"),
    ({"hs_prefix": "0902", "rate": "5"}, "0902 is listed twice."),
    ({"hs_prefix": "8517", "rate": "101"}, "101 % is outside 0 to 100 %."),
    ({"hs_prefix": "", "rate": "5"}, "An HS prefix is 2 to 10 digits"),
    ({"hs_prefix": "", "rate": "", "description": "Toys"}, "An HS prefix is 2 to 10 digits"),
    ({"hs_prefix": "8517", "rate": ""}, "Enter a percentage from 0 to 100"),
    ({"hs_prefix": "8517", "rate": "5", "description": "x" * 201}, "Up to 200 characters."),
])
def test_a_bad_duty_rate_row_is_marked_and_nothing_is_saved(admin_client, rules, row,
                                                            message):
    rule = rule_of("GB")
    data = rule_form_data(rule)
    data.update(vat_rate="5", duty_rates=[*data["duty_rates"], row])
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 422
    page = text_of(response)
    bad_row = re.findall(r'<tr data-testid="duty-row"[^>]*>.*?</tr>', page, re.S)[
        len(data["duty_rates"]) - 1]
    assert 'class="row-error"' in bad_row and message in bad_row
    saved = fresh(rule)
    assert saved.vat_rate == Decimal("0.20") and len(saved.duty_rates) == 8


def test_dates_may_not_overlap_another_rule_of_the_country(admin_client, rules):
    old = rule_of("US", current=False)
    data = {**rule_form_data(old), "effective_to": "2025-06-30"}
    response = post(admin_client, f"/admin/markets/{old.id}", data)
    assert response.status_code == 422
    assert "The dates overlap “United States — de minimis USD 800, none for products of China " \
           "and Hong Kong” (2025-05-02 – 2025-08-28)" in text_of(response)
    assert fresh(old).effective_to == date(2025, 5, 1)


# New rules and versions ------------------------------------------------------------------------
def test_a_new_rule_for_a_new_destination(admin_client, rules):
    response = post(admin_client, "/admin/markets/new", {
        "country": "nz", "name": "New Zealand — GST on low-value imports", "currency": "NZD",
        "effective_from": "2019-12-01", "duty_free_threshold": "1000",
        "default_duty_rate": "5", "vat_rate": "15", "tax_includes_shipping": True,
        "collection": "limit", "checkout_collection_limit": "1000",
        "source": "Taxation (Annual Rates 2018-19, Modernising Tax Administration) Act 2019",
        "duty_rates": [{"hs_prefix": "64", "rate": "10", "description": "Footwear"}]})
    assert response.status_code == 303, text_of(response)[:2000]
    rule = rule_for("NZ", TODAY)
    assert rule.vat_rate == Decimal("0.15") and rule.checkout_collection_limit_minor == 100000
    assert rule.tax_includes_duty is False and rule.effective_to is None
    assert [(d.hs_prefix, d.rate) for d in rule.duty_rates] == [("64", Decimal("0.10"))]
    assert "New Zealand — GST" in text_of(admin_client.get("/admin/markets?country=NZ"))


def test_a_new_rule_may_not_overlap_the_country_s_rules(admin_client, rules):
    count = rule_count()
    response = post(admin_client, "/admin/markets/new", {
        **rule_form_data(rule_of("GB")), "effective_from": "2026-01-01", "duty_rates": []})
    assert response.status_code == 422
    assert "The dates overlap “United Kingdom — GBP 135 low-value consignments”" \
        in text_of(response)
    assert rule_count() == count


def test_a_new_version_ends_the_one_it_replaces(admin_client, rules):
    current = rule_of("US")
    page = text_of(admin_client.get(f"/admin/markets/{current.id}/new-version"))
    assert "New version of “United States — de minimis suspended”" in page
    assert re.search(r'<input id="effective_from" name="effective_from"[^>]* value=""', page)
    data = {**rule_form_data(current), "name": "United States — de minimis restored",
            "effective_from": "2027-01-01", "duty_free_threshold": "200"}
    response = post(admin_client, f"/admin/markets/{current.id}/new-version", data)
    assert response.status_code == 303, text_of(response)[:2000]
    assert fresh(current).effective_to == date(2026, 12, 31)
    assert rule_for("US", date(2027, 2, 1)).duty_free_threshold_minor == 20000
    assert rule_for("US", date(2026, 12, 31)).id == current.id
    assert len(rule_for("US", date(2027, 2, 1)).duty_rates) == 8
    listing = text_of(admin_client.get("/admin/markets?country=US"))
    assert "2025-08-29 – 2026-12-31" in listing and "2027-01-01 – open-ended" in listing


def test_a_new_version_keeps_the_preferences_the_form_shows(admin_client, rules):
    current = rule_of("CA")
    data = {**rule_form_data(current), "effective_from": "2027-01-01"}
    response = post(admin_client, f"/admin/markets/{current.id}/new-version", data)
    assert response.status_code == 303, text_of(response)[:2000]
    assert rule_for("CA", date(2027, 2, 1)).preferences == current.preferences


def test_a_new_version_must_start_after_the_one_it_replaces(admin_client, rules):
    current = rule_of("US")
    count = rule_count()
    data = {**rule_form_data(current), "effective_from": "2025-01-01"}
    response = post(admin_client, f"/admin/markets/{current.id}/new-version", data)
    assert response.status_code == 422
    assert "A new version must start after 2025-08-29" in text_of(response)
    assert rule_count() == count and fresh(current).effective_to is None


def test_a_new_version_keeps_the_country(admin_client, rules):
    current = rule_of("US")
    data = {**rule_form_data(current), "country": "CA", "effective_from": "2027-01-01"}
    response = post(admin_client, f"/admin/markets/{current.id}/new-version", data)
    assert response.status_code == 422
    assert "A new version keeps the country US." in text_of(response)
    assert fresh(current).effective_to is None


def test_posting_without_the_csrf_token_is_refused(admin_client, rules):
    rule = rule_of("GB")
    response = admin_client.post(f"/admin/markets/{rule.id}",
                                 data=form_fields({**rule_form_data(rule), "vat_rate": "1"}))
    assert response.status_code == 400
    assert "The form expired" in text_of(response)
    assert fresh(rule).vat_rate == Decimal("0.20")


def test_the_markets_page_shows_coverage_of_what_stores_sell(admin_client, rules, make_org):
    store = make_org("merchant", name="Coverage store").store
    store.sells_to = ["DE", "BR"]
    db.session.commit()
    html = admin_client.get("/admin/markets").get_data(as_text=True)
    assert 'data-testid="market-coverage"' in html
    assert 'data-testid="missing-rule"' in html  # BR
    assert "EUR 3 duty per item" in html


def test_editing_keeps_preferences_and_records_the_checked_source(admin_client, rules):
    rule = rule_of("CA")
    assert rule.preferences  # CUSMA, from the rules file
    data = {**rule_form_data(rule), "vat_rate": "5", "source_url": "https://example.gov/ca",
            "source_title": "CBSA notice", "verified_on": "2026-12-01"}
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 303, text_of(response)[:2000]
    saved = fresh(rule)
    assert [p["name"] for p in saved.preferences] == [p["name"] for p in rule.preferences]
    assert saved.source_url == "https://example.gov/ca"
    assert saved.verified_on == date(2026, 12, 1)
    bad = post(admin_client, f"/admin/markets/{rule.id}",
               {**data, "source_url": "not a url", "low_value_item_duty": "-3"})
    assert bad.status_code == 422
    assert fresh(rule).source_url == "https://example.gov/ca"


def test_the_eu_rule_form_shows_its_flat_duty(admin_client, rules):
    rule = rule_of("DE")
    html = text_of(admin_client.get(f"/admin/markets/{rule.id}"))
    assert 'value="3.00"' in html and "mano.muitine.lt" in html


def test_a_countrys_page_lists_its_regional_taxes(admin_client, rules):
    html = text_of(admin_client.get("/admin/markets?country=CA"))
    assert 'data-testid="region-taxes"' in html
    assert "Nova Scotia HST (provincial part)" in html and "2025-04-01" in html
    germany = text_of(admin_client.get("/admin/markets?country=DE"))
    assert 'data-testid="region-taxes"' not in germany


def test_the_form_edits_where_a_preference_ships_from_and_the_per_item_limit(admin_client,
                                                                             rules):
    canada = rule_of("CA")
    page = text_of(admin_client.get(f"/admin/markets/{canada.id}"))
    courier = next(p for p in canada.preferences if p["shipped_from"])
    assert re.search(r'name="preferences-\d+-shipped_from"[^>]* value="MX, US"', page)
    data = rule_form_data(canada)
    index = next(i for i, p in enumerate(data["preferences"]) if p["name"] == courier["name"])
    data["preferences"][index] = {**data["preferences"][index], "shipped_from": ["US"],
                                  "duty_free_threshold": "160"}
    response = post(admin_client, f"/admin/markets/{canada.id}", data)
    assert response.status_code == 303, text_of(response)[:2000]
    saved = next(p for p in fresh(canada).preferences if p["name"] == courier["name"])
    assert saved["shipped_from"] == ["US"] and saved["duty_free_threshold"] == 16000
    assert len(fresh(canada).preferences) == len(data["preferences"])

    singapore = rule_of("SG")
    assert singapore.checkout_limit_per_item
    page = text_of(admin_client.get(f"/admin/markets/{singapore.id}"))
    assert '<input checked id="checkout_limit_per_item"' in page
    response = post(admin_client, f"/admin/markets/{singapore.id}",
                    {**rule_form_data(singapore), "checkout_limit_per_item": False})
    assert response.status_code == 303, text_of(response)[:2000]
    assert fresh(singapore).checkout_limit_per_item is False


def test_a_preference_can_be_added_and_removed(admin_client, rules):
    rule = rule_of("GB")
    data = rule_form_data(rule)
    added = {"name": "Test parcels from Ireland", "shipped_from": ["IE"],
             "tax_free_threshold": "200", "source": "Test notice"}
    response = post(admin_client, f"/admin/markets/{rule.id}",
                    {**data, "preferences": [*data["preferences"], added]})
    assert response.status_code == 303, text_of(response)[:2000]
    (saved,) = [p for p in fresh(rule).preferences if p["name"] == added["name"]]
    assert saved["shipped_from"] == ["IE"] and saved["tax_free_threshold"] == 20000
    data = rule_form_data(fresh(rule))
    data["preferences"] = [{**p, "remove": p["name"] == added["name"]}
                           for p in data["preferences"]]
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 303, text_of(response)[:2000]
    assert added["name"] not in [p["name"] for p in fresh(rule).preferences]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"shipped_from": ["QQ"]}, "shipped_from", "List the countries as codes"),
    ({"origins": ["US"]}, "shipped_from", "list one, not both"),
    ({"duty_rate": "0"}, "duty_rate", "one of them, in its own preference"),
    ({"name": ""}, "name", "Name the agreement or treatment"),
    (None, "checkout_limit_per_item", "Only a checkout collection limit can apply"),
])
def test_bad_shipment_terms_are_shown_on_the_field_and_nothing_is_saved(
        admin_client, rules, change, field, message):
    rule = rule_of("CA")
    stored = [dict(p) for p in rule.preferences]
    data = {**rule_form_data(rule), "notes": "should not be saved"}
    if change is None:
        data["checkout_limit_per_item"] = True  # Canada collects on delivery: no limit
        prefix = field
    else:
        index = next(i for i, p in enumerate(data["preferences"]) if p["shipped_from"])
        data["preferences"][index] = {**data["preferences"][index], **change}
        prefix = f"preferences-{index}-{field}"
    response = post(admin_client, f"/admin/markets/{rule.id}", data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Nothing was saved" in page
    if change is None:
        block = next(b for b in page.split('<div class="field')[1:] if f'name="{field}"' in b)
        assert block.startswith(' has-error"')
    else:
        block = next(b for b in page.split("<td>")[1:] if f'name="{prefix}"' in b)
        assert 'aria-invalid="true"' in block
    assert re.search(rf'<p class="error" role="alert">[^<]*{re.escape(message)}', block), block
    assert fresh(rule).notes != "should not be saved"
    assert fresh(rule).preferences == stored and fresh(rule).checkout_limit_per_item is False


def test_the_new_fields_are_labelled_in_chinese(app, make_user, login, rules):
    admin = make_user("zh-rules-admin@example.com", roles=("admin",), locale="zh")
    browser = app.test_client()
    login(admin, target=browser)
    page = text_of(browser.get(f"/admin/markets/{rule_of('SG').id}"))
    assert "限额按每件商品计算，而非整个包裹" in page and "新加坡的 400 新元" in page
    assert "<th>发货国</th>" in page and "<th>原产国</th>" in page and "优惠待遇" in page
