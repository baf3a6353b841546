"""Translation in a real browser, on a phone-sized and a desktop viewport.

A reader abroad turns on "Always translate": a Chinese note and a Chinese comment show
translated as the page loads (through a loopback OpenAI-compatible chat server), with the
store's name kept intact; a profile bio is translated on a tap; when the model is too
slow the original stays with a short notice; without a provider the page says so once.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import Comment, Membership, Note, NoteImage, Organization, Store, User, utcnow
from app.providers.translation import reset_translation_provider
from app.services.accounts.passwords import hash_password
from tests.e2e.browser import Page, expect
from tests.e2e.session import PASSWORD, log_in


@pytest.fixture
def cast(live_server):
    """A Chinese tea merchant's note with a Chinese comment, and a reader in the US."""
    tag = uuid.uuid4().hex[:8]
    store_name = f"West Lake Tea {tag}"
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        author = User(email=f"tea-{tag}@example.com", password_hash=hashed,
                      display_name=f"小茶 {tag}", home_country="CN", bio="我在杭州种茶",
                      email_verified_at=utcnow())
        reader = User(email=f"reader-{tag}@example.com", password_hash=hashed,
                      display_name=f"Sam {tag}", home_country="US", email_verified_at=utcnow())
        org = Organization(kind="merchant", name=store_name, slug=f"west-lake-{tag}")
        db.session.add_all([author, reader, org])
        db.session.add(Membership(organization=org, user=author, role="owner"))
        db.session.add(Store(organization=org, name=store_name, slug=f"west-lake-{tag}",
                             base_currency="CNY", origin_country="CN"))
        note = Note(author=author, title=f"今年的明前龙井 {tag}",
                    body=f"{store_name} 的新茶到了", status="published", language="zh",
                    published_at=utcnow())
        note.images = [NoteImage(position=0, is_cover=True, width=640, height=800,
                                 keys={"display": "notes/x/fake-display.webp"})]
        db.session.add(note)
        db.session.flush()
        db.session.add(Comment(note_id=note.id, author=author, body="欢迎来杭州喝茶",
                               language="zh"))
        commit()
        people = {"reader": reader.email, "note_id": note.id, "author_id": author.id,
                  "store_name": store_name, "title": note.title}
        db.session.remove()
    return people


def test_always_translate_then_a_slow_model_then_no_provider(page: Page, live_server, cast,
                                                             chat_model):
    log_in(page, cast["reader"])
    page.goto("/account/profile#translation")
    page.locator("input[name=always_translate]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save translation setting").click()
    expect(page.locator(".flashes")).to_contain_text("Translation setting saved.")

    # The note and the comment arrive translated without a tap; the store's name is kept.
    page.goto(f"/notes/{cast['note_id']}")
    translations = page.get_by_test_id("translation")
    expect(translations).to_have_count(2)
    expect(translations.first).to_contain_text(f"<English> {cast['title']}")
    expect(translations.first).to_contain_text(f"<English> {cast['store_name']} 的新茶到了")
    expect(translations.nth(1)).to_contain_text("<English> 欢迎来杭州喝茶")
    # The store's name never reaches the model (the other viewport may have cached the rest).
    sent = [r["messages"][1]["content"] for r in chat_model.requests]
    assert sent and not any(cast["store_name"] in text for text in sent)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # A model slower than the timeout: the bio stays as written, with a notice, no error page.
    with live_server.app.app_context():
        live_server.app.config["TRANSLATION_TIMEOUT_SECONDS"] = 1
        reset_translation_provider()
    chat_model.delay_seconds = 1.5
    page.goto(f"/u/{cast['author_id']}")
    expect(page.get_by_test_id("translation-failed")).to_contain_text(
        "Translation is not available right now. Try again later.")
    expect(page.locator(".profile-bio")).to_have_text("我在杭州种茶")

    # Without a provider the page says so once, instead of a link on every item.
    with live_server.app.app_context():
        live_server.app.config["TRANSLATION_URL"] = ""
        reset_translation_provider()
    page.goto(f"/notes/{cast['note_id']}")
    expect(page.get_by_test_id("translation-off")).to_have_count(1)
    expect(page.get_by_test_id("see-translation")).to_have_count(0)
