"""Thresholds by place of shipment (Canada's CUSMA, Korea's KORUS), Quebec's QST collected at
import, and Singapore's SGD 400 limit applied to each item: worked examples from the sources.
"""

import json
from datetime import date

import pytest

from app.extensions import db
from app.models import MarketRule, RegionTax
from app.money import Money
from app.services.errors import ValidationFailed
from app.services.markets.landed_cost import DutiableLine, assess
from app.services.markets.rules import load_market_rules_file
from tests.checkout_factories import address_for
from tests.market_rule_factories import rule_entry

pytest_plugins = ["tests.checkout_factories", "tests.market_rule_factories"]

ON = date(2026, 12, 1)


def parcel(dest, lines, shipping, *, ship_from, on=ON, region=""):
    """`lines`: (HS code, minor units, origin[, quantity])."""
    currency = shipping.currency
    return assess(origin_country=ship_from, destination_country=dest,
                  lines=[DutiableLine(hs, Money(minor, currency), origin, *rest)
                         for hs, minor, origin, *rest in lines],
                  shipping=shipping, on=on, region=region)


# Canada: CUSMA courier thresholds follow the place of shipment --------------------------------
def test_a_us_store_ships_vietnam_made_goods_under_the_cusma_thresholds(rules):
    # CBSA: shipped by courier from the US, above CAD 40 up to CAD 150: duty free, taxes
    # apply. Made in Vietnam, so no CUSMA duty rate, but no duty is due at all.
    shirt = parcel("CA", [("610910", 10000, "VN")], Money(1200, "CAD"), ship_from="US")
    assert shirt.duties == Money(0, "CAD")
    assert shirt.taxes == Money(500, "CAD")  # GST 5 % of 100.00 (shipping not in the base)
    assert not shirt.collected_at_checkout
    assert shirt.relief.code == "duty_exempt"
    assert shirt.relief.preference == "CUSMA courier thresholds"
    assert shirt.lines[0].treatment == "CUSMA courier thresholds: no duty up to its threshold"
    # Up to CAD 40 shipped from the US: neither duty nor tax.
    cheap = parcel("CA", [("610910", 3000, "VN")], Money(0, "CAD"), ship_from="US")
    assert cheap.total == Money(0, "CAD") and cheap.relief.code == "exempt"


def test_a_chinese_store_ships_us_made_goods_under_the_cad_20_rule(rules):
    # Shipped from China: the CAD 20 de minimis applies whatever the origin; the CUSMA duty
    # rate of 0 % still follows the goods' US origin.
    shirt = parcel("CA", [("610910", 3000, "US")], Money(0, "CAD"), ship_from="CN")
    assert shirt.duties == Money(0, "CAD")
    assert shirt.taxes == Money(150, "CAD")  # GST 5 % of 30.00
    assert shirt.relief.code == "over_allowance" and shirt.relief.preference == ""
    assert shirt.lines[0].treatment == "CUSMA originating goods (US origin): 0 %"
    # The same store's Chinese-made shirt pays the 18 % MFN rate.
    made_here = parcel("CA", [("610910", 3000, "CN")], Money(0, "CAD"), ship_from="CN")
    assert made_here.duties == Money(540, "CAD")


# Korea: the KORUS USD 200 limit follows the place of shipment ---------------------------------
def test_korea_usd_200_for_parcels_shipped_from_the_us_whatever_their_origin(rules):
    # A US store's China-made dress worth USD 180: within USD 200, nothing is due.
    from_us = parcel("KR", [("620462", 18000, "CN")], Money(2000, "USD"), ship_from="US")
    assert from_us.total == Money(0, "USD")
    assert from_us.relief.preference == "KORUS FTA (goods from the US)"
    # A Chinese store's US-made dress of USD 180: over USD 150, the whole value pays.
    from_cn = parcel("KR", [("620462", 18000, "US")], Money(2000, "USD"), ship_from="CN")
    assert from_cn.duties == Money(2340, "USD")  # 13 % apparel
    assert from_cn.taxes == Money(2234, "USD")  # 10 % of 180 + 20 + 23.40


