"""A US store selling to a US address: the state sales tax a marketplace must collect.

Worked examples (state rate only): the tax is charged once on the parcel, shared by the
lines by value, and a refund returns the tax share of what it refunds: the share of units
1..n rounded half-even, so refunds in any steps add up to the tax exactly.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.money import Money
from app.services.markets.landed_cost import (
    DutiableLine,
    assess,
    load_market_rules,
    region_tax_for,
)
from app.services.orders.lifecycle import orders_for_quote
from app.services.payments import quote_payments as payments
from app.services.payments import refunds
from app.web.links import site_links

pytest_plugins = ["tests.checkout_factories", "tests.localstripe_server"]

ON = date(2026, 12, 7)
LOS_ANGELES = {"name": "Ana Ruiz", "line1": "800 Wilshire Blvd", "line2": "", "city":
               "Los Angeles", "region": "CA", "postal_code": "90017", "country": "US",
               "phone": ""}
NEWARK = {"name": "Jo Park", "line1": "1 Gateway Center", "line2": "", "city": "Newark",
          "region": "NJ", "postal_code": "07102", "country": "US", "phone": ""}
PORTLAND = {"name": "Kim Lee", "line1": "1120 SW 5th Ave", "line2": "", "city": "Portland",
            "region": "OR", "postal_code": "97204", "country": "US", "phone": ""}


@pytest.fixture
def rules(app):
    load_market_rules()
    db.session.flush()


def domestic(lines: list[int], shipping: int, region: str):
    return assess(origin_country="US", destination_country="US",
                  lines=[DutiableLine("330499", Money(minor, "USD")) for minor in lines],
                  shipping=Money(shipping, "USD"), on=ON, region=region)


def test_a_domestic_parcel_pays_the_state_tax_and_no_duty(rules):
    # California taxes the goods, not separately stated delivery: 7.25 % of 59.97 = 4.35.
    ca = domestic([5997], 500, "CA")
    assert ca.duties == Money(0, "USD") and ca.taxes == Money(435, "USD")
    assert ca.collected_at_checkout and ca.relief.code == "domestic"
    assert ca.shipping_taxes == Money(0, "USD")
    [charge] = ca.charges
    assert charge.kind == "region_tax" and charge.rule == "California sales tax (state)"
    assert charge.source and charge.source_url.startswith("https://")
    # New York taxes delivery too: 4 % of 75 + 5 = 3.20, of which 0.20 is on shipping.
    ny = domestic([2500, 5000], 500, "NY")
    assert ny.taxes == Money(320, "USD") and ny.shipping_taxes == Money(20, "USD")
    assert ny.goods_taxes == Money(300, "USD")


def test_no_state_tax_where_the_state_has_none_or_no_region_is_given(rules):
    assert domestic([10000], 500, "OR").total == Money(0, "USD")  # Oregon: no sales tax
    assert domestic([10000], 500, "").total == Money(0, "USD")


def test_every_state_with_a_sales_tax_and_dc_has_a_current_rate(rules):
    states = ("AL AZ AR CA CO CT DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO NE NV "
              "NJ NM NY NC ND OH OK PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
    assert len(states) == 46
    missing = [s for s in states if region_tax_for("US", s, ON) is None]
    assert missing == []
    for state in ("AK", "DE", "MT", "NH", "OR"):
        assert region_tax_for("US", state, ON) is None


def test_dated_state_rate_changes_are_versions(rules):
    def tax_on_100(region: str, on: date) -> Money:
        return assess(origin_country="US", destination_country="US",
                      lines=[DutiableLine("330499", Money(10000, "USD"))],
                      shipping=Money(0, "USD"), on=on, region=region).taxes

    # Louisiana: 4.45 % until 2024-12-31, 5 % from 2025-01-01 (Department of Revenue's table).
    assert tax_on_100("LA", date(2024, 12, 31)) == Money(445, "USD")
    assert tax_on_100("LA", date(2025, 1, 1)) == Money(500, "USD")
    # District of Columbia: the 6.5 % step was repealed, 6 % until 2026-09-30, then 7 %.
    assert tax_on_100("DC", date(2026, 9, 30)) == Money(600, "USD")
    assert tax_on_100("DC", date(2026, 10, 1)) == Money(700, "USD")


def test_an_import_and_a_domestic_parcel_pay_the_same_state_tax(rules):
    imported = assess(origin_country="CN", destination_country="US",
                      lines=[DutiableLine("330499", Money(5997, "USD"))],
                      shipping=Money(500, "USD"), on=ON, region="CA")
    assert imported.taxes == domestic([5997], 500, "CA").taxes == Money(435, "USD")


# Through checkout and Stripe ------------------------------------------------------------------
@pytest.fixture
def buy(stripe_sandbox, make_checkout_shop, make_user, make_quote):
    """Buy `quantity` of a US store's tea at `price` for `address`: the paid order."""

    def factory(price: str, quantity: int, address: dict):
        shop = make_checkout_shop(currency="USD", country="US", price=price, stock=20)
        shopper = make_user()
        quote = make_quote(shopper, [(shop.variants[0], quantity)], currency="USD",
                           country="US", address=address)
        payment = payments.prepare_payment(shopper, quote.id, links=site_links)
        db.session.commit()
        payments.open_payment_intent(payment, links=site_links)
        payments.confirm_sandbox_payment(shopper, quote.id, stripe_sandbox.card_token(),
                                         links=site_links)
        db.session.commit()
        order = orders_for_quote(quote.id)[0]
        order.shop = shop
        return quote, order

    return factory


