"""Shipping profiles kept between quotes: no query for them, yet a merchant's edit is in the
next quote, and a parcel is priced the same from the kept copy as from the database."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.money import Money
from app.services.checkout import shipping_rates as shipping
from app.services.checkout.shipping_terms import shipping_terms_for
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.checkout_factories"]

EUROPE = {"name": "Europe", "countries": "DE", "free_over": "", "delivery_days_min": "3",
          "delivery_days_max": "6", "rates": [{"max_weight_grams": "", "price": "7"}]}


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", price="25", stock=20)


def shipping_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "shipping_" in s]


def test_a_second_quote_reads_no_profile_from_the_database(shop, make_quote, make_user):
    shopper = make_user()
    make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="DE",
               address={"name": "Lena", "line1": "Unter den Linden 1", "city": "Berlin",
                        "postal_code": "10117", "country": "DE"})
    with QueryCounter() as counter:
        kept = shipping_terms_for([shop.store.id])
    assert shipping_reads(counter.statements) == []
    assert [z.name for z in kept[shop.store.id].zones] == ["Domestic", "Rest of world"]


@pytest.mark.parametrize(("country", "grams", "subtotal"), [
    ("US", 300, "99.99"), ("US", 300, "100.00"), ("JP", 501, "10"), ("FR", 90_000, "10")])
def test_the_kept_copy_prices_a_parcel_as_the_database_does(shop, country, grams, subtotal):
    shipping_terms_for([shop.store.id])  # kept
    subtotal = Money.from_decimal(subtotal, "USD")
    kept = shipping.price_parcel(shop.store, shipping_terms_for([shop.store.id])[shop.store.id],
                                 country, grams, subtotal)
    read = shipping.price_parcel(shop.store, shipping.profiles_for([shop.store.id])[
        shop.store.id], country, grams, subtotal)
    assert kept == read


def test_a_merchants_new_zone_is_in_the_next_quote(shop, make_quote, make_user):
    shopper = make_user()
    berlin = {"name": "Lena", "line1": "Unter den Linden 1", "city": "Berlin",
              "postal_code": "10117", "country": "DE"}
    before = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="DE",
                        address=berlin)
    assert before.groups[0].shipping_minor == 1500  # the rest of the world's first tier
    shipping.save_shipping_zone(shop.owner, shop.store.id, EUROPE)
    db.session.commit()
    after = make_quote(shopper, [(shop.variants[0], 1)], currency="USD", country="DE",
                       address=berlin)
    assert after.groups[0].shipping_minor == 700
    assert after.groups[0].assessment["shipping_zone"] == "Europe"


def test_a_store_without_a_profile_is_kept_as_such_until_it_gets_one(make_checkout_shop):
    bare = make_checkout_shop("USD", "US", with_product=False)
    db.session.delete(bare.profile)
    db.session.commit()
    assert shipping_terms_for([bare.store.id]) == {}
    assert shipping_terms_for([bare.store.id]) == {}
    shipping.save_shipping_zone(bare.owner, bare.store.id, EUROPE)
    db.session.commit()
    assert [z.name for z in shipping_terms_for([bare.store.id])[bare.store.id].zones] == \
        ["Europe"]
