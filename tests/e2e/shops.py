"""Stores and stocked products made in the live server's database for the journeys, and the
shopper's steps in the browser from a note's product tag to paying in the sandbox.
"""

from __future__ import annotations

import re
from datetime import timedelta

from app.core.transaction import commit
from app.extensions import db
from app.models import Membership, Order, Organization, Quote, Store, User, Warehouse, utcnow
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import load_market_rules
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.checkout_factories import ECB_SAMPLE, build_profile, default_zones
from tests.e2e.browser import Page, expect
from tests.localstripe_server import Sandbox


def open_store(owner: User, name: str, slug: str, currency: str, country: str) -> Store:
    """A merchant store owned by `owner`, one warehouse, shipping everywhere."""
    org = Organization(kind="merchant", name=name, slug=slug)
    db.session.add(org)
    db.session.add(Membership(organization=org, user=owner, role="owner"))
    store = Store(organization=org, name=name, slug=slug, base_currency=currency,
                  origin_country=country)
    db.session.add(store)
    db.session.flush()
    db.session.add(Warehouse(store_id=store.id, name="Main", city="Main city",
                             country=country))
    build_profile(store, default_zones(country))
    db.session.flush()
    return store


def stocked_product(owner: User, store: Store, *, title: str, sku: str, price: str,
                    hs_code: str, weight_grams: int, stock: int) -> int:
    """An active one-variant product with `stock` units received; its id."""
    product = catalog.create_product(owner, store.id, {
        "title": title, "hs_code": hs_code, "status": "active",
        "origin_country": store.origin_country, "weight_grams": weight_grams,
        "variants": [{"sku": sku, "price": price}]})
    db.session.flush()
    warehouse = db.session.query(Warehouse).filter_by(store_id=store.id).one()
    inventory.receive_stock(owner, store.id, product.variants[0].id, warehouse.id, stock,
                            reference=("test", "seed"))
    return product.id


def open_for_business() -> None:
    """Exchange rates an hour old (fresh enough to sell) and the shipped duty and tax rules."""
    snapshot = fx.import_ecb_rates(ECB_SAMPLE.read_bytes())
    snapshot.as_of = utcnow() - timedelta(hours=1)
    load_market_rules()


def pay_with_sandbox_card(shopper: User, quote: Quote, sandbox_url: str) -> Order:
    """Pay `quote` with the live sandbox's test card, as the pay page would; the order."""
    payment = payments.prepare_payment(shopper, quote.id, links=site_links)
    commit()
    payments.open_payment_intent(payment, links=site_links)
    payments.confirm_sandbox_payment(shopper, quote.id, Sandbox(sandbox_url).card_token(),
                                     links=site_links)
    commit()
    return db.session.query(Order).filter_by(quote_id=quote.id).one()


def add_from_note_tag(page: Page, note_id: int, title: str) -> str:
    """Open the note, tap the product's tag, add it to the cart; the price it showed."""
    page.goto(f"/notes/{note_id}")
    tag = page.get_by_test_id("tagged-product").filter(has_text=title)
    with page.expect_navigation():
        tag.click()
    expect(page).to_have_url(re.compile(rf"/products/\d+\?note={note_id}$"))
    expect(page.locator("h1")).to_contain_text(title)
    price = page.locator("[data-price]").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("add-to-cart").click()
    expect(page.locator(".flashes")).to_contain_text("Added to your cart.")
    return price


def fill_shipping_address(page: Page, address: dict[str, str]) -> None:
    """Fill the checkout's address form (country and currency keep the shopper's)."""
    form = page.get_by_test_id("address-form")
    for name in ("name", "line1", "city", "region", "postal_code"):
        form.locator(f"input[name={name}]").fill(address[name])


def pay_with_the_sandbox_card(page: Page) -> None:
    """Fill localstripe's card element (plain inputs) with the card that succeeds."""
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")
    page.get_by_test_id("pay-button").click()
