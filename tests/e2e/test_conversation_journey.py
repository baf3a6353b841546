"""A shopper in Japan asks the Hangzhou seller about an order in English; the seller reads
it in Chinese with a translation, answers, and sees the order on the sales dashboard.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Product, User, utcnow
from app.providers.translation import reset_translation_provider
from app.services.accounts.passwords import hash_password
from app.services.checkout import cart, quotes
from tests.checkout_factories import address_for
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.e2e.shops import (
    open_for_business,
    open_store,
    pay_with_sandbox_card,
    stocked_product,
)
from tests.translation_server import FakeLibreTranslate


@pytest.fixture
def translator(live_server):
    """The live server translates through a loopback LibreTranslate."""
    app = live_server.app
    with FakeLibreTranslate() as fake:
        app.config.update(TRANSLATION_URL=fake.url, TRANSLATION_API_KEY="test-key")
        with app.app_context():
            reset_translation_provider()
        try:
            yield fake
        finally:
            app.config.update(TRANSLATION_URL="", TRANSLATION_API_KEY="")
            with app.app_context():
                reset_translation_provider()


@pytest.fixture
def paid_order(live_server, live_stripe_sandbox):
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)
        owner = User(email=f"lin-{tag}@example.com", password_hash=hashed,
                     display_name=f"Lin {tag}", home_country="CN", locale="zh",
                     email_verified_at=utcnow())
        shopper = User(email=f"aiko-{tag}@example.com", password_hash=hashed,
                       display_name=f"Aiko {tag}", home_country="JP", locale="en",
                       currency="JPY", ship_to_country="JP", email_verified_at=utcnow())
        db.session.add_all([owner, shopper])
        db.session.flush()
        store = open_store(owner, f"Hangzhou Tea {tag}", f"hz-{tag}", "CNY", "CN")
        tea_id = stocked_product(owner, store, title=f"Longjing green tea {tag}",
                                 sku=f"TEA-{tag}", price="89.00", hs_code="090210",
                                 weight_grams=200, stock=10)
        cart.add_item(cart.open_cart(user=shopper),
                      db.session.get(Product, tea_id).variants[0].id, 1, ship_to="JP")
        quote = quotes.create_quote(shopper, "JPY", address_for("JP"))
        commit()
        order = pay_with_sandbox_card(shopper, quote, live_stripe_sandbox)
        cast = {"owner": owner.email, "shopper": shopper.email, "store_id": store.id,
                "order_id": order.id}
        db.session.remove()
    return cast


def test_a_question_across_the_border(page: Page, live_server, translator, paid_order):
    order_id, store_id = paid_order["order_id"], paid_order["store_id"]
    question = "Could you wrap it as a gift, please?"

    log_in(page, paid_order["shopper"])
    page.goto(f"/orders/{order_id}")
    conversation = page.get_by_test_id("conversation")
    conversation.locator("textarea[name=body]").fill(question)
    with page.expect_navigation():
        page.get_by_test_id("send-message").click()
    expect(page.get_by_test_id("message")).to_have_count(1)
    expect(page.get_by_test_id("message")).to_contain_text(question)
    log_out(page)

    log_in(page, paid_order["owner"])
    token = page.locator("form.prefs input[name=csrf_token]").first.get_attribute("value")
    page.request.post(f"{live_server.url}/preferences",  # the seller reads Qiao in Chinese
                      form={"csrf_token": token, "locale": "zh", "next": "/"})
    page.goto("/notifications")
    with page.expect_navigation():
        page.get_by_test_id("message-notice").click()
    expect(page).to_have_url(
        f"{live_server.url}/merchant/stores/{store_id}/orders/{order_id}#messages")
    expect(page.get_by_test_id("conversation")).to_contain_text("与买家的对话")
    # The same "See translation" as notes and comments, shown in place.
    page.get_by_test_id("conversation").get_by_test_id("see-translation").click()
    expect(page.get_by_test_id("conversation").get_by_test_id("translation")
           ).to_contain_text(f"[zh] {question}")
    page.get_by_test_id("conversation").locator("textarea[name=body]").fill("可以，我们会用礼盒包装。")
    with page.expect_navigation():
        page.get_by_test_id("send-message").click()
    expect(page.get_by_test_id("message")).to_have_count(2)

    page.goto(f"/merchant/stores/{store_id}/sales?days=7")
    expect(page.get_by_test_id("sales-orders")).to_have_text("1")
    expect(page.get_by_test_id("sales-by-market")).to_contain_text("日本")
