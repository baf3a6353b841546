"""Logging in and out, choosing the UI language and checking the page fits, shared by the
journeys that are not about those steps.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page

PASSWORD = "a-long-unique-phrase-for-e2e"


def log_in(page: Page, email: str) -> None:
    """Log in from the login page and wait for the page it leads to."""
    page.goto("/auth/login")
    page.locator("main input[name=email]").fill(email)  # by name: the labels may be Chinese
    page.locator("main input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def log_out(page: Page) -> None:
    """Log out from the header (opening the phone menu first)."""
    toggle = page.locator("button.nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    with page.expect_navigation():
        page.get_by_test_id("logout").click()


def read_in(page: Page, live_server, locale: str) -> None:
    """Choose the UI language after logging in: the last session's choice may linger."""
    token = page.locator("form.prefs input[name=csrf_token]").first.get_attribute("value")
    page.request.post(f"{live_server.url}/preferences",
                      form={"csrf_token": token, "locale": locale, "next": "/"})


def no_sideways_scroll(page: Page) -> None:
    """Nothing on the page is wider than the window (a phone must not scroll sideways)."""
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def another_person(browser: Browser, base_url: str, like: Page, locale: str = "en-US",
                   user_agent: str | None = None) -> Page:
    """A browser context of its own at the size of `like`, as a second person has: no
    session or language can pass between accounts, as it can when one context logs out
    and in again (a beacon sent as a page closes may bring the old session back).
    """
    phone = like.viewport_name == "phone"
    extra = {"user_agent": user_agent} if user_agent else {}
    context = browser.new_context(viewport=like.viewport_size, locale=locale,
                                  base_url=base_url, is_mobile=phone, has_touch=phone,
                                  **extra)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.viewport_name = like.viewport_name
    return tab