def refund(order, **fields):
    made = refunds.request_refund(order.shop.owner, order.store_id, order.id,
                                  refunds.RefundRequest(**fields))
    db.session.commit()
    refunds.submit_refund(made, order.shop.owner)
    db.session.commit()
    assert made.state == "succeeded"
    return made


def test_checkout_collects_the_state_tax_and_refunds_return_it_exactly(stripe_sandbox, buy):
    # New Jersey 6.625 %, delivery taxed: 3 x 9.99 = 29.97 + 5.00 shipping = 34.97;
    # 6.625 % = 2.3167... -> 2.32, of which 0.33 on shipping (split by value) and 1.99 on
    # the tea. Units refunded one at a time get back 9.99 plus 0.66, 0.67 and 0.66.
    quote, order = buy("9.99", 3, NEWARK)
    assert (quote.items_minor, quote.shipping_minor, quote.duties_minor) == (2997, 500, 0)
    assert quote.taxes_minor == 232 and quote.total_minor == 2997 + 500 + 232
    line = order.lines[0]
    assert order.collected_at_checkout and line.tax_minor == 199 and line.duty_minor == 0
    assert order.assessment["shipping_tax_minor"] == 33
    [charge] = order.assessment["charges"]
    assert charge["kind"] == "region_tax" and charge["rule"] == "New Jersey sales tax (state)"
    amounts = [refund(order, lines=[(line.id, 1)]).amount_minor for _ in range(3)]
    assert amounts == [999 + 66, 999 + 67, 999 + 66]
    assert refund(order, shipping=True).amount_minor == 500 + 33
    db.session.refresh(order)
    assert order.refunded_minor == order.total_minor and order.status == "refunded"


def test_a_full_refund_returns_all_the_tax(stripe_sandbox, buy):
    # California 7.25 % of the goods only: 7 x 4.99 = 34.93 -> 2.53 (2.532425).
    quote, order = buy("4.99", 7, LOS_ANGELES)
    assert quote.taxes_minor == 253 and order.assessment["shipping_tax_minor"] == 0
    line = order.lines[0]
    first = refund(order, lines=[(line.id, 2)])
    assert first.amount_minor == 998 + 72  # 253 x 2/7 = 72.29 -> 72
    rest = refund(order, lines=[(line.id, 5)], shipping=True)
    assert rest.amount_minor == 2495 + (253 - 72) + quote.shipping_minor
    db.session.refresh(order)
    assert order.refunded_minor == order.total_minor


def test_no_state_tax_no_tax_refund(stripe_sandbox, buy):
    quote, order = buy("25", 2, PORTLAND)
    assert quote.taxes_minor == 0 and order.assessment["charges"] == []
    assert refund(order, lines=[(order.lines[0].id, 1)]).amount_minor == 2500


def test_a_canadian_domestic_parcel_is_not_charged_a_provincial_tax_alone(rules):
    # A platform collects Quebec's QST on goods shipped from inside Canada; on a domestic
    # sale the federal GST would be due with it, which the book does not hold, so neither is
    # charged.
    quebec = assess(origin_country="CA", destination_country="CA",
                    lines=[DutiableLine("330499", Money(5000, "CAD"))],
                    shipping=Money(500, "CAD"), on=ON, region="QC")
    assert quebec.taxes == Money(0, "CAD") and quebec.charges == ()
    assert quebec.relief.code == "domestic"
