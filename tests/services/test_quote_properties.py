"""Property: for random carts and destinations, a quote adds up and explains every charge.

total = items + shipping + what is collected at checkout (per store and overall),
every amount is whole minor units of the quote's currency, and every duty or tax
line names the rule and the source it came from.
"""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.money import Money, exponent
from app.services.checkout import cart as carts
from app.services.checkout import quotes
from app.services.errors import DomainError
from tests.checkout_factories import address_for

pytest_plugins = ["tests.checkout_factories"]

DESTINATIONS = ["US", "JP", "GB", "CN", "DE", "FR", "NL", "CA", "AU", "SG", "KR", "HK"]
CURRENCIES = ["USD", "EUR", "GBP", "CNY", "JPY", "KRW", "HKD", "SGD", "AUD", "CAD"]
# (HS code, origin) of the products each store offers: apparel, tea, cosmetics, toys...
PRODUCTS = [("610910", "VN"), ("620630", None), ("090210", None), ("330499", "MX"),
            ("950300", None), ("420222", "US")]
DAYS = [datetime(2025, 8, 1, 12, tzinfo=UTC), datetime(2026, 6, 15, 12, tzinfo=UTC),
        datetime(2026, 12, 6, 12, tzinfo=UTC)]


@pytest.fixture
def shops(make_checkout_shop, fx_snapshot, market_rules, app):
    saved = app.config["FX_MAX_AGE_HOURS"]
    app.config["FX_MAX_AGE_HOURS"] = 24 * 365 * 10
    variants = []
    for n, (currency, country) in enumerate((("CNY", "CN"), ("USD", "US"), ("GBP", "GB"))):
        shop = make_checkout_shop(currency, country, with_product=False)
        for index, (hs, origin) in enumerate(PRODUCTS):
            product = shop.add_product(skus=(f"P{n}-{index}",), price=str(5 + 7 * index),
                                       stock=500, hs_code=hs, title=f"Item {index}",
                                       **({"origin_country": origin} if origin else {}))
            variants += product.variants
    db.session.commit()
    yield variants
    app.config["FX_MAX_AGE_HOURS"] = saved


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=st.data())
def test_random_quotes_add_up_and_name_their_rules(shops, make_user, data):
    user = make_user()
    picks = data.draw(st.lists(st.tuples(st.sampled_from(shops), st.integers(1, 3)),
                               min_size=1, max_size=10, unique_by=lambda p: p[0].id))
    destination = data.draw(st.sampled_from(DESTINATIONS))
    currency = data.draw(st.sampled_from(CURRENCIES))
    now = data.draw(st.sampled_from(DAYS))
    cart = carts.open_cart(user=user)
    for variant, quantity in picks:
        carts.add_item(cart, variant.id, quantity)
    try:
        quote = quotes.create_quote(user, currency, address_for(destination), now=now)
    except DomainError as exc:  # a CBEC limit, a stale rate on an old day
        assert exc.code in ("consignment_limit_exceeded", "stale_rate", "rate_unavailable")
        db.session.rollback()
        return
    digits = exponent(currency)
    for group in quote.groups:
        charged = group.duties_minor + group.taxes_minor if group.collected_at_checkout else 0
        assert group.total_minor == group.items_minor + group.shipping_minor + charged
        assert sum(line.duty_minor for line in group.lines) == group.duties_minor
        assert sum(line.tax_minor for line in group.lines) + \
            group.assessment["shipping_tax_minor"] == group.taxes_minor
        assert 0 <= group.assessment["shipping_tax_minor"] <= group.taxes_minor
        charges = group.assessment["charges"]
        # The group records the charges paid its way; a per-item limit can leave others to
        # delivery in a paid-now group, and those are its due_on_delivery.
        recorded = [c for c in charges
                    if (c["due"] == "checkout") == group.collected_at_checkout]
        assert sum(c["amount_minor"] for c in recorded if c["kind"] == "duty") == \
            group.duties_minor
        assert sum(c["amount_minor"] for c in recorded if c["kind"] != "duty") == \
            group.taxes_minor
        assert sum(c["amount_minor"] for c in charges if c not in recorded) == \
            group.assessment["due_on_delivery_minor"]
        for charge in charges:
            assert charge["rule"] and charge["source"], charge
            assert isinstance(charge["amount_minor"], int) and charge["amount_minor"] > 0
        for minor in (group.items_minor, group.shipping_minor, group.duties_minor,
                      group.taxes_minor, group.total_minor):
            assert isinstance(minor, int)
            assert -Money(minor, currency).amount.as_tuple().exponent == digits
    collected = [g for g in quote.groups if g.collected_at_checkout]
    assert quote.total_minor == quote.items_minor + quote.shipping_minor + sum(
        g.duties_minor + g.taxes_minor for g in collected)
    assert quote.duties_minor + quote.taxes_minor == sum(
        g.duties_minor + g.taxes_minor for g in collected)
    db.session.rollback()
