"""The parcel journey in a real browser: ship, customs papers, tracking, return, refund.

A Hangzhou teaware store ships one of an order's two lines with a China Post S10 number,
opens the CN23 and adds a USPS last-mile leg. The carriers' scans reach the signed
tracking webhook out of order. The shopper, who reads Qiao in Chinese on Tokyo time, sees
the parcel held and then released by customs and delivered, in their own zone. They ask
to return the line and post it back; the merchant approves, receives it and the refund
shows on both sides.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import urllib.request
import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from babel.dates import format_date

from app.core.transaction import commit
from app.extensions import db
from app.models import Product, User, Warehouse, utcnow
from app.services.accounts.passwords import hash_password
from app.services.checkout import cart, quotes
from app.services.logistics import check_digits
from tests.checkout_factories import address_for
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.e2e.shops import (
    open_for_business,
    open_store,
    pay_with_sandbox_card,
    stocked_product,
)

TOKYO_HOURS = 9  # Japan keeps no daylight saving time
HELD, RELEASED = "海关扣留", "海关已放行"


def s10_number(serial: str, country: str) -> str:
    return f"LX{serial}{check_digits.s10_check_digit(serial)}{country}"


def usps_number(body: str) -> str:
    return f"{body}{check_digits.mod10_3_1_check_digit(body)}"


@pytest.fixture
def parcel_cast(live_server, live_stripe_sandbox):
    """A paid order of a teapot and a tea from Hangzhou to New York, nothing shipped."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        owner = User(email=f"teaware-{tag}@example.com", password_hash=hashed,
                     display_name=f"Lin {tag}", home_country="CN", email_verified_at=utcnow())
        shopper = User(email=f"mei-{tag}@example.com", password_hash=hashed,
                       display_name=f"Mei {tag}", home_country="US", locale="zh",
                       currency="USD", ship_to_country="US", time_zone="Asia/Tokyo",
                       email_verified_at=utcnow())
        db.session.add_all([owner, shopper])
        db.session.flush()
        store = open_store(owner, f"Hangzhou Teaware {tag}", f"hz-teaware-{tag}", "CNY", "CN")
        # A teapot worth more than 300 SDR, so its parcel needs a CN23.
        teapot_id = stocked_product(owner, store, title=f"Yixing clay teapot {tag}",
                                    sku=f"POT-{tag}", price="3200.00", hs_code="691200",
                                    weight_grams=600, stock=5)
        tea_id = stocked_product(owner, store, title=f"Longjing green tea {tag}",
                                 sku=f"TEA-{tag}", price="89.00", hs_code="090210",
                                 weight_grams=200, stock=10)
        basket = cart.open_cart(user=shopper)
        for product_id in (teapot_id, tea_id):
            product = db.session.get(Product, product_id)
            cart.add_item(basket, product.variants[0].id, 1, ship_to="US")
        quote = quotes.create_quote(shopper, "USD", address_for("US"))
        commit()
        order = pay_with_sandbox_card(shopper, quote, live_stripe_sandbox)
        teapot_line = next(line for line in order.lines if line.sku == f"POT-{tag}")
        cast = {"owner": owner.email, "shopper": shopper.email, "store_id": store.id,
                "order_id": order.id, "teapot_line": teapot_line.id,
                "tea_line": next(line.id for line in order.lines if line.id != teapot_line.id),
                "warehouse_id": db.session.query(Warehouse).filter_by(
                    store_id=store.id).one().id,
                "teapot_price": teapot_line.unit_price_minor,
                "teapot_sales_tax": teapot_line.tax_minor, "currency": order.currency}
        db.session.remove()
    return cast


def post_scans(live_server, events: list[dict]) -> dict:
    """Deliver carrier scans to the tracking webhook, signed as a tracking provider does."""
    raw = json.dumps({"events": events}).encode()
    secret = live_server.app.config["TRACKING_WEBHOOK_SECRET"].encode()
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/webhooks/tracking", data=raw, method="POST",
        headers={"Content-Type": "application/json",
                 "X-Qiao-Signature": "sha256=" + hmac.new(secret, raw, hashlib.sha256)
                 .hexdigest()})
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200
        return json.loads(response.read())


def scan(carrier: str, number: str, at: datetime, status: str, location: str,
         sub_status: str = "") -> dict:
    return {"carrier": carrier, "tracking_number": number, "occurred_at": at.isoformat(),
            "status": status, "sub_status": sub_status, "location": location,
            "carrier_code": status.upper(), "description": f"{status} {sub_status}".strip()}


