"""The shoppable-note journey in a real browser, on a phone-sized and a desktop viewport.

A creator posts a note with two images and tags a product by tapping the second image and
searching; a shopper finds it in Discover, goes through the carousel (arrows on a desktop,
the arrow keys on a phone), opens the tag's product sheet, translates the note (through a
loopback LibreTranslate stand-in), likes it, collects it into a board, comments on it and
taps the product through to its page.
"""

from __future__ import annotations

import re
import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Membership, Organization, Store, User, utcnow
from app.providers.translation import reset_translation_provider
from app.services.accounts.passwords import hash_password
from app.services.catalog import products as catalog
from tests.e2e.browser import expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.e2e.shops import open_for_business
from tests.notes_factories import image_bytes
from tests.translation_server import FakeLibreTranslate


@pytest.fixture
def cast(live_server):
    """A creator who runs a store with one active product, and a shopper in the US."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        creator = User(email=f"creator-{tag}@example.com", password_hash=hashed,
                       display_name=f"Xiaohong {tag}", home_country="CN",
                       email_verified_at=utcnow())
        shopper = User(email=f"shopper-{tag}@example.com", password_hash=hashed,
                       display_name=f"Mia {tag}", home_country="US",
                       email_verified_at=utcnow())
        org = Organization(kind="merchant", name=f"Lip Lab {tag}", slug=f"lip-lab-{tag}")
        db.session.add_all([creator, shopper, org])
        db.session.add(Membership(organization=org, user=creator, role="owner"))
        db.session.add(Store(organization=org, name=f"Lip Lab {tag}", slug=f"lip-lab-{tag}",
                             base_currency="CNY", origin_country="CN"))
        open_for_business()  # exchange rates, so the shopper sees dollars
        commit()
        product = catalog.create_product(creator, org.store.id, {
            "title": f"Velvet lipstick {tag}", "hs_code": "330410", "status": "active",
            "variants": [{"sku": f"LIP-{tag}", "price": "89.00"}]})
        commit()
        people = {"creator": creator.email, "shopper": shopper.email,
                  "product_id": product.id, "product_title": product.title}
        db.session.remove()
    return people


@pytest.fixture
def loopback_translation(live_server):
    """Point the live server at a LibreTranslate stand-in on loopback."""
    with FakeLibreTranslate() as fake:
        with live_server.app.app_context():
            live_server.app.config["TRANSLATION_URL"] = fake.url
            reset_translation_provider()
        try:
            yield fake
        finally:
            with live_server.app.app_context():
                live_server.app.config["TRANSLATION_URL"] = ""
                reset_translation_provider()


def test_post_a_shoppable_note_then_find_translate_like_comment_and_shop(
        page, live_server, cast, loopback_translation):
    title = f"这支口红太好看了 {uuid.uuid4().hex[:6]}"

    # The creator posts a note with two images and a pin on the second one.
    log_in(page, cast["creator"])
    page.goto("/notes/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text").fill("秋冬必备的正红色 #口红")
    page.locator("input[name=images]").set_input_files([
        {"name": f"look-{i}.jpg", "mimeType": "image/jpeg",
         "buffer": image_bytes(size=(600, 800), color=(200, 40 * i, 60))} for i in range(2)])
    # Tap the second photo where the lipstick is, search for it, pick it.
    expect(page.locator("[data-tag-manual]")).to_be_hidden()
    second = page.locator(".tag-frame img").nth(1)
    second.scroll_into_view_if_needed()
    box = second.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
    page.get_by_test_id("tag-search").fill("Velvet")
    page.get_by_test_id("tag-result").filter(has_text=cast["product_title"]).click()
    expect(page.get_by_test_id("tag-item")).to_have_count(1)
    expect(page.get_by_test_id("tag-item")).to_contain_text(cast["product_title"])
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flashes")).to_contain_text("Your note is live.")
    expect(page.locator("h1.note-title")).to_have_text(title)
    expect(page.locator(".note-image img")).to_have_count(2)
    bubble = page.get_by_test_id("product-pin")
    expect(bubble).to_have_count(1)
    expect(bubble).to_contain_text(cast["product_title"])
    assert bubble.get_attribute("data-x") == "40.0" and bubble.get_attribute("data-y") == "60.0"
    log_out(page)

    # A shopper in the US sees it in Discover and opens it.
    log_in(page, cast["shopper"])
    page.goto("/")
    card = page.locator(".note-card", has_text=title)
    expect(card).to_be_visible()
    # Its card shows the tagged product with its price in dollars, within the screen.
    strip = card.get_by_test_id("card-product")
    expect(strip).to_contain_text(cast["product_title"])
    card_price = strip.get_by_test_id("card-product-price")
    expect(card_price).to_have_text(re.compile(r"^\$\d+\.\d\d$"))
    card_price_text = card_price.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / f"notes-journey-card-{page.viewport_name}.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    with page.expect_navigation():
        card.locator(".note-card-link").click()
    expect(page.locator("h1.note-title")).to_have_text(title)

    # The carousel: the tag is on the second image.
    status = page.locator("[data-carousel-status]")
    expect(status).to_have_text("Image 1 of 2")
    if page.viewport_name == "desktop":
        page.locator("[data-carousel-next]").click()
    else:
        page.locator("[data-carousel-track]").focus()
        page.keyboard.press("ArrowRight")
    expect(status).to_have_text("Image 2 of 2")
    bubble = page.get_by_test_id("product-pin")
    expect(bubble).to_contain_text(cast["product_title"])
    price = bubble.get_by_test_id("bubble-price")
    expect(price).to_have_text(re.compile(r"^\$\d+\.\d\d$"))  # CN¥89.00 in dollars
    expect(price).to_have_text(card_price_text)  # the card's price, by the same rule
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("[data-carousel]").screenshot(
        path=str(ARTIFACTS / f"notes-journey-bubble-{page.viewport_name}.png"))
    # Its sheet: the product, the price, and the way to the product page.
    bubble.click()
    sheet = page.get_by_test_id("product-sheet")
    expect(sheet).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"notes-journey-sheet-{page.viewport_name}.png"))
    expect(sheet.locator("h2")).to_have_text(cast["product_title"])
    expect(sheet.get_by_test_id("sheet-price")).to_have_text(price.inner_text())
    expect(sheet.get_by_test_id("sheet-product-link")).to_be_visible()
    sheet.get_by_test_id("sheet-close").click()
    expect(sheet).to_be_hidden()

    # Translate (the note is Chinese, the viewer reads English).
    page.get_by_test_id("see-translation").click()  # shown in place, no page load
    expect(page.get_by_test_id("translation")).to_contain_text(f"[en] {title}")
    assert [c["target"] for c in loopback_translation.translate_calls()][:1] == ["en"]

    # Like and comment.
    with page.expect_navigation():
        page.get_by_test_id("like").click()
    expect(page.get_by_test_id("unlike")).to_contain_text("Liked · 1")
    # Collect: a button opening the boards; one tap saves.
    expect(page.get_by_test_id("collect-form")).to_be_hidden()
    page.get_by_test_id("collect").click()
    with page.expect_navigation():
        page.get_by_test_id("board-choice").first.click()
    expect(page.locator(".flashes")).to_contain_text("Saved to your board.")
    expect(page.get_by_test_id("uncollect")).to_contain_text("Collected · 1")
    page.locator("[data-testid=comment-form] textarea[name=body]").fill("Where can I buy it?")
    with page.expect_navigation():
        page.locator("[data-testid=comment-form] button[type=submit]").click()
    expect(page.locator(".comment-body", has_text="Where can I buy it?")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"notes-journey-{page.viewport_name}.png"),
                    full_page=True)

    # Tap the product tag through to the product.
    product_link = page.get_by_test_id("tagged-product")
    expect(product_link).to_have_text(cast["product_title"])
    with page.expect_navigation():
        product_link.click()
    assert f"/products/{cast['product_id']}" in page.url
    expect(page.locator("body")).to_contain_text(cast["product_title"])
