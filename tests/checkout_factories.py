"""Checkout fixtures shared by the cart, quote and payment tests.

Load them in a test module with `pytest_plugins = ["tests.checkout_factories"]`, then:

    def test_something(make_checkout_shop, make_quote, make_user):
        shop = make_checkout_shop(currency="USD", country="US")
        quote = make_quote(make_user(), [(shop.variants[0], 2)], currency="JPY", country="JP")

`fx_snapshot` loads tests/data/ecb-eurofxref-sample.xml as of an hour ago (the file's
own date would be stale), and `market_rules` the shipped duty and tax rules;
`make_quote` asks for both. `checkout_address(country, **changes)` gives a complete
address for a country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import (
    FxSnapshot,
    Order,
    Product,
    ProductVariant,
    Quote,
    ShippingProfile,
    ShippingRate,
    ShippingZone,
    Store,
    User,
    Warehouse,
    utcnow,
)
from app.money import Money
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.checkout import cart, quotes
from app.services.fx import conversion as fx
from app.services.markets.landed_cost import load_market_rules
from app.services.orders.lifecycle import orders_for_quote
from app.services.payments import quote_payments as payments
from app.web.links import site_links

ECB_SAMPLE = Path(__file__).resolve().parent / "data" / "ecb-eurofxref-sample.xml"

# A valid address per destination (every field the country requires is filled in).
ADDRESSES = {
    "US": {"name": "Mia Shopper", "line1": "350 Fifth Avenue", "line2": "Apt 5", "city":
           "New York", "region": "NY", "postal_code": "10118", "country": "US",
           "phone": "+1 212 555 0100"},
    "JP": {"name": "Aiko Tanaka", "line1": "1-1 Chiyoda", "line2": "", "city": "Tokyo",
           "region": "Tokyo", "postal_code": "100-0001", "country": "JP", "phone": ""},
    "GB": {"name": "Mo Moderator", "line1": "10 Downing Street", "line2": "", "city":
           "London", "region": "", "postal_code": "SW1A 2AA", "country": "GB", "phone": ""},
    "CN": {"name": "Xiaohong", "line1": "88 Nanjing Road", "line2": "", "city": "Shanghai",
           "region": "Shanghai", "postal_code": "200001", "country": "CN",
           "phone": "+86 138 0013 8000"},
    "DE": {"name": "Lena Vogel", "line1": "Unter den Linden 1", "line2": "", "city": "Berlin",
           "region": "", "postal_code": "10117", "country": "DE", "phone": ""},
    "CA": {"name": "Sam Lee", "line1": "1 Yonge Street", "line2": "", "city": "Toronto",
           "region": "ON", "postal_code": "M5E 1W7", "country": "CA", "phone": ""},
    "AU": {"name": "Ruby Hall", "line1": "1 Macquarie Street", "line2": "", "city": "Sydney",
           "region": "NSW", "postal_code": "2000", "country": "AU", "phone": ""},
    "KR": {"name": "Kim Minji", "line1": "1 Sejong-daero", "line2": "", "city": "Jongno-gu",
           "region": "Seoul", "postal_code": "03187", "country": "KR", "phone": ""},
    "HK": {"name": "Chan Tai Man", "line1": "1 Nathan Road", "line2": "", "city": "Tsim Sha Tsui",
           "region": "Kowloon", "postal_code": "", "country": "HK", "phone": ""},
    "FR": {"name": "Camille Martin", "line1": "1 rue de Rivoli", "line2": "", "city": "Paris",
           "region": "", "postal_code": "75001", "country": "FR", "phone": ""},
    "NL": {"name": "Sanne de Vries", "line1": "Dam 1", "line2": "", "city": "Amsterdam",
           "region": "", "postal_code": "1012 JS", "country": "NL", "phone": ""},
    "SG": {"name": "Tan Wei", "line1": "1 Raffles Place", "line2": "", "city": "Singapore",
           "region": "", "postal_code": "048616", "country": "SG", "phone": ""},
}


def address_for(country: str, **changes: str) -> dict[str, str]:
    """A complete shipping address in `country` (a generic one for countries not listed)."""
    base = ADDRESSES.get(country.upper(), {
        "name": "Alex Doe", "line1": "1 Main Street", "line2": "", "city": "Capital",
        "region": "", "postal_code": "12345", "country": country.upper(), "phone": ""})
    return {**base, **changes}


def default_zones(country: str) -> list[dict]:
    """Domestic (free over 100, 5 up to 1 kg, else 9) and the rest of the world.

    Amounts are whole major units of the store's currency, valid in any currency.
    """
    return [
        {"name": "Domestic", "countries": [country], "free_over": "100",
         "days": (2, 5), "rates": [(1000, "5"), (None, "9")]},
        {"name": "Rest of world", "countries": [], "free_over": None,
         "days": (7, 14), "rates": [(500, "15"), (2000, "25"), (None, "40")]},
    ]


@dataclass
class CheckoutShop:
    """A store ready to sell: owner, staff, one warehouse, a shipping profile, products."""

    owner: User
    staff: User
    store: Store
    warehouse: Warehouse
    profile: ShippingProfile
    products: list[Product] = field(default_factory=list)

    @property
    def variants(self) -> list[ProductVariant]:
        """Every variant of every product, in creation order."""
        return [v for p in self.products for v in p.variants]

    def variant(self, sku: str) -> ProductVariant:
        """The variant with this SKU."""
        return next(v for v in self.variants if v.sku == sku)

    def add_product(self, *, skus: tuple[str, ...] = ("TEA-S", "TEA-L"), price: str = "25",
                    stock: int | dict[str, int] = 20, weight_grams: int | None = 200,
                    hs_code: str = "090210", fixed_prices: dict[str, list] | None = None,
                    title: str = "Dragon Well tea", **fields) -> Product:
        """An active product with one variant per SKU and stock in the warehouse.

        `stock` is one quantity for every SKU or a mapping SKU -> quantity;
        `fixed_prices` maps SKU -> [{"amount", "currency"}, ...].
        """
        payload = {
            "title": title, "hs_code": hs_code, "status": "active",
            "origin_country": self.store.origin_country, "weight_grams": weight_grams,
            "variants": [{"sku": sku, "price": price,
                          "fixed_prices": (fixed_prices or {}).get(sku, []),
                          **({"options": {"Size": sku.rsplit("-", 1)[-1]}}
                             if len(skus) > 1 else {})} for sku in skus],
            **fields,
        }
        product = catalog.create_product(self.owner, self.store.id, payload)
        db.session.flush()
        for variant in product.variants:
            quantity = stock.get(variant.sku, 0) if isinstance(stock, dict) else stock
            if quantity:
                inventory.receive_stock(self.owner, self.store.id, variant.id,
                                        self.warehouse.id, quantity,
                                        reference=("test", "seed"))
        db.session.commit()
        self.products.append(product)
        return product


def build_profile(store: Store, zones: list[dict]) -> ShippingProfile:
    """A shipping profile from plain zone dicts (see `default_zones`)."""
    profile = ShippingProfile(store_id=store.id, name="Standard")
    for position, spec in enumerate(zones):
        free_over = spec.get("free_over")
        zone = ShippingZone(
            name=spec["name"], position=position, countries=list(spec["countries"]),
            free_over_minor=None if free_over is None
            else Money.from_decimal(free_over, store.base_currency).minor,
            delivery_days_min=spec["days"][0], delivery_days_max=spec["days"][1])
        zone.rates = [ShippingRate(max_weight_grams=weight,
                                   price_minor=Money.from_decimal(price,
                                                                  store.base_currency).minor)
                      for weight, price in spec["rates"]]
        profile.zones.append(zone)
    db.session.add(profile)
    return profile


@pytest.fixture
def checkout_address():
    """`address_for` as a fixture, so test modules need not import this one."""
    return address_for


@pytest.fixture
def fx_snapshot(app) -> FxSnapshot:
    """The ECB sample rates, dated an hour ago so they count as fresh."""
    snapshot = fx.import_ecb_rates(ECB_SAMPLE.read_bytes())
    snapshot.as_of = utcnow() - timedelta(hours=1)
    db.session.commit()
    return snapshot


@pytest.fixture
def market_rules(app) -> int:
    """The shipped duty and import-tax rules (app/data/market_rules.json)."""
    added = load_market_rules()
    db.session.commit()
    return added


@pytest.fixture
def make_checkout_shop(make_org, make_user):
    """A factory of stores ready to sell; see CheckoutShop.add_product for the product."""
    counter = {"n": 0}

    def factory(currency: str = "USD", country: str = "US", *, zones: list[dict] | None = None,
                with_product: bool = True, sells_to: list[str] | None = None,
                **product_fields) -> CheckoutShop:
        counter["n"] += 1
        owner, staff = make_user(), make_user()
        org = make_org("merchant", owner=owner, members={staff: "staff"},
                       name=f"Checkout store {counter['n']}")
        store = org.store
        store.base_currency = currency
        store.origin_country = country
        store.sells_to = list(sells_to or [])
        warehouse = Warehouse(store_id=store.id, name="Main", city="Main city",
                              country=country)
        db.session.add(warehouse)
        profile = build_profile(store, default_zones(country) if zones is None else zones)
        db.session.commit()
        shop = CheckoutShop(owner=owner, staff=staff, store=store, warehouse=warehouse,
                            profile=profile)
        if with_product:
            skus = product_fields.pop("skus", None) or (
                f"S{counter['n']}-TEA-S", f"S{counter['n']}-TEA-L")
            shop.add_product(skus=skus, **product_fields)
        return shop

    return factory


@pytest.fixture
def make_quote(app, fx_snapshot, market_rules):
    """Put `items` in the user's cart (replacing it) and quote them; committed."""

    def factory(user: User, items: list[tuple[ProductVariant, int]], currency: str = "JPY",
                country: str = "JP", *, address: dict | None = None,
                now: datetime | None = None, note_id: int | None = None) -> Quote:
        cart.clear_cart(user)
        for variant, quantity in items:
            cart.add_item(cart.open_cart(user=user), variant.id, quantity, note_id=note_id,
                          ship_to=country)
        quote = quotes.create_quote(user, currency, address or address_for(country), now=now)
        db.session.commit()
        return quote

    return factory


@pytest.fixture
def make_sandbox_order(request, make_user, make_quote):
    """Buy a shop's first variant, paid with the sandbox card: the store's order (committed).

    Needs the `tests.localstripe_server` plugin beside this one (for `stripe_sandbox`).
    """

    def factory(shop: CheckoutShop, quantity: int = 1, *, currency: str = "USD",
                country: str = "US", shopper: User | None = None,
                note_id: int | None = None) -> Order:
        sandbox = request.getfixturevalue("stripe_sandbox")
        shopper = shopper or make_user()
        quote = make_quote(shopper, [(shop.variants[0], quantity)], currency=currency,
                           country=country, note_id=note_id)
        payment = payments.prepare_payment(shopper, quote.id, links=site_links)
        db.session.commit()
        payments.open_payment_intent(payment, links=site_links)
        payments.confirm_sandbox_payment(shopper, quote.id, sandbox.card_token(),
                                         links=site_links)
        db.session.commit()
        return orders_for_quote(quote.id)[0]

    return factory
