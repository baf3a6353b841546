"""Changing language or currency in the header keeps the shopper on the form they were typing.

A checkout address that failed to quote is a POST result: switching the currency from the
header used to land on Discover with the typed address gone.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Product, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.checkout import cart
from tests.e2e.browser import expect
from tests.e2e.session import PASSWORD, log_in
from tests.e2e.shops import (
    open_for_business,
    open_store,
    stocked_product,
)


@pytest.fixture
def shopper_with_cart(live_server):
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        owner = User(email=f"owner-{tag}@example.com", password_hash=hashed,
                     display_name=f"Jo {tag}", home_country="US", email_verified_at=utcnow())
        shopper = User(email=f"shopper-{tag}@example.com", password_hash=hashed,
                       display_name=f"Aiko {tag}", home_country="JP",
                       email_verified_at=utcnow(), locale="en", currency="USD",
                       ship_to_country="JP")
        db.session.add_all([owner, shopper])
        db.session.flush()
        store = open_store(owner, f"Brooklyn Knits {tag}", f"bk-{tag}", "USD", "US")
        product_id = stocked_product(owner, store, title=f"Merino scarf {tag}",
                                     sku=f"SCARF-{tag}", price="40.00", hs_code="611710",
                                     weight_grams=150, stock=5)
        variant_id = db.session.get(Product, product_id).variants[0].id
        cart.add_item(cart.open_cart(user=shopper), variant_id, 1, ship_to="JP")
        commit()
        email = shopper.email
        db.session.remove()
    return email


def test_switching_currency_after_a_failed_checkout_keeps_the_typed_address(
        page, live_server, shopper_with_cart):
    log_in(page, shopper_with_cart)
    page.goto("/checkout")
    form = page.get_by_test_id("address-form")
    form.locator("input[name=name]").fill("Aiko Tanaka")
    form.locator("input[name=line1]").fill("1-2-3 Jingumae")
    form.locator("input[name=postal_code]").fill("150-0001")
    # No city: the quote refuses it and the page is the POST's answer.
    with page.expect_navigation():
        page.get_by_test_id("get-quote").click()
    expect(page.locator("main")).to_contain_text("City")
    toggle = page.locator("button.nav-toggle")  # the phone's header menu
    if toggle.is_visible():
        toggle.click()
    with page.expect_navigation():
        page.locator("header select[name=currency]").select_option("JPY")
    expect(page).to_have_url(f"{live_server.url}/checkout")
    form = page.get_by_test_id("address-form")
    expect(form.locator("input[name=name]")).to_have_value("Aiko Tanaka")
    expect(form.locator("input[name=line1]")).to_have_value("1-2-3 Jingumae")
    expect(form.locator("input[name=postal_code]")).to_have_value("150-0001")
    expect(page.locator("header select[name=currency]")).to_have_value("JPY")
