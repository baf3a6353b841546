"""Merchant shipping pages: zones, tiers and thresholds; staff read, admins edit, others 404."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ShippingZone
from tests.conftest import csrf_from

pytest_plugins = ["tests.checkout_factories"]


@pytest.fixture
def shop(make_checkout_shop):
    return make_checkout_shop("USD", "US", with_product=False)


def zone_form(**changes) -> dict:
    return {"name": "Europe", "countries": "DE, FR", "free_over": "80",
            "delivery_days_min": "4", "delivery_days_max": "9",
            "rates-0-max_weight_grams": "500", "rates-0-price": "12.50",
            "rates-1-max_weight_grams": "", "rates-1-price": "30", **changes}


def test_the_profile_lists_zones_rates_and_estimates(client, login, shop):
    login(shop.owner)
    response = client.get(f"/merchant/stores/{shop.store.id}/shipping")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('data-testid="zone"') == 2
    assert "Every other country" in html and "Up to 1000 g" in html
    assert "Free from $100.00" in html and "Delivery in 7–14 days" in html


def test_an_owner_adds_a_zone(client, login, shop):
    login(shop.owner)
    url = f"/merchant/stores/{shop.store.id}/shipping/zones/new"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**zone_form(), "csrf_token": token})
    assert response.status_code == 303
    zone = db.session.query(ShippingZone).filter_by(name="Europe").one()
    assert (zone.countries, zone.free_over_minor, zone.position) == (["DE", "FR"], 8000, 2)
    assert [(r.max_weight_grams, r.price_minor) for r in zone.rates] == [(500, 1250),
                                                                       (None, 3000)]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Germany, France" in html


def test_editing_shows_errors_next_to_each_input(client, login, shop):
    login(shop.owner)
    zone = shop.profile.zones[0]
    url = f"/merchant/stores/{shop.store.id}/shipping/zones/{zone.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Domestic"' in page and 'value="5.00"' in page
    response = client.post(url, data={**zone_form(countries="US", delivery_days_max="2",
                                                  **{"rates-0-price": "1.234"}),
                                      "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Must not be less than the minimum." in html
    assert "at most 2 decimals" in html
    db.session.expire_all()
    assert db.session.get(ShippingZone, zone.id).name == "Domestic"


def test_staff_see_but_cannot_change(client, login, shop):
    login(shop.staff)
    html = client.get(f"/merchant/stores/{shop.store.id}/shipping").get_data(as_text=True)
    assert 'data-testid="add-zone"' not in html and "you can see them" in html
    zone = shop.profile.zones[0]
    url = f"/merchant/stores/{shop.store.id}/shipping/zones/{zone.id}"
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={**zone_form(), "csrf_token": token}).status_code == 403
    assert client.post(url + "/delete", data={"csrf_token": token}).status_code == 403


def test_another_stores_staff_get_404(client, login, shop, make_checkout_shop):
    other = make_checkout_shop("USD", "US", with_product=False)
    login(other.owner)
    zone = shop.profile.zones[0]
    base = f"/merchant/stores/{shop.store.id}/shipping"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/zones/{zone.id}").status_code == 404
    token = csrf_from(client.get(f"/merchant/stores/{other.store.id}/shipping")
                      .get_data(as_text=True))
    assert client.post(f"{base}/zones/{zone.id}/delete",
                       data={"csrf_token": token}).status_code == 404
    # Their own store's URL with this store's zone id is no way in either.
    assert client.get(f"/merchant/stores/{other.store.id}/shipping/zones/{zone.id}"
                      ).status_code == 404


def test_deleting_a_zone(client, login, shop):
    login(shop.owner)
    zone = shop.profile.zones[0]
    page = client.get(f"/merchant/stores/{shop.store.id}/shipping").get_data(as_text=True)
    response = client.post(f"/merchant/stores/{shop.store.id}/shipping/zones/{zone.id}/delete",
                           data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    assert db.session.get(ShippingZone, zone.id) is None


def test_zone_countries_read_in_the_merchants_language(client, login, shop):
    shop.owner.locale = "zh"
    db.session.commit()
    login(shop.owner)
    html = client.get(f"/merchant/stores/{shop.store.id}/shipping").get_data(as_text=True)
    assert "美国" in html and "United States" not in html
