"""Checkout to Berlin in a real browser: the address form follows the chosen country.

A shopper with a T-shirt from a US store (made in Vietnam) in the cart opens checkout:
switching the country to Japan puts the postal code and the prefecture first, to the US
shows "State" and "ZIP code"; a Berlin address in euros gives a quote whose duty is the
EU's flat EUR 3 per tariff subheading and names the rule it came from.
"""

from __future__ import annotations

import re
import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Product, User, utcnow
from app.services.accounts.passwords import hash_password
from tests.checkout_factories import address_for
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in
from tests.e2e.shops import (
    open_for_business,
    open_store,
    stocked_product,
)


@pytest.fixture
def berlin_cast(live_server):
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        owner = User(email=f"tee-owner-{tag}@example.com", password_hash=hashed,
                     display_name=f"Tee {tag}", home_country="US", email_verified_at=utcnow())
        shopper = User(email=f"lena-{tag}@example.com", password_hash=hashed,
                       display_name=f"Lena {tag}", home_country="DE",
                       email_verified_at=utcnow(), locale="en", currency="EUR",
                       ship_to_country="DE")
        db.session.add_all([owner, shopper])
        db.session.flush()
        store = open_store(owner, f"Brooklyn Tees {tag}", f"bk-tees-{tag}", "USD", "US")
        product_id = stocked_product(owner, store, title=f"Cotton tee {tag}", sku=f"TEE-{tag}",
                                     price="30.00", hs_code="610910", weight_grams=200,
                                     stock=10)
        db.session.get(Product, product_id).origin_country = "VN"
        commit()
        cast = {"shopper": shopper.email, "product_id": product_id}
        db.session.remove()
    return cast


def test_the_address_form_follows_the_country_and_berlin_pays_the_flat_eu_duty(
        page: Page, live_server, berlin_cast):
    log_in(page, berlin_cast["shopper"])
    page.goto(f"/products/{berlin_cast['product_id']}")
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    page.goto("/checkout")
    form = page.get_by_test_id("address-form")
    fields = form.locator("#address-fields > [data-field]")

    form.locator("select[name=country]").select_option("JP")
    expect(fields.nth(0)).to_have_attribute("data-field", "postal_code")
    expect(fields.nth(1)).to_have_attribute("data-field", "region")
    expect(fields.nth(1).locator("label")).to_have_text("Prefecture")

    form.locator("select[name=country]").select_option("US")
    expect(fields.nth(0)).to_have_attribute("data-field", "name")
    expect(form.locator("[data-field=region] label")).to_have_text("State")
    expect(form.locator("[data-field=postal_code] label")).to_have_text("ZIP code")

    form.locator("select[name=country]").select_option("DE")
    berlin = address_for("DE")
    for name in ("name", "line1", "city", "postal_code"):
        form.locator(f"input[name={name}]").fill(berlin[name])
    form.locator("select[name=currency]").select_option("EUR")
    with page.expect_navigation():
        page.get_by_test_id("get-quote").click()
    expect(page).to_have_url(re.compile(r"/checkout/quotes/\d+$"))
    expect(page.get_by_test_id("duties")).to_have_text(re.compile(r"€3\.00"))
    charges = page.get_by_test_id("charges")
    charges.locator("summary").click()
    expect(charges.locator("[data-kind=duty]")).to_contain_text("EUR 3 duty per item")
    expect(charges.locator("[data-origin=VN]")).to_be_visible()
