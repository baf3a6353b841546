"""Quotes: per-store split, pricing and FX, shipping, duties (DDP/DDU), stock holds, expiry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProductVariant, Quote, Reservation, Store, User, Warehouse, utcnow
from app.money import Money
from app.services import inventory
from app.services.catalog.reads import RestrictedDestination
from app.services.checkout import cart as carts
from app.services.checkout import quotes
from app.services.checkout.shipping_rates import NoShippingRate
from app.services.errors import NotFound, ValidationFailed
from app.services.fx import conversion as fx
from app.services.inventory import InsufficientStock, available, check_ledger, reserve_stock
from app.services.markets.landed_cost import ConsignmentLimitExceeded
from tests.notes_factories import QueryCounter, uploads

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shopper(make_user):
    return make_user()


@pytest.fixture
def us_shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", price="25", stock=10)


def fill(user, *lines):
    cart = carts.open_cart(user=user)
    for variant, quantity in lines:
        carts.add_item(cart, variant.id, quantity)
    db.session.commit()
    return cart


def active_holds(quote) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Reservation.quantity), 0)).where(
        Reservation.owner_type == "checkout_quote", Reservation.owner_id == str(quote.id),
        Reservation.state == "active"))


def quote_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Quote))


def assert_adds_up(quote):
    for group in quote.groups:
        assert sum(line.total_minor for line in group.lines) == group.items_minor
        assert sum(line.duty_minor for line in group.lines) == group.duties_minor
        # Tax on shipping stays with the shipping; the lines share the rest.
        assert sum(line.tax_minor for line in group.lines) + \
            group.assessment["shipping_tax_minor"] == group.taxes_minor
        charged = group.items_minor + group.shipping_minor
        if group.collected_at_checkout:
            charged += group.duties_minor + group.taxes_minor
        assert group.total_minor == charged
    assert quote.total_minor == sum(g.total_minor for g in quote.groups)
    assert quote.total_minor == (quote.items_minor + quote.shipping_minor
                                 + quote.duties_minor + quote.taxes_minor)


# Splitting and pricing -------------------------------------------------------------------------
def test_a_multi_store_cart_is_split_per_store_and_adds_up(make_checkout_shop, make_quote,
                                                           shopper):
    us = make_checkout_shop("USD", "US", price="25")
    cn = make_checkout_shop("CNY", "CN", price="88")
    gb = make_checkout_shop("GBP", "GB", price="9.50")
    quote = make_quote(shopper, [(us.variants[0], 2), (cn.variants[1], 1), (gb.variants[0], 3),
                                 (us.variants[1], 1)], currency="EUR", country="DE")
    assert quote.state == "open" and quote.currency == "EUR"
    assert re.fullmatch(r"QX-[2-9A-Z]{10}", quote.reference)
    assert [g.store_id for g in quote.groups] == [us.store.id, cn.store.id, gb.store.id]
    assert [[line.sku for line in g.lines] for g in quote.groups] == [
        [us.variants[0].sku, us.variants[1].sku], [cn.variants[1].sku], [gb.variants[0].sku]]
    assert [g.store_currency for g in quote.groups] == ["USD", "CNY", "GBP"]
    assert all(g.collected_at_checkout for g in quote.groups)  # EU IOSS: under 150 EUR
    assert all(g.taxes_minor > 0 for g in quote.groups)  # German VAT at 19 %
    assert_adds_up(quote)
    held = quote.expires_at - quote.created_at
    assert timedelta(minutes=14, seconds=55) < held <= timedelta(minutes=15)


def test_jpy_has_no_minor_unit_and_the_rate_is_locked(us_shop, make_quote, shopper):
    quote = make_quote(shopper, [(us_shop.variants[0], 2)], currency="JPY", country="JP")
    line = quote.groups[0].lines[0]
    # 25 USD x (162.43 / 1.0850) x 1.015 fee = 3798.77 JPY -> 3799 (JPY has no decimals).
    assert line.unit_price_minor == 3799 and line.unit_price_store_minor == 2500
    assert line.total_minor == 7598 and not line.is_fixed_price
    locked = fx.lock_rate("USD", "JPY")
    assert quote.groups[0].fx_rate == locked.rate
    assert quote.fx_source == "ecb" and quote.fx_as_of == locked.as_of
    assert Money(quote.total_minor, "JPY").to_api()["amount"].isdigit()


def test_a_fixed_catalog_price_wins_over_conversion(make_checkout_shop, make_quote, shopper):
    shop = make_checkout_shop("USD", "US", skus=("FX-A", "FX-B"), price="25", fixed_prices={
        "FX-A": [{"amount": "3000", "currency": "JPY"}]})
    quote = make_quote(shopper, [(shop.variant("FX-A"), 1), (shop.variant("FX-B"), 1)],
                       currency="JPY", country="JP")
    fixed, converted = quote.groups[0].lines
    assert (fixed.unit_price_minor, fixed.is_fixed_price) == (3000, True)
    assert (converted.unit_price_minor, converted.is_fixed_price) == (3799, False)


def test_three_decimal_currencies_round_at_their_own_minor_unit(make_checkout_shop, make_user,
                                                               make_quote, shopper):
    fx.set_manual_rate(make_user(roles=("admin",)), "KWD", "USD", "3.25")
    kuwait = make_checkout_shop("KWD", "KW", price="12.345")
    quote = make_quote(shopper, [(kuwait.variants[0], 1)], currency="USD", country="US")
    group = quote.groups[0]
    # 12.345 KWD x 3.25 x 1.015 = 40.7231... USD -> 40.72; the shipping tier 15.000 KWD
    # -> 49.48125 -> 49.48 USD.
    assert group.lines[0].unit_price_store_minor == 12345
    assert (group.lines[0].unit_price_minor, group.shipping_minor) == (4072, 4948)
    assert_adds_up(quote)


# Shipping --------------------------------------------------------------------------------------
def test_weight_tiers_price_the_parcel(make_checkout_shop, make_quote, shopper):
    shop = make_checkout_shop("USD", "US", price="10", weight_grams=200)
    light = make_quote(shopper, [(shop.variants[0], 2)], currency="USD", country="JP")
    heavy = make_quote(shopper, [(shop.variants[0], 3)], currency="USD", country="JP")
    assert light.groups[0].assessment["weight_grams"] == 400
    assert (light.groups[0].shipping_minor, heavy.groups[0].shipping_minor) == (1500, 2500)
    assert (heavy.groups[0].delivery_days_min, heavy.groups[0].delivery_days_max) == (7, 14)


def test_free_shipping_from_the_zone_threshold(us_shop, make_quote, shopper):
    below = make_quote(shopper, [(us_shop.variants[0], 3)], currency="USD", country="US")
    above = make_quote(shopper, [(us_shop.variants[0], 4)], currency="USD", country="US")
    assert (below.groups[0].shipping_minor, below.groups[0].assessment["free_shipping"]) == \
        (500, False)
    assert (above.groups[0].shipping_minor, above.groups[0].assessment["free_shipping"]) == \
        (0, True)
    # Domestic: no duty; New York's 4 % state sales tax, collected by the marketplace.
    assert above.total_minor == 10000 + 400 and above.duties_minor == 0


def test_a_store_without_a_zone_for_the_destination_is_refused(make_checkout_shop, make_quote,
                                                               shopper):
    shop = make_checkout_shop("USD", "US", zones=[
        {"name": "Home", "countries": ["US"], "free_over": None, "days": (1, 2),
         "rates": [(None, "5")]}])
    with pytest.raises(NoShippingRate):
        make_quote(shopper, [(shop.variants[0], 1)], currency="GBP", country="GB")
    assert quote_count() == 0


# Duties and taxes ------------------------------------------------------------------------------
def test_ddp_collects_duties_and_taxes_now(us_shop, make_quote, shopper):
    quote = make_quote(shopper, [(us_shop.variants[0], 1)], currency="GBP", country="GB")
    group = quote.groups[0]
    assert group.collected_at_checkout and group.taxes_minor > 0
    assert group.total_minor == group.items_minor + group.shipping_minor + group.taxes_minor \
        + group.duties_minor
    assert quote.taxes_minor == group.taxes_minor
    assert "United Kingdom" in group.assessment["rule_name"] or group.assessment["rule_id"]


def test_ddu_leaves_duties_and_taxes_to_delivery(make_checkout_shop, make_quote, shopper):
    shop = make_checkout_shop("USD", "US", price="200")  # over Japan's 10,000 JPY exemption
    quote = make_quote(shopper, [(shop.variants[0], 1)], currency="JPY", country="JP")
    group = quote.groups[0]
    assert not group.collected_at_checkout
    assert group.duties_minor > 0 and group.taxes_minor > 0
    assert group.total_minor == group.items_minor + group.shipping_minor
    assert (quote.duties_minor, quote.taxes_minor) == (0, 0)
    assert_adds_up(quote)


def test_a_consignment_over_the_destination_limit_is_refused(make_checkout_shop, make_quote,
                                                             shopper):
    shop = make_checkout_shop("USD", "US", price="400", stock=10)
    with pytest.raises(ConsignmentLimitExceeded):  # China: 5,000 CNY per parcel
        make_quote(shopper, [(shop.variants[0], 2)], currency="CNY", country="CN")


# Bad input -------------------------------------------------------------------------------------
def test_an_empty_cart_cannot_be_quoted(shopper, fx_snapshot, checkout_address):
    with pytest.raises(quotes.EmptyCart) as excinfo:
        quotes.create_quote(shopper, "USD", checkout_address("US"))
    assert excinfo.value.code == "empty_cart"


@pytest.mark.parametrize("currency", ["KWD", "XXX", "", None, 5])
def test_unsupported_currencies_are_refused(us_shop, shopper, fx_snapshot, checkout_address,
                                            currency):
    fill(shopper, (us_shop.variants[0], 1))
    with pytest.raises(ValidationFailed) as excinfo:
        quotes.create_quote(shopper, currency, checkout_address("US"))
    assert excinfo.value.code == "unsupported_currency"
    assert "USD" in excinfo.value.fields["currency"][0]


def test_missing_address_fields_are_named_per_country(us_shop, shopper, fx_snapshot,
                                                      checkout_address):
    fill(shopper, (us_shop.variants[0], 1))
    with pytest.raises(ValidationFailed) as excinfo:
        quotes.create_quote(shopper, "CNY", checkout_address("CN", postal_code="", region="",
                                                             phone=""))
    assert excinfo.value.code == "invalid_address"
    assert set(excinfo.value.fields) == {"shipping_address.postal_code",
                                         "shipping_address.region", "shipping_address.phone"}
    with pytest.raises(ValidationFailed) as excinfo:
        quotes.create_quote(shopper, "XXX", checkout_address("US", region=""))
    assert set(excinfo.value.fields) == {"currency", "shipping_address.region"}
    assert quote_count() == 0


def test_a_stale_rate_refuses_that_currency_only(us_shop, shopper, fx_snapshot, market_rules,
                                                 checkout_address):
    fx_snapshot.as_of = utcnow() - timedelta(days=10)
    db.session.commit()
    fill(shopper, (us_shop.variants[0], 1))
    with pytest.raises(fx.StaleRate) as excinfo:
        quotes.create_quote(shopper, "JPY", checkout_address("JP"))
    assert excinfo.value.code == "stale_rate" and "too old" in excinfo.value.message
    assert "JPY" in excinfo.value.fields["currency"][0]
    assert quote_count() == 0 and available(us_shop.variants[0].id) == 10
    quote = quotes.create_quote(shopper, "USD", checkout_address("US"))  # nothing else breaks
    assert quote.total_minor == 2500 + 500 + 120  # and New York's 4 % sales tax


def test_restricted_products_cannot_be_quoted_there(make_checkout_shop, shopper, fx_snapshot,
                                                    market_rules, checkout_address):
    shop = make_checkout_shop("USD", "US", restricted_countries=["AU"])
    fill(shopper, (shop.variants[0], 1))
    with pytest.raises(RestrictedDestination) as excinfo:
        quotes.create_quote(shopper, "AUD", checkout_address("AU"))
    assert excinfo.value.code == "restricted_destination" and excinfo.value.status == 422


def test_a_listing_held_after_it_was_added_is_not_quoted(us_shop, shopper, fx_snapshot,
                                                        market_rules, checkout_address):
    fill(shopper, (us_shop.variants[0], 1))
    us_shop.products[0].moderation_state = "held"
    db.session.commit()
    with pytest.raises(quotes.ItemUnavailable) as excinfo:
        quotes.create_quote(shopper, "USD", checkout_address("US"))
    assert excinfo.value.code == "variant_unavailable" and excinfo.value.status == 409
    assert quote_count() == 0 and available(us_shop.variants[0].id) == 10


def test_a_listing_moderation_restricts_there_is_not_quoted_there(us_shop, shopper,
                                                                  fx_snapshot, market_rules,
                                                                  checkout_address):
    fill(shopper, (us_shop.variants[0], 1))
    us_shop.products[0].hidden_markets = ",JP,"
    db.session.commit()
    with pytest.raises(RestrictedDestination) as excinfo:
        quotes.create_quote(shopper, "JPY", checkout_address("JP"))
    assert excinfo.value.code == "restricted_destination"
    assert quotes.create_quote(shopper, "USD", checkout_address("US")).total_minor > 0


def test_insufficient_stock_names_the_item(us_shop, shopper, make_user, fx_snapshot,
                                           market_rules, checkout_address):
    cart = fill(shopper, (us_shop.variants[0], 4))
    reserve_stock(make_user(), us_shop.variants[0].id, 8, owner_type="test", owner_id="x")
    db.session.commit()
    with pytest.raises(InsufficientStock) as excinfo:
        quotes.create_quote(shopper, "USD", checkout_address("US"))
    assert excinfo.value.status == 409
    assert excinfo.value.fields == {f"items.{cart.items[0].id}.quantity": [
        f"Only 2 of {us_shop.variants[0].sku} available."]}
    assert quote_count() == 0


# Holding and expiring --------------------------------------------------------------------------
def test_a_quote_reserves_its_stock_and_records_the_note(us_shop, shopper, make_user,
                                                         make_quote):
    from app.services.social import notes

    note = notes.create_note(make_user(), title="Tea", body="Good", images=uploads(1),
                             publish=True)
    quote = make_quote(shopper, [(us_shop.variants[0], 3)], currency="USD", country="US",
                       note_id=note.id)
    assert active_holds(quote) == 3 and available(us_shop.variants[0].id) == 7
    assert quote.groups[0].lines[0].note_id == note.id
    assert check_ledger() == []


def test_an_expired_quote_is_refused_and_its_stock_released(us_shop, shopper, make_quote):
    quote = make_quote(shopper, [(us_shop.variants[0], 3)], currency="USD", country="US")
    quotes.ensure_quote_payable(quote, now=quote.expires_at - timedelta(seconds=1))
    with pytest.raises(quotes.QuoteExpired) as excinfo:
        quotes.ensure_quote_payable(quote, now=quote.expires_at)
    assert excinfo.value.code == "quote_expired" and excinfo.value.status == 409
    assert quote.state == "expired" and active_holds(quote) == 0
    assert available(us_shop.variants[0].id) == 10
    with pytest.raises(quotes.QuoteExpired):  # and stays refused
        quotes.ensure_quote_payable(quote, now=quote.created_at)


def test_the_periodic_job_expires_due_quotes_only(us_shop, shopper, make_user, make_quote):
    old = make_quote(shopper, [(us_shop.variants[0], 2)], currency="USD", country="US",
                     now=utcnow() - timedelta(minutes=20))
    fresh = make_quote(make_user(), [(us_shop.variants[1], 1)], currency="USD", country="US")
    assert quotes.expire_quotes() == 1
    db.session.commit()
    assert (old.state, fresh.state) == ("expired", "open")
    assert active_holds(old) == 0 and active_holds(fresh) == 1


def test_a_new_quote_replaces_the_open_one(us_shop, shopper, make_quote):
    first = make_quote(shopper, [(us_shop.variants[0], 6)], currency="USD", country="US")
    # 6 + 6 > 10: without releasing the first quote's hold this would be short of stock.
    second = make_quote(shopper, [(us_shop.variants[0], 6)], currency="JPY", country="JP")
    assert (first.state, second.state) == ("cancelled", "open")
    assert active_holds(first) == 0 and active_holds(second) == 6
    with pytest.raises(quotes.QuoteExpired):
        quotes.ensure_quote_payable(first)


def test_quotes_are_private(us_shop, shopper, make_user, make_quote):
    quote = make_quote(shopper, [(us_shop.variants[0], 1)], currency="USD", country="US")
    assert quotes.get_quote(shopper, quote.id) is quote
    with pytest.raises(NotFound):
        quotes.get_quote(make_user(), quote.id)


def test_quoting_takes_the_same_queries_however_many_items(make_checkout_shop, make_quote,
                                                           shopper):
    """Lines, reservations and ledger rows are bulk-inserted; stock is held in one UPDATE."""
    shops = [make_checkout_shop(currency, country, skus=tuple(f"{country}-{n}"
                                                              for n in range(4)))
             for currency, country in (("USD", "US"), ("CNY", "CN"), ("GBP", "GB"))]
    make_quote(shopper, [(shop.variants[0], 1) for shop in shops], currency="EUR",
               country="DE")
    runs = []
    for per_store in (1, 4):
        carts.clear_cart(shopper)
        for shop in shops:
            for variant in shop.variants[:per_store]:
                carts.add_item(carts.open_cart(user=shopper), variant.id, 1)
        db.session.commit()
        db.session.expire_all()
        with QueryCounter() as counter:
            quote = quotes.create_quote(shopper, "EUR", {
                "name": "Lena", "line1": "Unter den Linden 1", "city": "Berlin",
                "postal_code": "10117", "country": "DE"})
        db.session.commit()
        assert sum(len(g.lines) for g in quote.groups) == 3 * per_store
        runs.append(counter.statements)
    assert len(runs[0]) == len(runs[1])


def test_a_split_across_warehouses_falls_back_to_the_per_line_path(make_checkout_shop,
                                                                  make_quote, shopper):
    shop = make_checkout_shop("USD", "US", stock=3)
    second = Warehouse(store_id=shop.store.id, name="Second", city="Newark", country="US")
    db.session.add(second)
    db.session.commit()
    inventory.receive_stock(shop.owner, shop.store.id, shop.variants[0].id, second.id, 3,
                            reference=("test", "seed"))
    db.session.commit()
    quote = make_quote(shopper, [(shop.variants[0], 5)], currency="USD", country="US")
    holds = db.session.scalars(select(Reservation).where(
        Reservation.owner_id == str(quote.id))).all()
    assert sorted(h.quantity for h in holds) == [2, 3]
    assert available(shop.variants[0].id) == 1 and check_ledger() == []


def test_the_demo_stores_can_be_quoted(runner, make_user, fx_snapshot):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Shipping profiles added: " in result.output
    shopper = db.session.scalar(select(User).where(User.email == "shopper@example.com"))
    cart = carts.open_cart(user=shopper)
    for slug in ("hangzhou-tea-house", "brooklyn-goods"):
        store = db.session.scalar(select(Store).where(Store.slug == slug))
        variant = next(v for v in db.session.scalars(select(ProductVariant).where(
            ProductVariant.store_id == store.id, ProductVariant.is_active.is_(True)))
            if available(v.id) > 0 and v.product.status == "active"
            and v.product.ships_to("US"))
        carts.add_item(cart, variant.id, 1)
    quote = quotes.create_quote(shopper, "USD", {
        "name": "Mia Shopper", "line1": "350 Fifth Avenue", "city": "New York",
        "region": "NY", "postal_code": "10118", "country": "US"})
    assert len(quote.groups) == 2 and quote.total_minor > 0
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0  # and seeds again cleanly


def test_changing_the_cart_cancels_the_open_quote(us_shop, shopper, make_quote):
    quote = make_quote(shopper, [(us_shop.variants[0], 4)], currency="USD", country="US")
    cart = carts.find_cart(user=shopper)
    carts.update_item(cart, cart.items[0].id, 5)
    assert quote.state == "cancelled" and active_holds(quote) == 0
    assert available(us_shop.variants[0].id) == 10


def test_taxes_on_shipping_stay_with_the_shipping_even_when_the_items_are_free(
        make_checkout_shop, make_quote, shopper):
    shop = make_checkout_shop("GBP", "GB", price="0", zones=[
        {"name": "World", "countries": [], "free_over": None, "days": (3, 6),
         "rates": [(None, "10")]}])
    quote = make_quote(shopper, [(shop.variants[0], 1), (shop.variants[1], 2)],
                       currency="EUR", country="DE")
    group = quote.groups[0]
    assert group.items_minor == 0 and group.taxes_minor > 0  # German VAT on the shipping
    # The lines carry only the VAT on the EU's flat duty (split evenly: no line has a value to
    # weigh by); the VAT on shipping goes back with a refund of the shipping.
    on_duty = group.taxes_minor - group.assessment["shipping_tax_minor"]
    assert abs(on_duty - group.duties_minor * 19 / 100) <= 1
    assert group.assessment["shipping_tax_minor"] > 0
    assert sorted(line.tax_minor for line in group.lines) == [on_duty // 2,
                                                             on_duty - on_duty // 2]
    assert_adds_up(quote)
