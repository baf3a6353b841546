"""Bilingual topics and a question across the border, in a real browser (phone and desktop).

A moderator links #茶 to #tea; a shopper in the US asks China a question under #tea; a
creator in China (Chinese UI) answers it; the shopper sees that answer marked and ranked
above an earlier one from abroad, picks it as best, and opens #茶 to land on the one page
with both sides' notes and counts.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import engagement, notes
from tests.e2e.browser import expect
from tests.e2e.community import answer_question, ask_question
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.notes_factories import uploads


@pytest.fixture
def cast(live_server):
    """A moderator, a shopper in the US, a creator in China and an early answerer abroad."""
    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)

        def person(role: str, country: str, locale: str) -> User:
            user = User(email=f"{role}-{tag}@example.com", password_hash=hashed,
                        display_name=f"{role} {tag}", home_country=country, locale=locale,
                        email_verified_at=utcnow())
            db.session.add(user)
            return user

        moderator = person("moderator", "GB", "en")
        moderator.platform_roles = [PlatformRole(role="moderator", markets=[], languages=[])]
        shopper, creator = person("shopper", "US", "en"), person("creator", "CN", "zh")
        early = person("early", "GB", "en")
        commit()
        notes.create_note(creator, title=f"龙井新茶 {tag}", body=f"今年的龙井 #茶{tag}",
                          images=uploads(1))
        commit()
        cast = {"tag": tag, "moderator": moderator.email, "shopper": shopper.email,
                "creator": creator.email, "early_id": early.id}
        db.session.remove()
    return cast


def test_link_topics_ask_china_answer_and_pick_the_best(page, live_server, cast):
    tag = cast["tag"]
    tea, cha = f"tea{tag}", f"茶{tag}"

    log_in(page, cast["moderator"])
    page.goto("/admin/topics")
    page.locator("input[name=topic]").fill(f"#{tea}")
    page.locator("input[name=alias]").fill(f"#{cha}")
    with page.expect_navigation():
        page.get_by_test_id("topic-link-form").locator("button[type=submit]").click()
    expect(page.locator(".flashes")).to_contain_text(f"#{cha} now opens the page of #{tea}.")
    log_out(page)

    title = f"Which Longjing should I bring home? {tag}"
    log_in(page, cast["shopper"])
    question_url = ask_question(page, title=title, text=f"Visiting Hangzhou next month #{tea}",
                                to="china")
    expect(page.get_by_test_id("question-badge")).to_have_text("A question to China")
    note_id = int(question_url.rstrip("/").rsplit("/", 1)[1])
    log_out(page)
    with live_server.app.app_context():
        engagement.add_comment(db.session.get(User, cast["early_id"]), note_id,
                               "Any airport shop will do")
        commit()
        db.session.remove()

    log_in(page, cast["creator"])
    answer_question(page, question_url, "买明前的西湖龙井")
    log_out(page)

    log_in(page, cast["shopper"])
    page.goto(question_url)
    answers = page.locator("li.comment:not(.reply)")
    expect(answers.first).to_contain_text("买明前的西湖龙井")
    expect(answers.first.get_by_test_id("addressed-side")).to_have_text("From China")
    with page.expect_navigation():
        answers.first.get_by_test_id("pick-best").click()
    expect(page.locator(".flashes")).to_contain_text("You picked the best answer.")
    expect(page.get_by_test_id("best-answer")).to_have_count(1)
    expect(page.get_by_test_id("pick-best")).to_have_count(0)

    page.goto(f"/topics/{cha}")
    assert page.url.endswith(f"/topics/{tea}")
    expect(page.get_by_test_id("count-all")).to_have_text("2")
    expect(page.get_by_test_id("count-china")).to_have_text("1")
    with page.expect_navigation():
        page.locator("[data-testid=side-switch] a[data-side=china]").click()
    expect(page.locator(".note-card")).to_have_count(1)
    expect(page.locator(".note-card")).to_contain_text(f"龙井新茶 {tag}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"topics-journey-{page.viewport_name}.png"),
                    full_page=True)
