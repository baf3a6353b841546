"""The rule book kept between quotes: fewer queries, yet every edit is in the next quote."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core import cache_versions
from app.extensions import db
from app.models import MarketRule, utcnow
from app.money import Money
from app.services.markets.landed_cost import RULES_FILE, DutiableLine, RuleBook, assess, rule_for
from app.services.markets.rules import (
    add_market_rule_version,
    load_market_rules_file,
    rule_form_data,
    save_market_rule,
)
from tests.checkout_factories import address_for
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.checkout_factories"]

NEW_YORK = address_for("US")


@pytest.fixture
def gb_shop(make_checkout_shop):
    """A British tea shop pricing in dollars: parcels to New York pay US duty and New York's
    sales tax, and no exchange rate is needed (quotes can be dated days ahead)."""
    return make_checkout_shop("USD", "GB", price="25", stock=50)


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",))


def rule_book_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "market_rules" in s or "duty_rates" in s
            or "region_taxes" in s]


def quote_to_new_york(make_quote, shopper, shop, **kwargs):
    return make_quote(shopper, [(shop.variants[0], 2)], currency="USD", country="US",
                      address=NEW_YORK, **kwargs)


def set_tea_duty(admin, percent: str, rule: MarketRule) -> None:
    data = rule_form_data(rule)
    data["duty_rates"] = [{**row, "rate": percent} if row["hs_prefix"] == "0902" else row
                          for row in data["duty_rates"]]
    save_market_rule(admin, data, rule.id)


def test_a_second_quote_reads_no_rule_from_the_database(make_quote, make_user, gb_shop):
    shopper = make_user()
    first = quote_to_new_york(make_quote, shopper, gb_shop)
    db.session.expire_all()
    with QueryCounter() as counter:
        second = quote_to_new_york(make_quote, shopper, gb_shop)
    assert rule_book_reads(counter.statements) == []
    kept, read = (
        {k: v for k, v in quote.groups[0].assessment.items() if k != "fx"}
        for quote in (second, first))
    assert kept == read
    assert second.groups[0].taxes_minor > 0  # New York's tax, from the kept copy


def test_an_admins_duty_rate_edit_is_in_the_very_next_quote(make_quote, make_user, gb_shop,
                                                            admin):
    shopper = make_user()
    before = quote_to_new_york(make_quote, shopper, gb_shop)
    assert before.groups[0].duties_minor == 0  # tea enters the US duty-free
    set_tea_duty(admin, "10", rule_for("US", utcnow().date()))
    db.session.commit()
    after = quote_to_new_york(make_quote, shopper, gb_shop)
    group = after.groups[0]
    assert group.duties_minor == Money(group.items_minor, "USD").percent(Decimal("0.10")).minor
    assert group.duties_minor > 0


def test_a_regional_tax_loaded_from_a_file_is_in_the_very_next_quote(make_quote, make_user,
                                                                     gb_shop, tmp_path):
    shopper = make_user()
    before = quote_to_new_york(make_quote, shopper, gb_shop).groups[0]
    assert before.taxes_minor == Money(before.items_minor + before.shipping_minor,
                                       "USD").percent(Decimal("0.04")).minor
    document = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    for tax in document["region_taxes"]:
        if (tax["country"], tax["region"]) == ("US", "NY"):
            tax["rate"] = "0.08"  # was 0.04
    changed = tmp_path / "rules.json"
    changed.write_text(json.dumps(document), encoding="utf-8")
    assert load_market_rules_file(changed).updated == 1
    db.session.commit()
    after = quote_to_new_york(make_quote, shopper, gb_shop).groups[0]
    assert after.taxes_minor == Money(after.items_minor + after.shipping_minor,
                                      "USD").percent(Decimal("0.08")).minor


def test_a_transaction_reads_its_own_uncommitted_edit_not_the_shelf(make_quote, make_user,
                                                                    gb_shop, admin):
    shopper = make_user()
    quote_to_new_york(make_quote, shopper, gb_shop)  # the duty-free rate is on the shelf
    set_tea_duty(admin, "10", rule_for("US", utcnow().date()))  # flushed, not committed
    assert RuleBook().rule("US", utcnow().date()).duty_rates[0].rate == Decimal("0.10")


def test_a_new_dated_version_applies_from_its_first_day(make_quote, make_user, gb_shop, admin):
    shopper = make_user()
    today = utcnow().date()
    current = rule_for("US", today)
    quote_to_new_york(make_quote, shopper, gb_shop)  # today's rule is on the shelf
    data = rule_form_data(current)
    starts = today + timedelta(days=10)
    data["effective_from"] = starts.isoformat()
    data["duty_rates"] = [{**row, "rate": "20"} if row["hs_prefix"] == "0902" else row
                          for row in data["duty_rates"]]
    add_market_rule_version(admin, current.id, data)
    db.session.commit()
    tea = [DutiableLine("090210", Money(10000, "USD"))]
    on = {day: assess(origin_country="GB", destination_country="US", lines=tea,
                      shipping=Money(0, "USD"), on=day, region="NY")
          for day in (starts - timedelta(days=1), starts)}
    assert on[starts - timedelta(days=1)].duties == Money(0, "USD")
    assert on[starts].duties == Money(2000, "USD")
    later = quote_to_new_york(make_quote, shopper, gb_shop,
                              now=utcnow() + timedelta(days=10, hours=1))
    assert later.groups[0].duties_minor > 0
    assert later.groups[0].assessment["rule_id"] != current.id


def kept(app) -> dict:
    return app.extensions["qiao_cache_shelves"]["rule_book"][1]


def test_the_shelf_starts_again_when_full(app, monkeypatch, market_rules):
    monkeypatch.setattr(cache_versions, "MAX_ENTRIES", 3)
    for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(3)):
        RuleBook().rule("US", day)
    assert len(kept(app)) == 3
    RuleBook().rule("US", date(2026, 2, 1))
    assert list(kept(app)) == [("rule", "US", date(2026, 2, 1))]
