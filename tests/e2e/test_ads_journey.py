"""Advertising from end to end in a real browser, against localstripe, phone and desktop.

A brand owner opens the ad account, tops up the balance with the sandbox card, creates a
CPC campaign promoting the brand's note to Japan (dates in the brand's time zone, starting
now), and sends it to review; a moderator finds it in the moderation queue, claims it and
approves it; the brand is told, sees it active and its budget reserved; a shopper in Japan
reading Qiao in Chinese meets the note in Discover labelled 赞助 ("Sponsored"), and the
view is counted; the brand's report shows that impression.

Each person has a browser context of their own, as three people would, so no session or
language can leak from one account to the next.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdImpression,
    Membership,
    Note,
    Organization,
    PlatformRole,
    User,
    utcnow,
)
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from tests.ad_delivery_factories import BROWSER
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, another_person, log_in
from tests.e2e.shops import pay_with_the_sandbox_card
from tests.notes_factories import image_bytes


@pytest.fixture
def cast(live_server):
    """A brand (owner with a published note), a platform moderator, a shopper in Japan.

    The brand's note ranks below a screenful of other notes, so the shopper can only meet
    it in a sponsored slot (a note already on the page is never sponsored beside itself).
    """
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        owner = User(email=f"brand-{tag}@example.com", password_hash=hashed,
                     display_name=f"Aiko {tag}", home_country="JP", locale="en",
                     email_verified_at=utcnow())
        moderator = User(email=f"mod-{tag}@example.com", password_hash=hashed,
                         display_name=f"Mo {tag}", home_country="GB",
                         email_verified_at=utcnow())
        moderator.platform_roles = [PlatformRole(role="moderator", markets=[], languages=[])]
        shopper = User(email=f"jp-{tag}@example.com", password_hash=hashed,
                       display_name=f"Haru {tag}", home_country="JP", locale="zh",
                       email_verified_at=utcnow())
        org = Organization(kind="brand", name=f"Lumi Beauty {tag}", slug=f"lumi-{tag}")
        db.session.add_all([owner, moderator, shopper, org,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        note = notes.create_note(owner, title=f"Glow serum {tag}", body="Made in Osaka",
                                 images=[notes.ImageUpload(image_bytes(size=(600, 800)),
                                                           "serum.jpg")])
        note.hot_score = -1.0
        for i in range(21):
            db.session.add(Note(author_id=owner.id, title=f"Osaka diary {i} {tag}", body="",
                                status="published", published_at=utcnow(), hot_score=-0.5))
        commit()
        cast = {"owner": owner.email, "moderator": moderator.email, "shopper": shopper.email,
                "shopper_id": shopper.id, "org_id": org.id, "note_id": note.id,
                "note": note.title, "campaign": f"Tokyo launch {tag}"}
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


def test_a_campaign_is_paid_approved_in_the_queue_served_and_reported(
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

    # A CPC campaign to Japan in Japanese, Chinese and English, from now, in Tokyo time.
    with page.expect_navigation():
        page.get_by_test_id("after-topup-new-campaign").click()
    tokyo = utcnow().astimezone(ZoneInfo("Asia/Tokyo"))
    start = tokyo.strftime("%Y-%m-%dT%H:%M")
    end = (tokyo + timedelta(days=9)).strftime("%Y-%m-%dT22:00")
    form = page.get_by_test_id("campaign-form")
    form.locator("input[name=name]").fill(cast["campaign"])
    form.locator("select[name=objective]").select_option("traffic")
    form.locator("input[name=bid]").fill("40")
    form.locator("input[name=budget]").fill("50000")
    form.locator("input[name=daily_cap]").fill("5000")
    form.locator("input[name=starts_at]").fill(start)
    form.locator("input[name=ends_at]").fill(end)
    form.locator("input[name=countries]").fill("JP")
    form.locator("input[name=languages]").fill("ja, zh, en")
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
    in_queue = f"tr[data-target='campaign:{campaign_id}']"
    row = moderator.locator(in_queue)
    expect(row.get_by_test_id("campaign-preview")).to_have_text(cast["campaign"])
    with moderator.expect_navigation():
        row.get_by_role("link").first.click()
    expect(moderator.get_by_test_id("campaign-facts")).to_contain_text("JP")
    with moderator.expect_navigation():
        moderator.get_by_test_id("claim").click()
    decision = moderator.get_by_test_id("decision-form")
    decision.locator("select[name=action]").select_option("approve")
    decision.locator("select[name=reason_code]").select_option("no_violation")
    with moderator.expect_navigation():
        moderator.get_by_test_id("decide").click()
    expect(moderator.locator(in_queue)).to_have_count(0)
    moderator.context.close()

    # The brand is told, sees it active, and the budget reserved from the balance.
    page.goto("/notifications")
    notice = page.get_by_test_id("campaign-notice")
    expect(notice.first).to_have_attribute("data-event", "approved")
    page.goto(campaign_url)
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status", "active")
    expect(page.get_by_test_id("balance")).to_have_text("JP¥150,000")
    page.goto(f"/brand/{org}/balance")
    expect(page.get_by_test_id("ledger").locator("tr[data-kind=campaign_reserve]"))\
        .to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / f"ads-balance-{page.viewport_name}.png"),
                    full_page=True)

    # A shopper in Japan reading in Chinese meets the note in Discover, labelled 赞助.
    # (Headless Chromium names itself in its user agent, which the bot filter rightly
    # refuses to count; this shopper's browser is an ordinary one.)
    shopper = another_person(browser, live_server.url, page, locale="zh-CN", user_agent=BROWSER)
    log_in(shopper, cast["shopper"])
    card = shopper.locator("article.note-card.sponsored", has_text=cast["note"])
    deadline = time.monotonic() + 20  # serving rebuilds its campaign list every few seconds
    while True:
        shopper.goto("/")
        if card.count() or time.monotonic() > deadline:
            break
        time.sleep(1)
    # (Discover's endless scroll may bring the next page, with a slot of its own, too.)
    expect(card.first.locator(".ad-label")).to_have_text("赞助")
    card.first.scroll_into_view_if_needed()
    seen = wait_for_rows(live_server, select(AdImpression).where(
        AdImpression.viewer_user_id == cast["shopper_id"],
        AdImpression.campaign_id == campaign_id, AdImpression.invalid_reason.is_(None)))
    shopper.context.close()
    time.sleep(1)  # a view sent as the page closed lands before the count is taken
    counted = len(wait_for_rows(live_server, select(AdImpression).where(
        AdImpression.campaign_id == campaign_id, AdImpression.invalid_reason.is_(None))))
    assert counted >= len(seen) >= 1

    # The brand's report shows the impression.
    page.goto(f"/orgs/{org}/campaigns/{campaign_id}/report")
    expect(page.get_by_test_id("total-impressions")).to_have_text(str(counted))
    page.screenshot(path=str(ARTIFACTS / f"ads-report-{page.viewport_name}.png"),
                    full_page=True)
