"""The checkout journey in a real browser, against localstripe, on a phone and a desktop.

A shopper in Japan paying in JPY opens a creator's note, taps its two product tags (a
store in China selling in CNY, one in the US selling in USD) and adds both products to the
cart, checks out to a Tokyo address, sees the landed cost per store in yen with the
exchange rates, pays with localstripe's card element and sees both orders paid. The
Chinese store's owner then refunds one unit of the order with restock, and the refund
shows on the merchant's and on the shopper's order page.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Product, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.catalog import products as catalog
from app.services.social import notes
from app.services.social.product_tags import TagInput
from tests.checkout_factories import address_for
from tests.e2e.browser import expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.e2e.shops import (
    add_from_note_tag,
    fill_shipping_address,
    open_for_business,
    open_store,
    pay_with_the_sandbox_card,
    stocked_product,
)
from tests.notes_factories import image_bytes

YEN = re.compile(r"^JP¥\d{1,3}(,\d{3})*$")  # whole yen: JPY has no minor unit


def yen(text: str) -> int:
    """The amount of a `JP¥12,345` display, after checking it has no decimals."""
    text = text.strip()
    assert YEN.match(text), f"not a whole-yen amount: {text!r}"
    return int(text.removeprefix("JP¥").replace(",", ""))


@pytest.fixture
def cast(live_server):
    """Two stores ready to sell to Japan, a note tagging one product of each, a shopper."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        people = {role: User(email=f"{role}-{tag}@example.com", password_hash=hashed,
                             display_name=f"{name} {tag}", home_country=country,
                             email_verified_at=utcnow(), **prefs)
                  for role, name, country, prefs in (
                      ("tea_owner", "Lin", "CN", {}),
                      ("knit_owner", "Jo", "US", {}),
                      ("creator", "Xiaohong", "CN", {}),
                      ("shopper", "Aiko", "JP", {"locale": "en", "currency": "JPY",
                                                 "ship_to_country": "JP"}))}
        db.session.add_all(people.values())
        db.session.flush()
        tea_store = open_store(people["tea_owner"], f"Hangzhou Tea {tag}", f"hz-tea-{tag}",
                               "CNY", "CN")
        knit_store = open_store(people["knit_owner"], f"Brooklyn Knits {tag}",
                                f"bk-knits-{tag}", "USD", "US")
        # Under Japan's JPY 10,000 exemption: no duty or tax. Above it: due on delivery.
        tea_id = stocked_product(people["tea_owner"], tea_store,
                                 title=f"Dragon Well tea {tag}", sku=f"TEA-{tag}",
                                 price="89.00", hs_code="090210", weight_grams=200, stock=10)
        knit_id = stocked_product(people["knit_owner"], knit_store,
                                  title=f"Merino sweater {tag}", sku=f"KNIT-{tag}",
                                  price="120.00", hs_code="611030", weight_grams=400,
                                  stock=5)
        for owner, product_id, colour in ((people["tea_owner"], tea_id, (60, 140, 60)),
                                          (people["knit_owner"], knit_id, (90, 90, 160))):
            catalog.add_product_image(owner, db.session.get(Product, product_id).store_id,
                                      product_id, image_bytes(size=(400, 400), color=colour))
        note = notes.create_note(
            people["creator"], title=f"My Tokyo autumn picks {tag}",
            body="Tea and a warm sweater #autumn",
            images=[notes.ImageUpload(image_bytes(size=(600, 800)), "picks.jpg")],
            product_tags=[TagInput(0, 30, 40, tea_id), TagInput(0, 60, 70, knit_id)])
        commit()
        cast = {
            "shopper": people["shopper"].email, "tea_owner": people["tea_owner"].email,
            "note_id": note.id, "tea_store_id": tea_store.id,
            "tea_store": tea_store.name, "knit_store": knit_store.name,
            "tea": f"Dragon Well tea {tag}", "knit": f"Merino sweater {tag}",
            "tea_sku": f"TEA-{tag}",
            "prices": {f"Dragon Well tea {tag}": Decimal("89.00"),
                       f"Merino sweater {tag}": Decimal("120.00")},
        }
        db.session.remove()
    return cast


