"""A shipping tier's own transit days: validated, editable, used by the quote and estimate."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ShippingZone
from app.money import Money
from app.services.checkout import shipping_rates as shipping
from app.services.errors import ValidationFailed
from tests.conftest import csrf_from

pytest_plugins = ["tests.checkout_factories"]

ZONE = {"name": "Asia", "countries": "JP, KR", "free_over": "", "delivery_days_min": "4",
        "delivery_days_max": "9",
        "rates": [{"max_weight_grams": "2000", "price": "20"},
                  {"max_weight_grams": "", "price": "60", "transit_days_min": "25",
                   "transit_days_max": "40"}]}


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", with_product=False)


def parcel(shop, grams):
    profile = shipping.profiles_for([shop.store.id])[shop.store.id]
    return shipping.price_parcel(shop.store, profile, "JP", grams, Money(1000, "USD"))


def test_a_tier_with_its_own_transit_days_overrides_the_zone(shop):
    shipping.save_shipping_zone(shop.owner, shop.store.id, ZONE)
    db.session.commit()
    light, heavy = parcel(shop, 500), parcel(shop, 5000)
    assert (light.delivery_days_min, light.delivery_days_max) == (4, 9)  # the zone's
    assert (heavy.delivery_days_min, heavy.delivery_days_max) == (25, 40)


@pytest.mark.parametrize(("days", "field", "message"), [
    (("5", ""), "rates.1.transit_days_max", "Give both transit days"),
    (("", "5"), "rates.1.transit_days_min", "Give both transit days"),
    (("9", "3"), "rates.1.transit_days_max", "Must not be less than the minimum."),
    (("0", "121"), "rates.1.transit_days_max", "Use a whole number from 0 to 120."),
    (("-1", "3"), "rates.1.transit_days_min", "Use a whole number from 0 to 120."),
])
def test_transit_days_are_both_or_neither_and_within_0_to_120(shop, days, field, message):
    rates = [ZONE["rates"][0], {**ZONE["rates"][1], "transit_days_min": days[0],
                                "transit_days_max": days[1]}]
    with pytest.raises(ValidationFailed) as caught:
        shipping.save_shipping_zone(shop.owner, shop.store.id, {**ZONE, "rates": rates})
    db.session.rollback()
    assert caught.value.fields[field][0].startswith(message)


def test_zero_days_is_allowed(shop):
    rates = [{**ZONE["rates"][0], "transit_days_min": "0", "transit_days_max": "0"}]
    zone = shipping.save_shipping_zone(shop.owner, shop.store.id, {**ZONE, "rates": rates})
    assert (zone.rates[0].transit_days_min, zone.rates[0].transit_days_max) == (0, 0)


def test_the_merchant_edits_transit_days_on_the_zone_page(client, login, shop):
    login(shop.owner)
    url = f"/merchant/stores/{shop.store.id}/shipping/zones/new"
    token = csrf_from(client.get(url).get_data(as_text=True))
    form = {"name": "Asia", "countries": "JP", "free_over": "", "delivery_days_min": "4",
            "delivery_days_max": "9", "rates-0-max_weight_grams": "", "rates-0-price": "60",
            "rates-0-transit_days_min": "25", "rates-0-transit_days_max": "40"}
    response = client.post(url, data={**form, "csrf_token": token})
    assert response.status_code == 303
    zone = db.session.query(ShippingZone).filter_by(name="Asia").one()
    assert [(r.transit_days_min, r.transit_days_max) for r in zone.rates] == [(25, 40)]
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "arrives in 25–40 days" in listing
    edit = client.get(f"/merchant/stores/{shop.store.id}/shipping/zones/{zone.id}")
    assert 'name="rates-0-transit_days_min" type="text" value="25"' in edit.get_data(
        as_text=True)
    bad = client.post(f"/merchant/stores/{shop.store.id}/shipping/zones/{zone.id}",
                      data={**form, "rates-0-transit_days_max": "",
                            "csrf_token": csrf_from(edit.get_data(as_text=True))})
    assert bad.status_code == 422
    assert "Give both transit days, or leave both empty" in bad.get_data(as_text=True)
