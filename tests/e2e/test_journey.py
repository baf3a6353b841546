"""The account journey in a real browser, on a phone-sized and a desktop viewport.

Sign up, confirm the e-mail from the link in the outbox, log out and in again, switch the
header to 中文 and JPY, and log out; logging in from a fresh browser shows the account
remembered the choices.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxEmail, User
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS

PASSWORD = "a-long-unique-phrase-for-e2e"
VERIFY_LINK = re.compile(r"https?://[^\s]+(/auth/verify/[^\s]+)")


def open_menu(page: Page) -> None:
    """On a phone the header links and selects sit behind the ☰ button."""
    page.wait_for_load_state()  # before the CSS loads, the toggle shows on desktop too
    toggle = page.locator("button.nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#site-nav select[name=locale]")).to_be_visible()


def nav(page: Page):
    """The header navigation (opened first on a phone)."""
    open_menu(page)
    return page.locator("#site-nav")


def choose_in_header(page: Page, name: str, value: str) -> None:
    """Pick a header preference; the select submits itself and the page reloads."""
    select = nav(page).locator(f"select[name={name}]")
    with page.expect_navigation():
        select.select_option(value)
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    with page.expect_navigation():
        nav(page).get_by_test_id("logout").click()


def log_in(page: Page, email: str) -> None:
    nav(page).locator("a[href$='/auth/login']").click()
    page.locator("main input[name=email]").fill(email)  # by name: the labels may be Chinese
    page.locator("main input[name=password]").fill(PASSWORD)
    with page.expect_navigation():  # the next step must see the new page, styles and all
        page.locator("main form button[type=submit]").click()


def verification_path(live_server, email: str) -> str:
    """The path of the link in the verification e-mail the signup wrote to the outbox."""
    with live_server.app.app_context():
        mails = db.session.scalars(
            select(OutboxEmail).where(OutboxEmail.purpose == "verify_email",
                                      OutboxEmail.to_address == email)
        ).all()
        assert len(mails) == 1, f"expected one verification e-mail to {email}, got {len(mails)}"
        assert mails[0].sent_at is not None, "the verification e-mail was never sent"
        match = VERIFY_LINK.search(mails[0].body_text)
        assert match, f"no verification link in: {mails[0].body_text!r}"
        db.session.remove()
        return match.group(1)


def account_locale_and_currency(live_server, email: str) -> tuple[str | None, str | None]:
    with live_server.app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.remove()
        return user.locale, user.currency


def test_sign_up_verify_log_in_switch_to_chinese_and_yen_log_out(page, live_server):
    email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
    name = "Mei E2E"

    # Sign up from the header.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav(page).locator("a[href$='/auth/signup']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your Qiao account")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # The same answer as for a taken address, so sign-up does not log in by itself.
    expect(page.locator(".flashes")).to_contain_text(f"We sent a message to {email}")
    log_in(page, email)
    expect(page.get_by_text("Confirm your e-mail address to post notes.")).to_be_visible()

    # Confirm the address with the link from the outbox.
    page.goto(verification_path(live_server, email))
    expect(page.locator(".flashes")).to_contain_text("your e-mail address is confirmed")
    expect(page.get_by_text("Confirm your e-mail address to post notes.")).to_have_count(0)
    nav(page).get_by_role("link", name=name).click()
    expect(page.locator(".badge.ok")).to_have_text("confirmed")

    # Log out and back in.
    log_out(page)
    expect(page.locator(".flashes")).to_contain_text("You have logged out.")
    expect(nav(page).get_by_test_id("logout")).to_have_count(0)
    log_in(page, email)
    expect(page.locator(".flashes")).to_contain_text(f"Welcome back, {name}.")

    # Switch the header to Chinese, then to yen.
    choose_in_header(page, "locale", "zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".flashes")).to_contain_text("偏好已保存")
    choose_in_header(page, "currency", "JPY")
    expect(nav(page).locator("select[name=currency]")).to_have_value("JPY")
    expect(nav(page).locator("select[name=locale]")).to_have_value("zh")
    expect(nav(page).get_by_test_id("logout")).to_have_text("退出登录")
    expect(nav(page).get_by_role("link", name="发现", exact=True)).to_be_visible()
    expect(page.get_by_text("Log out", exact=True)).to_have_count(0)
    assert account_locale_and_currency(live_server, email) == ("zh", "JPY")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"journey-{page.viewport_name}-zh-jpy.png"),
                    full_page=True)

    # Log out: a guest again, with the log-in link back; the page keeps the user's language.
    log_out(page)
    expect(nav(page).get_by_test_id("logout")).to_have_count(0)
    expect(nav(page).locator("a[href$='/auth/login']")).to_be_visible()
    expect(page.locator(".flashes")).to_contain_text("你已退出登录")
    expect(page.locator("main .hero")).to_contain_text("以 JPY 计价")
    page.screenshot(path=str(ARTIFACTS / f"journey-{page.viewport_name}-logged-out.png"),
                    full_page=True)

    # The account remembered the choices: a visitor with no cookies sees English, and
    # logging in brings back 中文 and JPY.
    page.context.clear_cookies()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    log_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(nav(page).locator("select[name=currency]")).to_have_value("JPY")
    log_out(page)
    expect(nav(page).get_by_test_id("logout")).to_have_count(0)
