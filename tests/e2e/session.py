"""Logging in and out in the browser, shared by the journeys that are not about it."""

from __future__ import annotations

from playwright.sync_api import Page

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
