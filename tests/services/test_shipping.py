"""Shipping: zones, weight tiers, free-over thresholds, merchant edits, address rules."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ShippingZone
from app.money import Money
from app.services.checkout import shipping_rates as shipping
from app.services.errors import Forbidden, NotFound, ValidationFailed

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", with_product=False)


def parcel(shop, country, grams, subtotal="10.00"):
    profile = shipping.profiles_for([shop.store.id])[shop.store.id]
    return shipping.price_parcel(shop.store, profile, country, grams,
                                 Money.from_decimal(subtotal, "USD"))


# Pricing --------------------------------------------------------------------------------------
def test_the_zone_listing_the_country_wins_over_the_rest_of_the_world(shop):
    domestic = parcel(shop, "US", 300)
    abroad = parcel(shop, "JP", 300)
    assert (domestic.zone_name, domestic.price) == ("Domestic", Money(500, "USD"))
    assert (domestic.delivery_days_min, domestic.delivery_days_max) == (2, 5)
    assert (abroad.zone_name, abroad.price) == ("Rest of world", Money(1500, "USD"))
    assert (abroad.delivery_days_min, abroad.delivery_days_max) == (7, 14)


@pytest.mark.parametrize(("grams", "price"), [(0, 1500), (500, 1500), (501, 2500),
                                              (2000, 2500), (2001, 4000), (90_000, 4000)])
def test_weight_tiers_take_the_lightest_that_holds_the_parcel(shop, grams, price):
    assert parcel(shop, "FR", grams).price == Money(price, "USD")


def test_free_shipping_from_the_threshold_on_the_store_currency_subtotal(shop):
    assert parcel(shop, "US", 300, "99.99").price == Money(500, "USD")
    free = parcel(shop, "US", 300, "100.00")
    assert free.price == Money(0, "USD") and free.is_free
    assert parcel(shop, "JP", 300, "1000.00").price == Money(1500, "USD")  # no threshold


def test_no_zone_for_the_country_is_a_specific_error(make_checkout_shop):
    shop = make_checkout_shop("USD", "US", with_product=False, zones=[
        {"name": "Home", "countries": ["US"], "free_over": None, "days": (1, 3),
         "rates": [(None, "4")]}])
    with pytest.raises(shipping.NoShippingRate) as excinfo:
        parcel(shop, "JP", 100)
    assert excinfo.value.code == "no_shipping_rate"
    assert "does not ship to JP" in excinfo.value.fields["shipping_address.country"][0]


def test_a_parcel_heavier_than_every_tier_is_refused(make_checkout_shop):
    shop = make_checkout_shop("USD", "US", with_product=False, zones=[
        {"name": "World", "countries": [], "free_over": None, "days": (5, 9),
         "rates": [(1000, "10"), (3000, "20")]}])
    assert parcel(shop, "DE", 3000).price == Money(2000, "USD")
    with pytest.raises(shipping.NoShippingRate, match="at most 3000 g"):
        parcel(shop, "DE", 3001)


# The merchant's zones -------------------------------------------------------------------------
ZONE = {"name": "Europe", "countries": "de, FR it", "free_over": "80.00",
        "delivery_days_min": "4", "delivery_days_max": "9",
        "rates": [{"max_weight_grams": "", "price": "30"},
                  {"max_weight_grams": "500", "price": "12.50"},
                  {"max_weight_grams": "", "price": ""}]}


def test_owner_saves_a_zone_with_tiers_in_weight_order(shop):
    zone = shipping.save_shipping_zone(shop.owner, shop.store.id, ZONE)
    db.session.commit()
    assert zone.countries == ["DE", "FR", "IT"]
    assert zone.free_over_minor == 8000
    assert [(r.max_weight_grams, r.price_minor) for r in zone.rates] == [(500, 1250),
                                                                       (None, 3000)]
    assert parcel(shop, "FR", 400).price == Money(1250, "USD")  # listed beats rest of world


def test_editing_replaces_the_tiers(shop):
    zone = shipping.save_shipping_zone(shop.owner, shop.store.id, ZONE)
    shipping.save_shipping_zone(shop.owner, shop.store.id, {
        **ZONE, "rates": [{"max_weight_grams": "500", "price": "9"}]}, zone_id=zone.id)
    db.session.commit()
    db.session.expire_all()
    saved = db.session.get(ShippingZone, zone.id)
    assert [(r.max_weight_grams, r.price_minor) for r in saved.rates] == [(500, 900)]


def test_zone_errors_name_each_field(shop):
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.save_shipping_zone(shop.owner, shop.store.id, {
            "name": "", "countries": "US, XX", "free_over": "1.234",
            "delivery_days_min": "9", "delivery_days_max": "3",
            "rates": [{"max_weight_grams": "-5", "price": "abc"}]})
    fields = excinfo.value.fields
    assert set(fields) == {"name", "countries", "free_over", "delivery_days_max",
                           "rates.0.max_weight_grams", "rates.0.price"}
    assert "'XX'" in fields["countries"][0]


def test_a_country_belongs_to_one_zone_and_there_is_one_rest_of_world(shop):
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.save_shipping_zone(shop.owner, shop.store.id, {**ZONE, "countries": "US"})
    assert "US" in excinfo.value.fields["countries"][0]
    with pytest.raises(ValidationFailed, match="rest-of-the-world"):
        shipping.save_shipping_zone(shop.owner, shop.store.id, {**ZONE, "countries": ""})


def test_staff_may_read_but_not_change_and_other_stores_are_hidden(shop, make_checkout_shop):
    other = make_checkout_shop("USD", "US", with_product=False)
    _store, profile = shipping.get_shipping_profile(shop.staff, shop.store.id)
    assert [z.name for z in profile.zones] == ["Domestic", "Rest of world"]
    with pytest.raises(Forbidden):
        shipping.save_shipping_zone(shop.staff, shop.store.id, ZONE)
    with pytest.raises(NotFound):
        shipping.get_shipping_profile(other.owner, shop.store.id)
    with pytest.raises(NotFound):
        shipping.get_shipping_zone(shop.owner, shop.store.id, other.profile.zones[0].id)
    with pytest.raises(NotFound):
        shipping.delete_shipping_zone(shop.owner, shop.store.id, other.profile.zones[0].id)


def test_deleting_a_zone_renumbers_the_rest(shop):
    first = shop.profile.zones[0]
    shipping.delete_shipping_zone(shop.owner, shop.store.id, first.id)
    db.session.commit()
    _store, profile = shipping.get_shipping_profile(shop.owner, shop.store.id)
    assert [(z.name, z.position) for z in profile.zones] == [("Rest of world", 0)]


# Addresses ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("country", "missing"), [
    ("US", {"postal_code", "region"}), ("CA", {"postal_code", "region"}),
    ("AU", {"postal_code", "region"}), ("CN", {"postal_code", "region", "phone"}),
    ("GB", {"postal_code"}), ("JP", {"postal_code", "region"}), ("DE", {"postal_code"}),
    ("FR", {"postal_code"}), ("HK", {"region"}), ("KR", {"postal_code", "region"}),
    ("SG", {"postal_code"}), ("AE", {"region"}), ("BR", {"postal_code", "region"}),
    ("NZ", {"postal_code"}), ("MO", set()),
])
def test_each_country_requires_its_own_fields(country, missing):
    bare = {"name": "A Person", "line1": "1 Road", "city": "Town", "country": country}
    if missing:
        with pytest.raises(ValidationFailed) as excinfo:
            shipping.validate_address(bare)
        assert excinfo.value.code == "invalid_address"
        assert set(excinfo.value.fields) == {f"shipping_address.{f}" for f in missing}
    else:
        assert shipping.validate_address(bare)["country"] == country


def test_every_missing_basic_field_is_named():
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.validate_address({"country": "ZZ", "name": 5})
    fields = excinfo.value.fields
    assert fields["shipping_address.name"] == ["Must be text."]
    assert "two-letter" in fields["shipping_address.country"][0]
    assert {"shipping_address.line1", "shipping_address.city"} <= set(fields)


def test_postal_codes_are_checked_against_the_country_format(checkout_address):
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.validate_address(checkout_address("US", postal_code="ABCDE"))
    assert "95014" in excinfo.value.fields["shipping_address.postal_code"][0]
    clean = shipping.validate_address(checkout_address("GB", postal_code="sw1a  2aa"))
    assert clean["postal_code"] == "SW1A 2AA"


def test_a_complete_address_is_normalised(checkout_address):
    clean = shipping.validate_address({**checkout_address("JP"), "country": "jp",
                                       "city": "  Tokyo  ", "extra": "dropped"})
    assert clean["country"] == "JP" and clean["city"] == "Tokyo" and "extra" not in clean


def test_regions_are_matched_to_their_codes_and_checked(checkout_address):
    assert shipping.validate_address(checkout_address("US", region="new york"))["region"] == "NY"
    assert shipping.validate_address(checkout_address("CA", region="Ontario"))["region"] == "ON"
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.validate_address(checkout_address("CA", region="XX"))
    assert set(excinfo.value.fields) == {"shipping_address.region"}
    # A ZIP code of California does not fit a New York address.
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.validate_address(checkout_address("US", postal_code="90210"))
    assert set(excinfo.value.fields) == {"shipping_address.postal_code"}


def test_phone_numbers_are_checked_by_country_and_formatted(checkout_address):
    clean = shipping.validate_address(checkout_address("CN", phone="13800138000"))
    assert clean["phone"] == "+86 138 0013 8000"
    with pytest.raises(ValidationFailed) as excinfo:
        shipping.validate_address(checkout_address("CN", phone="12345"))
    assert "+86" in excinfo.value.fields["shipping_address.phone"][0]


def test_address_errors_and_labels_follow_the_viewers_language(app, checkout_address):
    from app.services.checkout.addresses import address_layout
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        from flask_babel import force_locale
        with force_locale("zh"):
            with pytest.raises(ValidationFailed) as excinfo:
                shipping.validate_address(checkout_address("JP", region="", postal_code=""))
            messages = " ".join(m for ms in excinfo.value.fields.values() for m in ms)
            assert "都道府县" in messages and "邮政编码" in messages
            labels = [f.label for f in address_layout("JP")]
            assert labels[:2] == ["邮政编码", "都道府县"]  # Japan's order: 〒, prefecture...
