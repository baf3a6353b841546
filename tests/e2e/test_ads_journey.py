"""The brand side of advertising in a real browser, against localstripe, phone and desktop.

A brand owner opens the ad account, tops up the balance with the sandbox card, creates a
CPC campaign promoting the brand's note to Japan in Japanese and English (dates in the
brand's time zone), and sends it to review; a moderator approves it from the ads review
page; the brand sees it scheduled and its budget reserved from the balance.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Membership, Organization, PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.notes_factories import image_bytes

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture skips or fails with the reason
    Page = object  # type: ignore[assignment,misc]
    expect = None

pytestmark = pytest.mark.e2e
if expect is not None:
    expect.set_options(timeout=15_000)


@pytest.fixture
def cast(live_server):
    """A brand (owner with a published note) and a platform moderator."""
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
        org = Organization(kind="brand", name=f"Lumi Beauty {tag}", slug=f"lumi-{tag}")
        db.session.add_all([owner, moderator, org,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        note = notes.create_note(owner, title=f"Glow serum {tag}", body="Made in Osaka",
                                 images=[notes.ImageUpload(image_bytes(size=(600, 800)),
                                                           "serum.jpg")])
        commit()
        cast = {"owner": owner.email, "moderator": moderator.email, "org_id": org.id,
                "note_id": note.id, "note": note.title, "campaign": f"Tokyo launch {tag}"}
        db.session.remove()
    return cast


def pay_with_the_sandbox_card(page: Page) -> None:
    """Fill localstripe's card element (plain inputs) with the card that succeeds."""
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("10000")
    page.get_by_test_id("pay-button").click()


def test_a_brand_tops_up_creates_a_campaign_and_a_moderator_approves_it(
        page: Page, live_stripe_sandbox, cast):
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

    # A CPC campaign to Japan in Japanese and English, dates in Tokyo time.
    with page.expect_navigation():
        page.get_by_test_id("after-topup-new-campaign").click()
    start = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    end = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT22:00")
    form = page.get_by_test_id("campaign-form")
    form.locator("input[name=name]").fill(cast["campaign"])
    form.locator("select[name=objective]").select_option("traffic")
    form.locator("input[name=bid]").fill("40")
    form.locator("input[name=budget]").fill("50000")
    form.locator("input[name=daily_cap]").fill("5000")
    form.locator("input[name=starts_at]").fill(start)
    form.locator("input[name=ends_at]").fill(end)
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
    log_out(page)

    # A moderator approves it from the ads review page.
    log_in(page, cast["moderator"])
    page.goto("/admin/ads")
    with page.expect_navigation():
        page.get_by_test_id("ads-queue").get_by_text(cast["campaign"]).click()
    with page.expect_navigation():
        page.get_by_test_id("approve-campaign").click()
    expect(page.get_by_test_id("ads-queue-empty").or_(page.get_by_test_id("ads-queue")))\
        .to_be_visible()
    expect(page.get_by_text(cast["campaign"])).to_have_count(0)
    log_out(page)

    # The brand sees it scheduled, and the budget reserved from the balance.
    log_in(page, cast["owner"])
    page.goto(campaign_url)
    expect(page.get_by_test_id("campaign-status")).to_have_attribute("data-status",
                                                                     "scheduled")
    expect(page.get_by_test_id("balance")).to_have_text("JP¥150,000")
    page.goto(f"/brand/{org}/balance")
    expect(page.get_by_test_id("ledger").locator("tr[data-kind=campaign_reserve]"))\
        .to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / f"ads-balance-{page.viewport_name}.png"),
                    full_page=True)