def test_buy_from_two_stores_in_yen_then_the_merchant_refunds_a_line(
        page, live_server, live_stripe_sandbox, cast):
    log_in(page, cast["shopper"])

    # From the note to the cart, one tag at a time.
    shown = {title: yen(add_from_note_tag(page, cast["note_id"], title))
             for title in (cast["tea"], cast["knit"])}
    page.goto("/cart")
    # The header counts the units; every line shows its product's photo.
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    expect(page.get_by_test_id("line-thumb")).to_have_count(2)
    assert all(page.get_by_test_id("line-thumb").evaluate_all(
        "images => images.map(i => i.complete && i.naturalWidth > 0)"))
    stores = page.get_by_test_id("cart-store")
    expect(stores).to_have_count(2)
    expect(stores.filter(has_text=cast["tea_store"])).to_contain_text(cast["tea"])
    expect(stores.filter(has_text=cast["knit_store"])).to_contain_text(cast["knit"])
    expect(page.get_by_test_id("subtotal")).to_have_text(f"JP¥{sum(shown.values()):,}")

    # A Tokyo address, in yen.
    with page.expect_navigation():
        page.get_by_test_id("checkout").click()
    fill_shipping_address(page, address_for("JP"))
    form = page.get_by_test_id("address-form")
    expect(form.locator("select[name=country]")).to_have_value("JP")
    expect(form.locator("select[name=currency]")).to_have_value("JPY")
    with page.expect_navigation():
        page.get_by_test_id("get-quote").click()

    # The landed cost per store: items, shipping, duties and taxes, all in whole yen.
    groups = page.get_by_test_id("quote-group")
    expect(groups).to_have_count(2)
    tea = groups.filter(has_text=cast["tea_store"])
    knit = groups.filter(has_text=cast["knit_store"])
    group_totals = 0
    for group, title in ((tea, cast["tea"]), (knit, cast["knit"])):
        line = group.get_by_test_id("quote-line")
        expect(line).to_have_count(1)
        expect(line).to_contain_text(f"1 × {title}")
        assert yen(line.locator("td.amount").inner_text()) == shown[title]
        assert yen(group.get_by_test_id("shipping").inner_text()) > 0
        group_totals += yen(group.get_by_test_id("group-total").inner_text())
    expect(tea.get_by_test_id("no-duties")).to_have_text("None")
    expect(tea.get_by_test_id("duty-mode")).to_contain_text("No duties or import taxes")
    expect(tea.get_by_test_id("relief")).to_contain_text("Exempt: the goods")
    # Above the allowance: duty and import tax each on a line, summed as due on delivery.
    expect(knit.get_by_test_id("relief")).to_contain_text(
        "No exemption: the goods (JP¥")
    expect(knit.get_by_test_id("relief")).to_contain_text("more than the JP¥10,000 allowance")
    due = yen(knit.get_by_test_id("due-on-delivery").inner_text())
    assert due == yen(knit.get_by_test_id("duties").inner_text()) \
        + yen(knit.get_by_test_id("taxes").inner_text()) > 0
    assert yen(page.get_by_test_id("total-due-on-delivery").inner_text()) == due
    expect(knit.get_by_test_id("duty-mode")).to_contain_text(
        "the carrier collects them on delivery")
    expect(page.get_by_test_id("line-thumb")).to_have_count(2)
    total = yen(page.get_by_test_id("total").inner_text())
    assert total == group_totals
    # The rate lines, and each line's yen price is the store's price at that rate.
    rates = page.get_by_test_id("rate").locator("li")
    expect(rates).to_have_count(2)
    for currency, title in (("CNY", cast["tea"]), ("USD", cast["knit"])):
        rate_line = rates.filter(has_text=f"1 {currency} = ")
        expect(rate_line).to_have_text(re.compile(
            rf"Exchange rate: 1 {currency} = [\d.]+ JPY \(ECB, \d{{4}}-\d{{2}}-\d{{2}}, "
            r"conversion fee included\)"))
        rate = Decimal(re.search(r"= ([\d.]+) JPY", rate_line.inner_text()).group(1))
        assert (cast["prices"][title] * rate).quantize(Decimal(1)) == shown[title]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"checkout-quote-{page.viewport_name}.png"),
                    full_page=True)

    # Pay with localstripe's card element (its Stripe.js renders plain inputs).
    with page.expect_navigation():
        page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("pay-total")).to_have_text(f"JP¥{total:,}")
    pay_with_the_sandbox_card(page)
    expect(page).to_have_url(re.compile(r"/checkout/quotes/\d+/complete$"))
    expect(page.get_by_test_id("payment-state")).to_have_attribute("data-state", "succeeded")
    expect(page.locator("h1")).to_have_text("Thank you! Your order is placed.")
    placed = page.get_by_test_id("placed-order")
    expect(placed).to_have_count(2)
    assert sum(yen(text.rsplit("—", 1)[1]) for text in placed.all_inner_texts()) == total

    # Both orders are paid.
    page.goto("/orders")
    rows = page.get_by_test_id("order-row")
    expect(rows).to_have_count(2)
    expect(rows.get_by_test_id("line-thumb")).to_have_count(2)
    expect(page.get_by_test_id("cart-count")).to_have_count(0)  # bought: the cart is empty
    for store in (cast["tea_store"], cast["knit_store"]):
        expect(rows.filter(has_text=store).locator("[data-status]")).to_have_text("Paid")
    tea_order_url = rows.filter(has_text=cast["tea_store"]).locator("a").get_attribute("href")
    log_out(page)

    # The tea store's owner refunds the tea, putting it back in stock.
    log_in(page, cast["tea_owner"])
    page.goto(f"/merchant/stores/{cast['tea_store_id']}/orders")
    queued = page.get_by_test_id("queue-row")
    expect(queued).to_have_count(1)
    expect(queued.locator("[data-status]")).to_have_text("Paid")
    with page.expect_navigation():
        queued.locator("a").first.click()
    refund_form = page.get_by_test_id("refund-form")
    refund_form.get_by_label(f"Units of {cast['tea_sku']} to refund").fill("1")
    refund_form.get_by_label("Put the units back in stock").check()
    refund_form.locator("textarea[name=reason]").fill("Tin arrived dented")
    with page.expect_navigation():
        page.get_by_test_id("refund-button").click()
    tea_price = f"JP¥{shown[cast['tea']]:,}"
    expect(page.locator(".flashes")).to_contain_text(f"Refunded {tea_price}.")
    expect(page.get_by_test_id("refund-row")).to_have_attribute("data-state", "succeeded")
    expect(page.get_by_test_id("refund-row")).to_contain_text(tea_price)
    expect(page.get_by_test_id("order-refunded")).to_have_text(tea_price)
    expect(page.locator("h2 [data-status]")).to_have_text("Partly refunded")
    # Restocked: 10 received, 1 sold, 1 back.
    page.goto(f"/merchant/stores/{cast['tea_store_id']}/inventory")
    stock_row = page.locator(f"tr[data-sku='{cast['tea_sku']}']")
    expect(stock_row.get_by_test_id("on-hand")).to_have_text("10")
    expect(stock_row.get_by_test_id("available")).to_have_text("10")
    log_out(page)

    # The shopper sees it on the order.
    log_in(page, cast["shopper"])
    page.goto(tea_order_url)
    expect(page.locator("h1 [data-status]")).to_have_text("Partly refunded")
    expect(page.get_by_test_id("order-refunded")).to_have_text(tea_price)
    expect(page.get_by_test_id("order-line")).to_contain_text("(1 refunded)")
    expect(page.get_by_test_id("relief")).to_contain_text("Exempt: the goods")
