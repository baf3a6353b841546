"""Community steps in the browser shared by the journeys: the community team starts the
"Tea around the world / 世界各地的茶" event, a question is asked to one side, and answered.
"""

from __future__ import annotations

from tests.e2e.browser import Page, expect
from tests.e2e.session import no_sideways_scroll
from tests.notes_factories import image_bytes

EVENT_TITLE = {"en": "Tea around the world", "zh": "世界各地的茶"}
EVENT_PROMPT = {"en": "Show us your cup.", "zh": "晒出你的那杯茶。"}


def start_tea_event(page: Page, topic: str) -> str:
    """Start the tea event from the admin form (running now until 2040) as a member of the
    community team; the event page's URL.
    """
    page.goto("/admin/events/new")
    form = page.get_by_test_id("event-form")
    form.locator("input[name=title_en]").fill(EVENT_TITLE["en"])
    form.locator("input[name=title_zh]").fill(EVENT_TITLE["zh"])
    form.locator("textarea[name=prompt_en]").fill(EVENT_PROMPT["en"])
    form.locator("textarea[name=prompt_zh]").fill(EVENT_PROMPT["zh"])
    form.locator("input[name=topic]").fill(f"#{topic}")
    form.locator("input[name=starts_at]").fill("2026-01-01T09:00")
    form.locator("input[name=ends_at]").fill("2040-01-01T09:00")
    form.locator("textarea[name=rules]").fill("One note each.")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("save-event").click()
    expect(page.get_by_test_id("event-window")).to_be_visible()
    return page.url


def ask_question(page: Page, *, title: str, text: str, to: str) -> str:
    """Ask a question to `to` ("china" or "abroad") from the English compose page; its URL."""
    page.goto("/notes/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text").fill(text)
    page.locator("select[name=question_to]").select_option(to)
    page.locator("input[name=images]").set_input_files([
        {"name": "q.jpg", "mimeType": "image/jpeg", "buffer": image_bytes(size=(600, 800))}])
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    return page.url


def answer_question(page: Page, question_url: str, text: str) -> None:
    """Answer a question (in any UI language) and wait for the answer to show."""
    page.goto(question_url)
    page.locator("[data-testid=comment-form] textarea[name=body]").fill(text)
    with page.expect_navigation():
        page.locator("[data-testid=comment-form] button[type=submit]").click()
    expect(page.locator(".comment-body", has_text=text)).to_be_visible()
