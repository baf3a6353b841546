"""The issue's advertising story end to end in a real browser, against localstripe.

Lumi Beauty's owner tops up the ad balance with the sandbox card and sends a creator a
paid brief; the creator accepts it and marks their published note (which tags a product)
as made for it; a moderator approves that ad in the moderation queue and the fee is paid.
The brand promotes the note with a CPC campaign to Japan for Japanese and English
readers; a moderator approves the campaign too. A shopper in Japan reading in English
meets the note in Discover as "Sponsored · with Lumi Beauty", the view is counted, taps
it, and buys the tagged product with the sandbox card. The brand's report then shows the
impression, the click, its spend and the attributed order with its ROAS.

Each person has a browser context of their own, as four people would. Journeys share one
live database, so every assertion is scoped to this story's campaign, note and people.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdClick,
    AdImpression,
    Membership,
    Note,
    Order,
    OrderLine,
    Organization,
    PlatformRole,
    User,
    utcnow,
)
from app.services.accounts.passwords import hash_password
from app.services.ads.tokens import read_token
from app.services.social import notes
from app.services.social.product_tags import TagInput
from app.tasks.ads import settle_partnership_reviews
from tests.ad_delivery_factories import BROWSER
from tests.checkout_factories import address_for
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, another_person, log_in
from tests.e2e.shops import (
    fill_shipping_address,
    open_for_business,
    open_store,
    pay_with_the_sandbox_card,
    stocked_product,
)
from tests.notes_factories import image_bytes

BRAND = "Lumi Beauty"


@pytest.fixture
def cast(live_server):
    """A brand owner, a creator whose published note tags a Tokyo store's serum, a
    platform moderator and a shopper in Japan.

    The creator's note ranks below a screenful of other notes, so the shopper can only
    meet it in a sponsored slot (a note already on the page is never sponsored beside it).
    """
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        open_for_business()
        hashed = hash_password(PASSWORD)

        def person(role: str, name: str, country: str, **prefs) -> User:
            return User(email=f"{role}-{tag}@example.com", password_hash=hashed,
                        display_name=f"{name} {tag}", home_country=country,
                        email_verified_at=utcnow(), **prefs)

        owner = person("brand", "Aiko", "JP", locale="en")
        creator = person("creator", "Mika", "JP", locale="en")
        merchant = person("merchant", "Ken", "JP")
        moderator = person("mod", "Mo", "GB")
        moderator.platform_roles = [PlatformRole(role="moderator", markets=[], languages=[])]
        shopper = person("jp", "Haru", "JP", locale="en", currency="JPY",
                         ship_to_country="JP")
        org = Organization(kind="brand", name=BRAND, slug=f"lumi-{tag}")
        db.session.add_all([owner, creator, merchant, moderator, shopper, org,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        store = open_store(merchant, f"Osaka Skin {tag}", f"osaka-skin-{tag}", "JPY", "JP")
        product_id = stocked_product(merchant, store, title=f"Glow serum {tag}",
                                     sku=f"SERUM-{tag}", price="4800", hs_code="330499",
                                     weight_grams=150, stock=10)
        note = notes.create_note(
            creator, title=f"My glow routine {tag}", body="A serum from Osaka",
            images=[notes.ImageUpload(image_bytes(size=(600, 800)), "routine.jpg")],
            product_tags=[TagInput(0, 40, 50, product_id)])
        note.hot_score = -1.0
        for i in range(21):
            db.session.add(Note(author_id=creator.id, title=f"Osaka diary {i} {tag}",
                                body="", status="published", published_at=utcnow(),
                                hot_score=-0.5))
        commit()
        cast = {"owner": owner.email, "creator": creator.email,
                "moderator": moderator.email, "shopper": shopper.email,
                "shopper_id": shopper.id, "org_id": org.id, "note_id": note.id,
                "note": note.title, "product": f"Glow serum {tag}",
                "brief": f"Autumn glow {tag}", "campaign": f"Tokyo launch {tag}"}
        db.session.remove()
    return cast


def wait_for_rows(live_server, query, timeout: float = 15.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with live_server.app.app_context():
            found = db.session.scalars(query).all()
            db.session.remove()
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"nothing recorded for {query}")


def decide_in_queue(moderator: Page, target_type: str, target_id: int) -> None:
    """Open the item from the moderation queue, claim it and approve it."""
    moderator.goto(f"/admin/moderation?target_type={target_type}")
    in_queue = f"tr[data-target='{target_type}:{target_id}']"
    with moderator.expect_navigation():
        moderator.locator(in_queue).get_by_role("link").first.click()
    if target_type == "campaign":
        expect(moderator.get_by_test_id("campaign-facts")).to_contain_text("JP")
    with moderator.expect_navigation():
        moderator.get_by_test_id("claim").click()
    decision = moderator.get_by_test_id("decision-form")
    decision.locator("select[name=action]").select_option("approve")
    decision.locator("select[name=reason_code]").select_option("no_violation")
    with moderator.expect_navigation():
        moderator.get_by_test_id("decide").click()
    expect(moderator.locator(in_queue)).to_have_count(0)


def yen(amount: int) -> str:
    return f"JP¥{amount:,}"


def test_a_brand_partners_with_a_creator_promotes_the_note_and_sees_the_sale(
        page: Page, browser, live_server, live_stripe_sandbox, cast):
    log_in(page, cast["owner"])
    org = cast["org_id"]

    # The dashboard leads to the portal; the first visit opens the account in yen.
    page.goto(f"/orgs/{org}")
    with page.expect_navigation():
        page.get_by_test_id("open-campaigns").click()
    expect(page).to_have_url(re.compile(rf"/brand/{org}/balance$"))
    expect(page.locator("main select[name=currency]")).to_have_value("JPY")
    page.locator("main input[name=time_zone]").fill("Asia/Tokyo")
    with page.expect_navigation():
        page.get_by_test_id("open-account").click()
    expect(page.get_by_test_id("balance")).to_have_text("JP¥0")

    # Top up ¥200,000 with the sandbox card; the return page shows it credited.
    page.locator("main input[name=amount]").fill("200000")
    with page.expect_navigation():
        page.get_by_test_id("topup-start").click()
    expect(page.get_by_test_id("pay-total")).to_have_text("JP¥200,000")
    pay_with_the_sandbox_card(page)
    expect(page).to_have_url(re.compile(rf"/brand/{org}/topups/\d+/complete$"))
    expect(page.get_by_test_id("topup-result")).to_have_attribute("data-state", "succeeded")
    expect(page.get_by_test_id("balance")).to_have_text("JP¥200,000")

    # A brief and a ¥30,000 fee to the creator.
    page.goto(f"/brand/{org}/partnerships")
    brief = page.get_by_test_id("partnership-form")
    brief.locator("input[name=creator]").fill(cast["creator"])
    brief.locator("input[name=title]").fill(cast["brief"])
    brief.locator("textarea[name=brief]").fill("Show your morning routine with our serum.")
    brief.locator("input[name=fee]").fill("30000")
    with page.expect_navigation():
        page.get_by_test_id("send-brief").click()
    ours = page.get_by_test_id("partnerships").locator("tr", has_text=cast["brief"])
    expect(ours.get_by_test_id("partnership-status")).to_have_attribute("data-status",
                                                                        "proposed")

    # The creator accepts it and names the published note made for it: an ad now, it
    # waits for ad review with the fee still reserved.
    creator = another_person(browser, live_server.url, page)
    log_in(creator, cast["creator"])
    creator.goto("/account/partnerships")
    mine = creator.get_by_test_id("my-partnership").filter(has_text=cast["brief"])
    expect(mine.get_by_test_id("partnership-fee")).to_have_text("JP¥30,000")
    with creator.expect_navigation():
        mine.get_by_test_id("accept-partnership").click()
    expect(mine.get_by_test_id("partnership-status")).to_have_attribute("data-status",
                                                                        "accepted")
    mine.get_by_test_id("partnership-note").select_option(label=cast["note"])
    with creator.expect_navigation():
        mine.get_by_test_id("publish-partnership").click()
    expect(mine.get_by_test_id("partnership-status")).to_have_attribute("data-status",
                                                                        "published")
    page.goto(f"/brand/{org}/balance")
    expect(page.get_by_test_id("balance")).to_have_text("JP¥170,000")
    expect(page.get_by_test_id("ledger").locator("tr[data-kind=partnership_fee]"))\
        .to_have_count(0)

    # A moderator approves the note in the moderation queue: the approval pays the
    # creator, and the periodic sweep (run here as the scheduler would) finds nothing left.
    moderator = another_person(browser, live_server.url, page)
    log_in(moderator, cast["moderator"])
    decide_in_queue(moderator, "note", cast["note_id"])
    moderator.context.close()
    with live_server.app.app_context():
        assert settle_partnership_reviews() == 0  # the periodic task, which commits
        db.session.remove()
    creator.reload()
    expect(mine.get_by_test_id("partnership-status")).to_have_attribute("data-status",
                                                                        "paid")
    creator.context.close()
    page.reload()
    expect(page.get_by_test_id("balance")).to_have_text("JP¥170,000")
    expect(page.get_by_test_id("ledger").locator("tr[data-kind=partnership_fee]"))\
        .to_have_count(1)

    # A CPC campaign promoting the creator's note to Japan, in Japanese and English.
    page.goto(f"/brand/{org}/campaigns/new")
    tokyo = utcnow().astimezone(ZoneInfo("Asia/Tokyo"))
    form = page.get_by_test_id("campaign-form")
    form.locator("input[name=name]").fill(cast["campaign"])
    form.locator("select[name=objective]").select_option("traffic")
    form.locator("input[name=bid]").fill("40")
    form.locator("input[name=budget]").fill("50000")
    form.locator("input[name=daily_cap]").fill("5000")
    form.locator("input[name=starts_at]").fill(tokyo.strftime("%Y-%m-%dT%H:%M"))
    form.locator("input[name=ends_at]").fill(
        (tokyo + timedelta(days=9)).strftime("%Y-%m-%dT22:00"))
    form.locator("input[name=countries]").fill("JP")
    form.locator("input[name=languages]").fill("ja, en")
    page.get_by_test_id("note-picker").get_by_label(cast["note"]).check()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"ads-campaign-form-{page.viewport_name}.png"),
                    full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("save-campaign").click()
    expect(page.get_by_test_id("campaign-name")).to_have_text(cast["campaign"])
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "draft")
    with page.expect_navigation():
        page.get_by_test_id("campaign-submit").click()
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status",
                                                                     "in_review")
    campaign_url = page.url
    campaign_id = int(re.search(r"/campaigns/(\d+)", campaign_url).group(1))

    # A moderator finds it in the moderation queue, claims it and approves it.
    moderator = another_person(browser, live_server.url, page)
    log_in(moderator, cast["moderator"])
    moderator.goto("/admin/ads")
    expect(moderator).to_have_url(re.compile(r"/admin/moderation\?target_type=campaign$"))
    row = moderator.locator(f"tr[data-target='campaign:{campaign_id}']")
    expect(row.get_by_test_id("campaign-preview")).to_have_text(cast["campaign"])
    decide_in_queue(moderator, "campaign", campaign_id)
    moderator.context.close()

    # The brand is told, sees it active, and the budget reserved from the balance.
    page.goto("/notifications")
    expect(page.get_by_test_id("campaign-notice").first).to_have_attribute("data-event",
                                                                          "approved")
    page.goto(campaign_url)
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "active")
    expect(page.get_by_test_id("balance")).to_have_text("JP¥120,000")

    # A shopper in Japan reading in English meets the note in Discover, labelled as the
    # creator's paid partnership. (Headless Chromium names itself in its user agent, which
    # the bot filter rightly refuses to bill; this shopper's browser is an ordinary one.)
    shopper = another_person(browser, live_server.url, page, user_agent=BROWSER)
    log_in(shopper, cast["shopper"])
    card = shopper.locator(f'article.note-card.sponsored[data-note-id="{cast["note_id"]}"]')
    deadline = time.monotonic() + 20  # serving rebuilds its campaign list every few seconds
    while True:
        shopper.goto("/")
        if card.count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    # One card, pinned by its own token: a tap counts only on a card whose view was
    # reported, so wait for this card's view (an earlier load may have reported another).
    raw = card.first.get_attribute("data-ad-impression")
    card = shopper.locator(f'article.note-card[data-ad-impression="{raw}"]')
    expect(card.locator(".ad-label")).to_have_text(f"Sponsored · with {BRAND}")
    card.scroll_into_view_if_needed()
    token = read_token(live_server.app.config["SECRET_KEY"], "impression", raw, 3600).token
    wait_for_rows(live_server, select(AdImpression).where(
        AdImpression.token_id == token.token_id, AdImpression.invalid_reason.is_(None)))

    # The tap opens the note; its product tag leads to the serum, bought with the card.
    with shopper.expect_navigation():
        card.locator(".note-card-link").click()
    expect(shopper).to_have_url(re.compile(rf"/notes/{cast['note_id']}"))
    clicks = wait_for_rows(live_server, select(AdClick).where(
        AdClick.viewer_user_id == cast["shopper_id"], AdClick.campaign_id == campaign_id))
    assert [(c.is_billable, c.invalid_reason) for c in clicks] == [(True, None)]
    assert 0 < clicks[0].charged_minor <= 40
    with shopper.expect_navigation():
        shopper.get_by_test_id("tagged-product").filter(has_text=cast["product"]).click()
    expect(shopper).to_have_url(re.compile(rf"/products/\d+\?note={cast['note_id']}$"))
    with shopper.expect_navigation():
        shopper.get_by_test_id("add-to-cart").click()
    shopper.goto("/cart")
    with shopper.expect_navigation():
        shopper.get_by_test_id("checkout").click()
    fill_shipping_address(shopper, address_for("JP"))
    with shopper.expect_navigation():
        shopper.get_by_test_id("get-quote").click()
    with shopper.expect_navigation():
        shopper.get_by_test_id("pay").click()
    pay_with_the_sandbox_card(shopper)
    expect(shopper).to_have_url(re.compile(r"/checkout/quotes/\d+/complete$"))
    expect(shopper.get_by_test_id("payment-state")).to_have_attribute("data-state",
                                                                      "succeeded")
    shopper.context.close()
    time.sleep(1)  # a view sent as the page closed lands before the count is taken

    # The brand's report: the impressions, the click, its spend, the order and the ROAS.
    counted = len(wait_for_rows(live_server, select(AdImpression).where(
        AdImpression.campaign_id == campaign_id, AdImpression.invalid_reason.is_(None))))
    lines = wait_for_rows(live_server, select(OrderLine).join(Order).where(
        Order.user_id == cast["shopper_id"], Order.status == "paid"))
    assert [line.note_id for line in lines] == [cast["note_id"]]  # bought through the tag
    gmv = lines[0].unit_price_minor * lines[0].quantity  # a store selling in yen
    spent = clicks[0].charged_minor
    page.goto(f"/orgs/{org}/campaigns/{campaign_id}/report")
    expect(page.get_by_test_id("total-impressions")).to_have_text(str(counted))
    expect(page.get_by_test_id("total-clicks")).to_have_text("1")
    expect(page.get_by_test_id("total-spend")).to_have_text(yen(spent))
    expect(page.get_by_test_id("total-orders")).to_have_text("1")
    expect(page.get_by_test_id("total-gmv")).to_have_text(yen(gmv))
    roas = (Decimal(gmv) / Decimal(spent)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expect(page.get_by_test_id("total-roas")).to_have_text(str(roas))
    page.screenshot(path=str(ARTIFACTS / f"ads-report-{page.viewport_name}.png"),
                    full_page=True)
