"""Restricting an item to some markets, in a real browser, phone and desktop.

A shopper in the UK reports a creator's note for goods the UK forbids; a moderator claims
it in the queue and restricts it in GB only; the note is gone for the UK shopper, still
there for a shopper in the US; the creator is told it is no longer shown in some markets,
and the reporter that action was taken. Each person has a browser context of their own.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, another_person, log_in
from tests.notes_factories import image_bytes


@pytest.fixture
def cast(live_server):
    """A creator in the US with a note, shoppers in the UK and the US, a moderator."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)

        def person(role: str, country: str) -> User:
            user = User(email=f"{role}-{tag}@example.com", password_hash=hashed,
                        display_name=f"{role.title()} {tag}", home_country=country,
                        ship_to_country=country, locale="en", email_verified_at=utcnow())
            db.session.add(user)
            return user

        creator, uk_shopper, us_shopper = (person("creator", "US"), person("uk", "GB"),
                                           person("us", "US"))
        moderator = person("moderator", "GB")
        moderator.platform_roles = [PlatformRole(role="moderator", markets=["US", "GB"],
                                                 languages=[])]
        db.session.flush()
        note = notes.create_note(creator, title=f"Pepper spray for hikers {tag}",
                                 body="Keeps bears away on the trail.",
                                 images=[notes.ImageUpload(image_bytes(size=(600, 800)),
                                                           "trail.jpg")])
        commit()
        cast = {"creator": creator.email, "uk": uk_shopper.email, "us": us_shopper.email,
                "moderator": moderator.email, "note_id": note.id}
        db.session.remove()
    return cast


def test_a_note_restricted_in_one_market_disappears_there_only(page: Page, browser,
                                                               live_server, cast):
    note_url = f"/notes/{cast['note_id']}"

    # A shopper in the UK reports the note.
    log_in(page, cast["uk"])
    page.goto(note_url)
    box = page.locator("details.report-box")
    box.locator("summary").click()
    box.locator("select[name=reason]").select_option("other")
    box.locator("textarea[name=details]").fill("Pepper spray is a prohibited weapon here.")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(page.locator(".flashes")).to_contain_text("we will tell you the outcome")

    # A moderator claims it in the queue and restricts it in GB.
    moderator = another_person(browser, live_server.url, page)
    log_in(moderator, cast["moderator"])
    moderator.goto("/admin/moderation")
    row = moderator.locator(f"tr[data-target='note:{cast['note_id']}']")
    expect(row.get_by_test_id("report-count")).to_contain_text("1")
    with moderator.expect_navigation():
        row.locator("a").first.click()
    with moderator.expect_navigation():
        moderator.get_by_test_id("claim").click()
    form = moderator.get_by_test_id("decision-form")
    form.locator("select[name=action]").select_option("restrict")
    form.locator("select[name=reason_code]").select_option("prohibited_goods")
    form.locator("input[name=markets]").fill("gb")
    with moderator.expect_navigation():
        moderator.get_by_test_id("decide").click()
    expect(moderator.locator(".flashes")).to_contain_text("Decision recorded.")
    moderator.goto("/admin/moderation?status=decided")
    decided = moderator.locator(f"tr[data-target='note:{cast['note_id']}']")
    with moderator.expect_navigation():
        decided.locator("a").first.click()
    expect(moderator.get_by_test_id("content-state")).to_contain_text("hidden in GB")
    moderator.screenshot(path=str(ARTIFACTS / f"moderation-restricted-{page.viewport_name}"
                                              ".png"), full_page=True)
    moderator.context.close()

    # Gone in the UK; the reporter hears that action was taken.
    assert page.goto(note_url).status == 404
    page.goto("/notifications")
    expect(page.locator("[data-testid=moderation-notice][data-event=report_actioned]"))\
        .to_have_count(1)

    # Still there in the US.
    us_shopper = another_person(browser, live_server.url, page)
    log_in(us_shopper, cast["us"])
    assert us_shopper.goto(note_url).status == 200
    expect(us_shopper.locator("main h1").first).to_contain_text("Pepper spray for hikers")
    us_shopper.context.close()

    # The creator is told it is no longer shown in some markets.
    creator = another_person(browser, live_server.url, page)
    log_in(creator, cast["creator"])
    creator.goto("/notifications")
    expect(creator.locator("[data-testid=moderation-notice][data-event=restricted]"))\
        .to_contain_text("no longer shown in some markets")
    creator.context.close()
