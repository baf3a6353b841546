"""Screening in a real browser, on a phone-sized and a desktop viewport.

A creator whose interface is in 中文 posts a note whose text hides a banned phrase behind
zero-width characters; screening (run after the commit) finds it through the normaliser,
holds the note, and the creator reads why in 中文 while everybody else gets a 404.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import ModerationRule, PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.moderation import rules
from tests.e2e.browser import expect
from tests.e2e.session import PASSWORD, log_in
from tests.notes_factories import image_bytes

BANNED = "测试违禁词"


@pytest.fixture
def creator(live_server):
    """A creator whose interface is Chinese, and the demo rule for the banned test phrase."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        creator = User(email=f"zh-creator-{tag}@example.com", password_hash=hashed,
                       display_name=f"小红 {tag}", home_country="CN", locale="zh",
                       email_verified_at=utcnow())
        admin = User(email=f"rules-admin-{tag}@example.com", password_hash=hashed,
                     display_name=f"Ada {tag}", email_verified_at=utcnow())
        admin.platform_roles = [PlatformRole(role="admin", markets=[], languages=[])]
        db.session.add_all([creator, admin])
        commit()
        if db.session.scalar(select(ModerationRule.id).where(
                ModerationRule.term == BANNED, ModerationRule.removed_in.is_(None))) is None:
            rules.add_moderation_rule(admin, {
                "market": "ALL", "kind": "keyword", "term": BANNED, "language": "zh",
                "severity": "medium", "reason_code": "test_term", "match_pinyin": True})
            commit()
        email = creator.email
        db.session.remove()
    return email


def test_a_hidden_banned_phrase_is_held_and_the_creator_reads_why_in_chinese(
        page, live_server, creator):
    title = f"今日好物分享 {uuid.uuid4().hex[:6]}"
    hidden = "\u200b".join(BANNED)  # 测​试​违​禁​词: looks the same, differs byte for byte
    log_in(page, creator)
    page.goto("/notes/new")
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=body]").fill(f"姐妹们看这里：{hidden}，私聊我")
    page.locator("input[name=images]").set_input_files([
        {"name": "look.jpg", "mimeType": "image/jpeg",
         "buffer": image_bytes(size=(600, 800), color=(200, 120, 60))}])
    with page.expect_navigation():
        page.locator("button[name=publish], input[name=publish]").first.click()
    note_url = page.url
    expect(page.locator(".flashes")).to_contain_text("审核通过后其他人才能看到")

    notice = page.get_by_test_id("moderation-notice")
    expect(notice).to_contain_text("仅你自己可见")
    expect(notice).to_contain_text("测试词（演示规则）")
    expect(page.locator("h1.note-title")).to_have_text(title)
    assert "Only you can see" not in notice.inner_text()

    # Nobody else sees it.
    page.goto("about:blank")  # no request of the last page may bring its cookie back
    page.context.clear_cookies()
    assert page.goto(note_url).status == 404