# Quebec: QST on parcels from outside Canada is collected at import ------------------------------
def test_quebec_qst_on_a_parcel_from_china_is_due_on_delivery_with_the_gst(rules):
    shirt = parcel("CA", [("610910", 10000, "CN")], Money(0, "CAD"), ship_from="CN",
                   region="QC")
    assert shirt.duties == Money(1800, "CAD")  # 18 %
    assert shirt.taxes == Money(590 + 1177, "CAD")  # GST 5 % and QST 9.975 % of 118.00
    qst = next(c for c in shirt.charges if c.kind == "region_tax")
    assert qst.rule == "Quebec QST" and qst.amount == Money(1177, "CAD")
    assert not qst.at_checkout and not shirt.collected_at_checkout
    assert qst.source_url.startswith("https://legisquebec.gouv.qc.ca/")


def test_quebec_qst_follows_the_de_minimis_from_2021_07_01(rules):
    # A CAD 15 parcel: under the version kept as shipped a marketplace charged QST on it;
    # from 2021-07-01 the QST is collected at import, so under CAD 20 none is due.
    cheap = [("610910", 1500, "CN")]
    before = parcel("CA", cheap, Money(0, "CAD"), ship_from="CN", region="QC",
                    on=date(2021, 6, 30))
    assert before.taxes == Money(150, "CAD")  # 9.975 % of 15.00
    after = parcel("CA", cheap, Money(0, "CAD"), ship_from="CN", region="QC",
                   on=date(2021, 7, 1))
    assert after.total == Money(0, "CAD")


# Singapore: SGD 400 per item ------------------------------------------------------------------
def test_singapore_items_each_within_sgd_400_pay_gst_at_checkout_however_big_the_parcel(rules):
    # Singapore Customs: several items each of SGD 400 or less from a GST-registered seller
    # are each low-value goods, even when the shipment is worth more than SGD 400: two
    # shirts at SGD 300 each, on one line.
    two = parcel("SG", [("610910", 60000, "CN", 2)], Money(2000, "SGD"), ship_from="CN",
                 on=date(2026, 12, 7))
    assert two.collected_at_checkout
    assert two.taxes == Money(5580, "SGD")  # 9 % of 600 + 20
    assert two.due_on_delivery in (None, Money(0, "SGD"))


def test_singapore_splits_a_parcel_with_an_item_over_sgd_400(rules):
    # A SGD 300 jacket and a SGD 500 watch, SGD 16 shipping shared by value (6 and 10): the
    # jacket's GST is charged at checkout, the watch's import GST on delivery.
    mixed = parcel("SG", [("620193", 30000, "CN"), ("910211", 50000, "CN")],
                   Money(1600, "SGD"), ship_from="CN", on=date(2026, 12, 7))
    assert mixed.collected_at_checkout
    assert mixed.taxes == Money(2754, "SGD")  # 9 % of 300 + 6
    assert mixed.due_on_delivery == Money(4590, "SGD")  # 9 % of 500 + 10
    assert [c.at_checkout for c in mixed.charges] == [True, False]
    assert [t.at_checkout for t in mixed.lines] == [True, False]
    assert mixed.shipping_taxes == Money(54, "SGD")  # 9 % of the jacket's 6.00 shipping
    # Only items over SGD 400: import GST on delivery, as before.
    dear = parcel("SG", [("910211", 50000, "CN")], Money(1000, "SGD"), ship_from="CN",
                  on=date(2026, 12, 7))
    assert not dear.collected_at_checkout and dear.taxes == Money(4590, "SGD")


# Bad input ------------------------------------------------------------------------------------
def _threshold(**changes):
    return {"name": "X", "shipped_from": ["US"], "duty_free_threshold": "150",
            "source": "x", **changes}


