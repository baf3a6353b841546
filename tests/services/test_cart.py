"""Carts: adding across stores, stock limits, flags for the ship-to country, guest merge."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Cart, CartItem
from app.money import Money
from app.services.checkout import cart as carts
from app.services.errors import NotFound, ValidationFailed
from app.services.inventory import InsufficientStock
from app.services.social import notes
from tests.notes_factories import QueryCounter, uploads

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shops(make_checkout_shop):
    return (make_checkout_shop("USD", "US", price="20", stock=5),
            make_checkout_shop("CNY", "CN", price="88", stock=5))


@pytest.fixture
def shopper(make_user):
    return make_user()


def test_items_from_several_stores_are_grouped_per_store(shops, shopper, fx_snapshot):
    us, cn = shops
    cart = carts.open_cart(user=shopper)
    carts.add_item(cart, us.variants[0].id, 2)
    carts.add_item(cart, cn.variants[0].id, 1)
    carts.add_item(cart, us.variants[1].id, 1)
    view = carts.view_cart(cart, currency="USD", country="US")
    assert [g.store_id for g in view.groups] == [us.store.id, cn.store.id]
    assert [len(g.lines) for g in view.groups] == [2, 1]
    assert view.count == 4 and view.can_check_out
    assert view.lines[0].offer.price == Money(2000, "USD")
    assert view.groups[1].lines[0].offer.price.currency == "USD"  # converted from CNY


def test_adding_the_same_variant_adds_up_and_keeps_the_note(shops, shopper, make_user):
    note = notes.create_note(make_user(), title="Tea", body="Nice", images=uploads(1),
                             publish=True)
    cart = carts.open_cart(user=shopper)
    carts.add_item(cart, shops[0].variants[0].id, 1, note_id=note.id)
    item = carts.add_item(cart, shops[0].variants[0].id, 2)
    assert (item.quantity, item.note_id) == (3, note.id)
    assert len(cart.items) == 1


def test_a_missing_note_never_blocks_the_purchase(shops, shopper):
    item = carts.add_item(carts.open_cart(user=shopper), shops[0].variants[0].id, 1,
                          note_id=999_999)
    assert item.note_id is None


def test_quantity_beyond_stock_is_refused_with_the_number_left(shops, shopper):
    cart = carts.open_cart(user=shopper)
    carts.add_item(cart, shops[0].variants[0].id, 4)
    with pytest.raises(InsufficientStock) as excinfo:
        carts.add_item(cart, shops[0].variants[0].id, 2)
    assert excinfo.value.status == 409
    assert excinfo.value.fields == {"quantity": ["Only 5 available."]}


@pytest.mark.parametrize("quantity", [0, -1, 100, "two", True, 1.5])
def test_bad_quantities_are_refused(shops, shopper, quantity):
    with pytest.raises(ValidationFailed) as excinfo:
        carts.add_item(carts.open_cart(user=shopper), shops[0].variants[0].id, quantity)
    assert "quantity" in excinfo.value.fields


def test_unknown_or_inactive_variants_cannot_be_added(shops, shopper):
    cart = carts.open_cart(user=shopper)
    with pytest.raises(NotFound):
        carts.add_item(cart, 999_999, 1)
    shops[0].products[0].status = "archived"
    db.session.commit()
    with pytest.raises(NotFound):
        carts.add_item(cart, shops[0].variants[0].id, 1)


@pytest.mark.parametrize("state", ["held", "pending", "removed"])
def test_listings_moderation_hides_cannot_be_added(shops, shopper, state):
    shops[0].products[0].moderation_state = state
    db.session.commit()
    with pytest.raises(NotFound):
        carts.add_item(carts.open_cart(user=shopper), shops[0].variants[0].id, 1)
    assert db.session.query(CartItem).count() == 0


def test_a_listing_moderation_restricts_in_a_market_is_flagged_there(shops, shopper,
                                                                    fx_snapshot):
    shops[0].products[0].hidden_markets = ",AU,"
    db.session.commit()
    cart = carts.open_cart(user=shopper)
    carts.add_item(cart, shops[0].variants[0].id, 1, ship_to="AU")
    assert [line.restricted for line in carts.view_cart(cart, currency="AUD",
                                                        country="AU").lines] == [True]
    assert [line.restricted for line in carts.view_cart(cart, currency="USD",
                                                        country="US").lines] == [False]


def test_restricted_items_are_flagged_for_the_ship_to_country(make_checkout_shop, shopper,
                                                             fx_snapshot):
    shop = make_checkout_shop("USD", "US", restricted_countries=["AU"])
    home_only = make_checkout_shop("USD", "US", zones=[
        {"name": "Home", "countries": ["US"], "free_over": None, "days": (1, 2),
         "rates": [(None, "5")]}])
    cart = carts.open_cart(user=shopper)
    carts.add_item(cart, shop.variants[0].id, 1, ship_to="AU")  # added, then flagged
    carts.add_item(cart, home_only.variants[0].id, 1)
    to_au = carts.view_cart(cart, currency="AUD", country="AU")
    assert [line.restricted for line in to_au.lines] == [True, True]
    assert [line.available_quantity for line in to_au.lines] == [0, 0]
    assert not to_au.can_check_out
    to_us = carts.view_cart(cart, currency="USD", country="US")
    assert [line.restricted for line in to_us.lines] == [False, False]
    assert [line.available_quantity for line in to_us.lines] == [20, 20]
    to_gb = carts.view_cart(cart, currency="GBP", country="GB")
    assert [line.restricted for line in to_gb.lines] == [False, True]  # no zone for GB


def test_lines_short_of_stock_are_flagged(shops, shopper, fx_snapshot):
    cart = carts.open_cart(user=shopper)
    item = carts.add_item(cart, shops[0].variants[0].id, 5)
    item.quantity = 7  # stock fell since, e.g. another shopper bought some
    db.session.commit()
    line = carts.view_cart(cart, currency="USD", country="US").lines[0]
    assert (line.available_quantity, line.quantity_ok) == (5, False)


def test_update_and_remove_only_touch_ones_own_cart(shops, shopper, make_user):
    mine = carts.open_cart(user=shopper)
    theirs = carts.open_cart(user=make_user())
    item = carts.add_item(theirs, shops[0].variants[0].id, 1)
    with pytest.raises(NotFound):
        carts.update_item(mine, item.id, 2)
    with pytest.raises(NotFound):
        carts.remove_item(mine, item.id)
    with pytest.raises(NotFound):
        carts.remove_item(None, item.id)
    assert db.session.get(CartItem, item.id).quantity == 1
    carts.update_item(theirs, item.id, 4)
    with pytest.raises(InsufficientStock):
        carts.update_item(theirs, item.id, 6)
    carts.remove_item(theirs, item.id)
    assert theirs.items == []


def test_guest_cart_merges_on_login_capped_by_stock(shops, shopper):
    us = shops[0]
    mine = carts.open_cart(user=shopper)
    carts.add_item(mine, us.variants[0].id, 3)
    key = carts.new_session_key()
    guest = carts.open_cart(session_key=key)
    carts.add_item(guest, us.variants[0].id, 4)  # 3 + 4 > 5 in stock
    carts.add_item(guest, us.variants[1].id, 2)
    db.session.commit()
    assert carts.merge_guest_cart(shopper, key) == 2
    db.session.commit()
    db.session.expire_all()
    quantities = {i.variant_id: i.quantity for i in carts.find_cart(user=shopper).items}
    assert quantities == {us.variants[0].id: 5, us.variants[1].id: 2}
    assert carts.find_cart(session_key=key) is None
    assert db.session.query(Cart).count() == 1


def test_merging_without_a_guest_cart_changes_nothing(shopper):
    assert carts.merge_guest_cart(shopper, None) == 0
    assert carts.merge_guest_cart(shopper, "no-such-key") == 0
    assert carts.find_cart(user=shopper) is None


def test_viewing_a_cart_takes_the_same_queries_however_many_lines(make_checkout_shop, shopper,
                                                                fx_snapshot):
    shops = [make_checkout_shop(currency, country, skus=tuple(f"{country}-{n}"
                                                              for n in range(4)))
             for currency, country in (("USD", "US"), ("CNY", "CN"), ("GBP", "GB"))]
    cart = carts.open_cart(user=shopper)
    for shop in shops:
        carts.add_item(cart, shop.variants[0].id, 1)
    db.session.commit()
    # Once first, so both counts are taken with the rates kept (app.services.fx), each in
    # a transaction of its own.
    carts.view_cart(carts.find_cart(user=shopper), currency="JPY", country="JP")
    db.session.commit()
    db.session.expire_all()
    with QueryCounter() as few:
        carts.view_cart(carts.find_cart(user=shopper), currency="JPY", country="JP")
    for shop in shops:
        for variant in shop.variants[1:]:
            carts.add_item(cart, variant.id, 1)
    db.session.commit()
    db.session.expire_all()
    with QueryCounter() as many:
        view = carts.view_cart(carts.find_cart(user=shopper), currency="JPY", country="JP")
    assert len(view.lines) == 12
    assert len(many.statements) == len(few.statements)