def test_ship_track_customs_return_and_refund(page: Page, live_server, parcel_cast):
    cast = parcel_cast
    order_url = f"/merchant/stores/{cast['store_id']}/orders/{cast['order_id']}"
    china_post = s10_number(f"{uuid.uuid4().int % 10**8:08d}", "CN")
    usps = usps_number(f"9400111899223{uuid.uuid4().int % 10**8:08d}")

    # The merchant ships the teapot alone with a China Post number.
    log_in(page, cast["owner"])
    page.goto(order_url)
    form = page.get_by_test_id("ship-form")
    form.locator("select[name=warehouse_id]").select_option(str(cast["warehouse_id"]))
    form.locator("select[name=carrier]").select_option("china_post")
    form.locator("input[name=tracking_number]").fill(china_post)
    form.locator(f"input[name=ship-{cast['tea_line']}]").fill("0")
    with page.expect_navigation():
        page.get_by_test_id("ship-button").click()
    shipment = page.get_by_test_id("shipment-row")
    expect(shipment).to_have_count(1)
    expect(shipment).to_contain_text(china_post)

    # Its CN23, as a PDF.
    cn23 = page.get_by_test_id("customs-documents").locator("a[data-kind=cn23]")
    expect(cn23).to_have_count(1)
    pdf = page.request.get(cn23.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # A USPS last-mile leg once the parcel reaches the United States.
    page.get_by_test_id("shipment-row").locator("details > summary").click()
    legs = page.get_by_test_id("leg-form")
    legs.locator("select[name=kind]").select_option("last_mile")
    legs.locator("select[name=carrier]").select_option("usps")
    legs.locator("input[name=tracking_number]").fill(usps)
    with page.expect_navigation():
        legs.locator("button[type=submit]").click()
    expect(page.get_by_test_id("shipment-row")).to_contain_text(usps)
    log_out(page)

    # The carriers' scans arrive out of order: the delivery first, the customs hold last.
    day = datetime.combine(utcnow().date() - timedelta(days=4), time(15), tzinfo=UTC)
    held_at = day  # 15:00 UTC is midnight in Tokyo
    first = post_scans(live_server, [
        scan("usps", usps, day + timedelta(days=2, hours=5), "delivered", "New York, NY"),
        scan("china_post", china_post, day + timedelta(days=1), "customs", "Los Angeles, CA",
             "released"),
    ])
    second = post_scans(live_server, [
        scan("china_post", china_post, held_at, "customs", "Los Angeles, CA", "held"),
        scan("china_post", china_post, day - timedelta(hours=6), "customs", "Los Angeles, CA",
             "submitted"),
        scan("china_post", china_post, day - timedelta(days=2), "in_transit", "Hangzhou"),
        scan("usps", usps, day + timedelta(days=2), "out_for_delivery", "New York, NY"),
    ])
    assert first and second

    # The shopper reads the timeline in Chinese, on Tokyo time, newest first.
    log_in(page, cast["shopper"])
    page.goto(f"/orders/{cast['order_id']}")
    parcel = page.get_by_test_id("shipment")
    expect(parcel).to_have_attribute("data-status", "delivered")
    expect(parcel.get_by_test_id("shipment-status")).to_have_text("已签收")
    events = parcel.get_by_test_id("tracking-event")
    expect(events).to_have_count(6)
    assert [events.nth(i).get_attribute("data-status") for i in range(6)] == [
        "delivered", "out_for_delivery", "customs", "customs", "customs", "in_transit"]
    expect(events.nth(2)).to_contain_text(RELEASED)
    expect(events.nth(3)).to_contain_text(HELD)
    held = events.nth(3)
    local = held_at + timedelta(hours=TOKYO_HOURS)
    expect(held.get_by_test_id("event-time")).to_contain_text(
        format_date(local.date(), "medium", locale="zh"))
    expect(held.get_by_test_id("event-time")).to_contain_text("00:00")
    expect(held.get_by_test_id("event-time")).to_contain_text("GMT+09:00")
    expect(parcel.get_by_test_id("current-leg")).to_contain_text("末端派送")  # USPS now

    # ... and asks to return the teapot, then posts it back with USPS.
    with page.expect_navigation():
        page.get_by_test_id("return-offer").locator("a").click()
    page.locator(f"input[name=qty-{cast['teapot_line']}]").fill("1")
    page.locator("select[name=reason]").select_option("changed_mind")
    with page.expect_navigation():
        page.get_by_test_id("send-return").click()
    returned = page.get_by_test_id("return")
    expect(returned).to_have_attribute("data-status", "requested")
    return_url = page.url
    return_id = int(re.search(r"/returns/(\d+)", return_url).group(1))
    log_out(page)

    # The merchant approves it.
    log_in(page, cast["owner"])
    page.goto(f"/merchant/stores/{cast['store_id']}/returns/{return_id}")
    with page.expect_navigation():
        page.get_by_test_id("approve-return").click()
    expect(page.get_by_test_id("return")).to_have_attribute("data-status", "approved")
    log_out(page)

    log_in(page, cast["shopper"])
    page.goto(return_url)
    back = usps_number(f"9400111899224{uuid.uuid4().int % 10**8:08d}")
    page.locator("select[name=carrier]").select_option("usps")
    page.locator("input[name=tracking_number]").fill(back)
    with page.expect_navigation():
        page.get_by_test_id("send-parcel").click()
    expect(page.get_by_test_id("return")).to_have_attribute("data-status", "in_transit")
    log_out(page)

    # It arrives: received with restock, refunded through Stripe in dollars.
    log_in(page, cast["owner"])
    page.goto(f"/merchant/stores/{cast['store_id']}/returns/{return_id}")
    expect(page.get_by_test_id("receive-line")).to_have_count(1)
    with page.expect_navigation():
        page.get_by_test_id("receive-return").click()
    expect(page.get_by_test_id("return")).to_have_attribute("data-status", "refunded")
    refund = page.get_by_test_id("return-refund")
    expect(refund).to_contain_text("$")
    page.goto(order_url)
    refunded = page.get_by_test_id("order-refunded").inner_text()
    # The US does not refund duty on a return, but New York's sales tax, collected at
    # checkout, goes back with the goods: the teapot's price and its tax, to the cent.
    assert cast["currency"] == "USD" and cast["teapot_sales_tax"] > 0
    teapot = f"{Decimal(cast['teapot_price'] + cast['teapot_sales_tax']).scaleb(-2):,.2f}"
    assert refunded == f"${teapot}"
    log_out(page)

    # The shopper reads her order in Chinese, where dollars are written US$.
    log_in(page, cast["shopper"])
    page.goto(f"/orders/{cast['order_id']}")
    expect(page.get_by_test_id("order-refunded")).to_have_text(f"US${teapot}")
    page.goto(return_url)
    expect(page.get_by_test_id("return")).to_have_attribute("data-status", "refunded")
