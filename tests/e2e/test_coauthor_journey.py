"""A creator in China (中文) invites a creator in London to co-author a draft; she accepts,
adds her part in English, both agree, and the note is published, credited in both profiles.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out, read_in
from tests.notes_factories import uploads


@pytest.fixture
def draft(live_server):
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        author = User(email=f"mei-{tag}@example.com", password_hash=hashed,
                      display_name=f"Mei{tag}", home_country="CN", locale="zh",
                      email_verified_at=utcnow())
        partner = User(email=f"sophie-{tag}@example.com", password_hash=hashed,
                       display_name=f"Sophie{tag}", home_country="GB", locale="en",
                       email_verified_at=utcnow())
        db.session.add_all([author, partner])
        db.session.flush()
        note = notes.create_note(author, title="世界各地的茶", body="杭州的明前龙井 #茶",
                                 images=uploads(1), publish=False)
        commit()
        cast = {"author": author.email, "author_id": author.id, "partner": partner.email,
                "partner_id": partner.id, "partner_name": partner.display_name,
                "author_name": author.display_name, "note_id": note.id}
        db.session.remove()
    return cast


def test_invite_accept_and_publish_together(page: Page, live_server, draft):
    note_url = f"/notes/{draft['note_id']}"
    log_in(page, draft["author"])
    read_in(page, live_server, "zh")
    page.goto(note_url)
    invite = page.get_by_test_id("coauthor-invite-form")
    expect(invite).to_contain_text("创作者的 @账号名")
    invite.locator("input[name=handle]").fill(f"@{draft['partner_name']}")
    with page.expect_navigation():
        invite.locator("button[type=submit]").click()
    expect(page.get_by_test_id("coauthor-status")).to_contain_text(
        f"等待 {draft['partner_name']} 接受")
    log_out(page)

    log_in(page, draft["partner"])
    read_in(page, live_server, "en")
    page.goto("/notifications")
    expect(page.get_by_test_id("coauthor-notice").first).to_contain_text(
        "invited you to co-author a note")
    page.goto(note_url)
    with page.expect_navigation():
        page.get_by_test_id("coauthor-accept").click()
    form = page.get_by_test_id("contribution-form")
    form.locator("input[name=title]").fill("Tea around the world: London")
    form.locator("textarea[name=body]").fill("Earl Grey and a rainy window #tea")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_test_id("coauthor-agree").click()
    expect(page.get_by_test_id("coauthor-status")).to_contain_text("You agreed to publish.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"coauthor-panel-{page.viewport_name}.png"),
                    full_page=True)
    log_out(page)

    log_in(page, draft["author"])
    read_in(page, live_server, "zh")
    page.goto(note_url)
    expect(page.get_by_test_id("coauthor-part")).to_contain_text("Earl Grey")
    with page.expect_navigation():
        page.get_by_test_id("coauthor-agree").click()
    expect(page.get_by_test_id("coauthor-credit")).to_contain_text(
        f"由 {draft['author_name']} 和 {draft['partner_name']} 合著")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"coauthored-note-{page.viewport_name}.png"),
                    full_page=True)
    for user_id in (draft["author_id"], draft["partner_id"]):
        page.goto(f"/u/{user_id}")
        card = page.locator(f"article.note-card[data-note-id='{draft['note_id']}']")
        expect(card).to_contain_text(f"{draft['author_name']} & {draft['partner_name']}")
        assert page.evaluate("document.documentElement.scrollWidth") <= \
            page.viewport_size["width"]
