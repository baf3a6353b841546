"""A personal Discover in a real browser, on a phone and a desktop, in Chinese: a new person
picks topics, then turns a card down with "not interested" and takes it back in place.
"""

from __future__ import annotations

import uuid

from app.core.transaction import commit
from app.extensions import db
from app.models import Note, NoteImage, NoteTopic, Topic, User, utcnow
from app.services.accounts.passwords import hash_password
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in


def seed(live_server) -> tuple[str, str, str]:
    """A Chinese-speaking reader, a creator with a #tea note and a #citywalk note."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        reader = User(email=f"reader-{tag}@example.com", password_hash=hash_password(PASSWORD),
                      display_name=f"读者 {tag}", home_country="CN", locale="zh",
                      email_verified_at=utcnow())
        creator = User(email=f"creator-{tag}@example.com", password_hash="x",
                       display_name=f"Creator {tag}", home_country="CN",
                       email_verified_at=utcnow())
        db.session.add_all([reader, creator])
        db.session.flush()
        for title, topic_name in ((f"普洱 {tag}", f"tea{tag}"), (f"外滩 {tag}", f"walk{tag}")):
            note = Note(author_id=creator.id, title=title, body="", language="zh", region="CN",
                        status="published", published_at=utcnow(), hot_score=1e9)
            note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                                     keys={"display": "notes/x/fake-display.webp",
                                           "thumb": "notes/x/fake-thumb.webp"})]
            topic = Topic(name=topic_name, note_count=1)
            db.session.add_all([note, topic])
            db.session.flush()
            db.session.add(NoteTopic(note_id=note.id, topic_id=topic.id))
        commit()
        return reader.email, f"普洱 {tag}", f"tea{tag}"


def test_pick_topics_then_turn_a_card_down_and_take_it_back(page: Page, live_server):
    email, tea_title, tea_topic = seed(live_server)
    log_in(page, email)

    page.goto("/welcome/topics")
    expect(page.get_by_role("heading", level=1)).to_have_text("你想看些什么？")
    expect(page.get_by_test_id("skip-topics")).to_have_text("暂时跳过")
    page.locator("label", has_text=f"#{tea_topic}").click()
    with page.expect_navigation():
        page.get_by_role("button", name="开始我的发现页").click()
    expect(page.locator(".flashes")).to_contain_text("发现页现在会从你选的话题开始推荐")

    card = page.locator(".note-card", has_text=tea_title)
    expect(card).to_be_visible()
    card.get_by_label("笔记选项").click()
    card.get_by_test_id("not-interested").click()
    notice = page.locator(".card-dismissed")
    expect(notice).to_contain_text("已隐藏。此类笔记会减少出现。")
    expect(page.locator(".note-card", has_text=tea_title)).to_have_count(0)
    notice.get_by_role("button", name="撤销").click()
    expect(page.locator(".note-card", has_text=tea_title)).to_be_visible()
    # The card fits the phone's column: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Turned down for good this time: gone after reloading too.
    card = page.locator(".note-card", has_text=tea_title)
    card.get_by_label("笔记选项").click()
    card.get_by_test_id("not-interested").click()
    expect(page.locator(".card-dismissed")).to_be_visible()
    page.reload()
    expect(page.locator(".note-card", has_text=tea_title)).to_have_count(0)
