"""After checkout, a Singapore parcel split by the SGD 400 per-item limit says what was paid
and what is still due: the shopper's and the merchant's order pages, the confirmation e-mail,
the order API and the customs documents, from what the order recorded when it was paid.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.api.orders import order_json
from app.extensions import db
from app.models import MarketRule
from app.money import Money
from app.services.logistics import customs_documents as customs

pytest_plugins = ["tests.checkout_factories", "tests.customs_factories"]

WORLD = [{"name": "World", "countries": [], "free_over": None, "days": (5, 9),
          "rates": [(None, "16")]}]


def sgd(minor: int) -> str:
    return Money(minor, "SGD").format("en")


@pytest.fixture
def split_order(make_checkout_shop, make_paid_order):
    """A SGD 300 jacket and a SGD 500 watch from a Chinese store, SGD 16 shipping: 9 % GST on
    the jacket and its 6.00 of shipping at checkout (27.54), on the watch and its 10.00 of
    shipping on delivery (45.90).
    """
    shop = make_checkout_shop("SGD", "CN", zones=WORLD, sells_to=["SG"], price="300",
                              hs_code="620193", title="Jacket", skus=("JACKET",),
                              weight_grams=900)
    watch = shop.add_product(skus=("WATCH",), price="500", hs_code="910211", title="Watch",
                             weight_grams=100)
    order = make_paid_order([(shop.products[0].variants[0], 1), (watch.variants[0], 1)],
                            currency="SGD", country="SG")
    assert order.collected_at_checkout and order.taxes_minor == 2754
    assert order.assessment["due_on_delivery_minor"] == 4590  # recorded when it was paid
    assert order.total_minor == 30000 + 50000 + 1600 + 2754
    return shop, order


def test_the_order_pages_show_what_was_paid_and_what_is_due_on_delivery(
        app, client, login, split_order):
    shop, order = split_order
    login(order.user)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f"<dt>Taxes</dt><dd>{sgd(2754)}</dd>" in page
    assert (f'<dt>Import tax, due on delivery</dt><dd data-testid="order-due-charge">'
            f"{sgd(4590)}</dd>") in page
    assert f'data-testid="order-due-on-delivery">{sgd(4590)}<' in page
    assert f'data-testid="order-total">{sgd(order.total_minor)}<' in page

    staff = app.test_client()
    login(shop.owner, target=staff)
    merchant = staff.get(f"/merchant/stores/{shop.store.id}/orders/{order.id}").get_data(
        as_text=True)
    assert f'data-testid="order-import-tax">{sgd(2754)}<' in merchant
    assert (f'Import tax, due on delivery</dt><dd data-testid="order-due-charge">'
            f"{sgd(4590)}<") in merchant
    assert f'data-testid="order-due-on-delivery">{sgd(4590)}<' in merchant


def test_the_order_keeps_what_was_due_when_the_rule_changes_later(client, login, split_order):
    _shop, order = split_order
    rule = db.session.scalar(select(MarketRule).where(MarketRule.country == "SG",
                                                      MarketRule.effective_to.is_(None)))
    rule.vat_rate, rule.checkout_limit_per_item = Decimal("0.20"), False
    db.session.commit()
    login(order.user)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert f'data-testid="order-due-on-delivery">{sgd(4590)}<' in page
    assert order_json(order)["due_on_delivery"] == Money(4590, "SGD").to_api()


def test_the_confirmation_email_shows_both(split_order, outbox):
    _shop, order = split_order
    (mail,) = outbox("order_confirmation", to=order.user.email)
    assert f"Duties and taxes: {sgd(2754)}" in mail.body_text
    assert f"Import tax, due on delivery: {sgd(4590)}" in mail.body_text
    assert f"Due on delivery to the carrier (estimate): {sgd(4590)}" in mail.body_text
    assert "Import tax, due on delivery" in mail.body_html and sgd(4590) in mail.body_html


def test_customs_documents_do_not_claim_ddp_for_what_the_buyer_pays_on_delivery(
        read_pdf, split_order):
    shop, order = split_order
    declaration = customs.gather_customs_declaration(shop.staff, shop.store.id, order.id)
    assert declaration.incoterm == "DAP"
    assert {line.sku: line.paid_at_checkout for line in declaration.lines} == {
        "JACKET": True, "WATCH": False}
    for kind in ("cn23", "commercial-invoice"):
        text = read_pdf(customs.render_customs_document(
            shop.staff, shop.store.id, order.id, kind, compress=False).content)
        assert "DDP" not in text and "DAP" in text, kind
        assert "Jacket (*)" in text and "Watch (*)" not in text, kind
        assert "were paid at checkout (27.54 SGD)" in " ".join(text.split()), kind
    invoice = read_pdf(customs.render_customs_document(
        shop.staff, shop.store.id, order.id, "commercial-invoice", compress=False).content)
    assert "Duties and taxes paid: 27.54 SGD" in invoice


def test_a_split_parcel_carries_the_platforms_sg_gst_number(app, read_pdf, split_order):
    # GST on the jacket was collected at checkout under the platform's registration; the
    # watch's is collected on delivery, which the (*) marks and DAP already say.
    app.config["PLATFORM_SG_GST_NUMBER"] = "M90312345A"
    shop, order = split_order
    for kind in ("cn23", "commercial-invoice", "packing-slip"):
        text = read_pdf(customs.render_customs_document(
            shop.staff, shop.store.id, order.id, kind, compress=False).content)
        assert "SG GST: M90312345A" in text, kind