@pytest.mark.parametrize(("entry", "field"), [
    (rule_entry(preferences=[_threshold(shipped_from=["QQ"])]), "preferences.0.shipped_from"),
    (rule_entry(preferences=[_threshold(origins=["US"])]), "preferences.0.shipped_from"),
    (rule_entry(preferences=[_threshold(shipped_from=None)]), "preferences.0.shipped_from"),
    (rule_entry(preferences=[{"name": "X", "shipped_from": ["US"], "duty_rate": "0",
                          "source": "x"}]), "preferences.0.shipped_from"),
    (rule_entry(preferences=[_threshold(duty_rate="0")]), "preferences.0.duty_rate"),
    (rule_entry(checkout_limit_per_item=True), "checkout_limit_per_item"),
    (rule_entry(checkout_collection_limit="400", checkout_limit_per_item="yes"),
     "checkout_limit_per_item"),
])
def test_bad_shipment_terms_are_refused_with_the_field_named_and_nothing_written(
        app, tmp_path, entry, field):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [entry]}), encoding="utf-8")
    with pytest.raises(ValidationFailed) as excinfo:
        load_market_rules_file(path)
    assert any(field in message for messages in excinfo.value.fields.values()
               for message in messages)
    assert db.session.query(MarketRule).count() == 0
    assert db.session.query(RegionTax).count() == 0


def test_markets_show_names_the_place_of_shipment_and_the_per_item_limit(app, rules, runner):
    canada = runner.invoke(args=["markets", "show", "CA"]).output
    assert "shipped from MX, US: CUSMA courier thresholds" in canada
    assert "origin MX, US: CUSMA originating goods (duty 0 %)" in canada
    assert "CA-QC  2021-07-01 – open-ended  Quebec QST 9.975 %, collected by customs" in canada
    singapore = runner.invoke(args=["markets", "show", "SG"]).output
    assert "at checkout up to 400.00 SGD an item, on delivery above" in singapore


# The quote -------------------------------------------------------------------------------------
WORLD = [{"name": "World", "countries": [], "free_over": None, "days": (5, 9),
          "rates": [(None, "16")]}]


def test_a_singapore_quote_charges_the_low_value_items_tax_and_shows_the_rest_due_later(
        make_checkout_shop, make_user, make_quote, client, login):
    shop = make_checkout_shop("SGD", "CN", zones=WORLD, sells_to=["SG"], price="300",
                              hs_code="620193", title="Jacket", skus=("JACKET",))
    watch = shop.add_product(skus=("WATCH",), price="500", hs_code="910211", title="Watch")
    shopper = make_user()
    quote = make_quote(shopper, [(shop.products[0].variants[0], 1), (watch.variants[0], 1)],
                       "SGD", "SG")
    group = quote.groups[0]
    assert group.collected_at_checkout and group.taxes_minor == 2754
    assert group.due_on_delivery_minor == 4590
    assert quote.total_minor == 30000 + 50000 + 1600 + 2754
    jacket_line, watch_line = sorted(group.lines, key=lambda line: line.unit_price_minor)
    assert (jacket_line.tax_minor, watch_line.tax_minor) == (2700, 0)
    assert group.assessment["shipping_tax_minor"] == 54
    assert [c["due"] for c in group.assessment["charges"]] == ["checkout", "delivery"]
    login(shopper)
    page = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    assert 'data-testid="later-charge"' in page
    assert 'data-testid="total-due-on-delivery"' in page


def test_a_quebec_quote_shows_the_qst_on_its_own_line_due_on_delivery(
        make_checkout_shop, make_user, make_quote, client, login):
    shop = make_checkout_shop("CAD", "CN", zones=WORLD, sells_to=["CA"], price="100",
                              hs_code="610910", title="T-shirt", skus=("TEE",))
    shopper = make_user()
    quote = make_quote(shopper, [(shop.products[0].variants[0], 1)], "CAD", "CA",
                       address=address_for("CA", region="QC", city="Montréal",
                                           postal_code="H2Y 1C6"))
    group = quote.groups[0]
    assert not group.collected_at_checkout and group.taxes_minor == 590 + 1177
    qst = next(c for c in group.assessment["charges"] if c["kind"] == "region_tax")
    assert qst["due"] == "delivery" and qst["amount_minor"] == 1177
    login(shopper)
    page = client.get(f"/checkout/quotes/{quote.id}").get_data(as_text=True)
    assert 'data-testid="region-tax"' in page and "Quebec QST, due on delivery" in page
