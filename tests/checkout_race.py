"""The last-units checkout race, shared by its test and its benchmark.

A Chinese tea store has a few units of one SKU left; many Japanese shoppers have it
in their cart and check out at the same moment, paying in JPY through the sandbox.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from app.core.transaction import commit
from app.extensions import db
from app.models import Membership, Organization, Store, User, Warehouse, utcnow
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.checkout import cart, quotes
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import load_market_rules
from app.services.payments import quote_payments as payments
from app.web.links import site_links
from tests.checkout_factories import ECB_SAMPLE, address_for, build_profile, default_zones
from tests.localstripe_server import Sandbox


def seed_last_units(app: Flask, *, units: int, shoppers: int, tag: str = "race"
                    ) -> tuple[int, list[int]]:
    """The store with `units` left and `shoppers` users with one in their cart (committed)."""
    with app.app_context():
        owner = User(email=f"owner@{tag}.test", password_hash="x", display_name="Owner")
        org = Organization(kind="merchant", name=f"Tea {tag}", slug=f"tea-{tag}")
        store = Store(organization=org, name=f"Tea {tag}", slug=f"tea-{tag}",
                      base_currency="CNY", origin_country="CN")
        warehouse = Warehouse(store=store, name="Hangzhou", country="CN")
        db.session.add_all([owner, org, store, warehouse,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        build_profile(store, default_zones("CN"))
        product = catalog.create_product(owner, store.id, {
            "title": "Dragon Well tea", "hs_code": "090210", "status": "active",
            "origin_country": "CN", "weight_grams": 200,
            "variants": [{"sku": f"LAST-{tag}".upper(), "price": "88.00"}]})
        db.session.flush()
        variant = product.variants[0]
        inventory.receive_stock(owner, store.id, variant.id, warehouse.id, units)
        snapshot = fx.import_ecb_rates(ECB_SAMPLE.read_bytes())
        snapshot.as_of = utcnow() - timedelta(hours=1)
        load_market_rules()
        people = [User(email=f"shopper{i}@{tag}.test", password_hash="x",
                       display_name=f"Shopper {i}") for i in range(shoppers)]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            cart.add_item(cart.open_cart(user=person), variant.id, 1, ship_to="JP")
        commit()
        ids = variant.id, [p.id for p in people]
        db.session.remove()
    return ids


def check_out(shopper_id: int, sandbox: Sandbox) -> str:
    """One shopper's whole checkout, committing where the web routes commit."""
    shopper = db.session.get(User, shopper_id)
    quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
    commit()  # the units are held for this shopper from here on
    payment = payments.prepare_payment(shopper, quote.id, links=site_links)
    commit()  # the idempotency key is stored before Stripe is called
    payments.open_payment_intent(payment, links=site_links)
    commit()
    payments.confirm_sandbox_payment(shopper, quote.id, sandbox.card_token(), links=site_links)
    commit()  # the orders
    return "paid"
