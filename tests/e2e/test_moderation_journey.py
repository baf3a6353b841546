"""The moderation journey in a real browser, on a phone-sized and a desktop viewport.

A shopper reports a note; a moderator claims it and removes it (the note is gone for
everyone else); its creator reads the reason in 中文 and appeals; a second moderator
reinstates it; the admin's transparency page counts the removal and the reinstatement.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, User, utcnow
from app.services import moderation
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from app.services.social.notes import ImageUpload
from tests.e2e.browser import expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, log_in, log_out
from tests.notes_factories import image_bytes


def _user(email: str, name: str, country: str, locale: str, role: str | None = None,
          markets=(), languages=()) -> User:
    user = User(email=email, password_hash=hash_password(PASSWORD), display_name=name,
                home_country=country, locale=locale, email_verified_at=utcnow())
    if role:
        user.platform_roles = [PlatformRole(role=role, markets=list(markets),
                                            languages=list(languages))]
    db.session.add(user)
    return user


def _figures(app, admin_email: str) -> dict[str, int]:
    with app.app_context():
        admin = db.session.query(User).filter_by(email=admin_email).one()
        report = moderation.transparency_report(admin, date.today())
        counts = dict(report.total.counts)
        db.session.remove()
    return counts


@pytest.fixture
def cast(live_server):
    """A creator (中文) with a published note, a shopper, two moderators and an admin."""
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        creator = _user(f"creator-{tag}@example.com", f"小红 {tag}", "CN", "zh")
        shopper = _user(f"shopper-{tag}@example.com", f"Mia {tag}", "US", "en")
        first = _user(f"mod-{tag}@example.com", f"Mo {tag}", "GB", "en", "moderator",
                      ["US", "GB", "CN"], ["en", "zh"])
        second = _user(f"mod2-{tag}@example.com", f"Mina {tag}", "GB", "en", "moderator",
                       ["US", "GB", "CN"], ["en", "zh"])
        admin = _user(f"admin-{tag}@example.com", f"Ada {tag}", "SG", "en", "admin")
        commit()
        note = notes.create_note(creator, title=f"限时秒杀 {tag}",
                                 body="点我主页，三天回本，稳赚不赔",
                                 images=[ImageUpload(image_bytes(size=(600, 800)), "a.jpg")])
        commit()
        people = {"creator": creator.email, "shopper": shopper.email, "first": first.email,
                  "second": second.email, "admin": admin.email, "note_id": note.id,
                  "title": note.title}
        db.session.remove()
    return people


def test_report_remove_appeal_reinstate_and_count(page, live_server, cast):
    note_url = f"/notes/{cast['note_id']}"
    before = _figures(live_server.app, cast["admin"])

    # A shopper reports the note.
    log_in(page, cast["shopper"])
    page.goto(note_url)
    box = page.locator("details.report-box")
    box.locator("summary").click()
    box.locator("select[name=reason]").select_option("spam")
    box.locator("textarea[name=details]").fill("Get-rich-quick spam.")
    with page.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(page.locator(".flashes")).to_contain_text("we will tell you the outcome")
    log_out(page)

    # The moderator finds it in the queue, claims it and removes it.
    log_in(page, cast["first"])
    page.goto("/admin/moderation")
    row = page.locator(f"tr[data-target='note:{cast['note_id']}']")
    expect(row.get_by_test_id("report-count")).to_contain_text("1")
    with page.expect_navigation():
        row.locator("a").first.click()
    item_url = page.url
    with page.expect_navigation():
        page.get_by_test_id("claim").click()
    expect(page.get_by_test_id("claimed-by")).to_be_visible()
    form = page.get_by_test_id("decision-form")
    form.locator("select[name=action]").select_option("remove")
    form.locator("select[name=reason_code]").select_option("spam")
    with page.expect_navigation():
        page.get_by_test_id("decide").click()
    expect(page.locator(".flashes")).to_contain_text("Decision recorded.")
    log_out(page)

    # Gone for everyone else.
    assert page.goto(note_url).status == 404

    # The creator reads why, in their own language (Chinese), and appeals.
    log_in(page, cast["creator"])
    page.goto(note_url)
    notice = page.get_by_test_id("moderation-notice")
    expect(notice).to_contain_text("仅你自己可见")
    expect(notice).to_contain_text("垃圾信息或违规广告")
    page.goto("/notifications")
    expect(page.locator("[data-event=removed]")).to_contain_text("你的内容已被删除")
    with page.expect_navigation():
        page.locator("li.notification", has=page.locator("[data-event=removed]")) \
            .locator("a").first.click()
    expect(page.get_by_test_id("decision-reason")).to_have_text("垃圾信息或违规广告")
    page.locator("textarea[name=statement]").fill("这是正规的理财课程推广，不是诈骗。")
    with page.expect_navigation():
        page.get_by_test_id("appeal").click()
    expect(page.get_by_test_id("appeal-status")).to_contain_text("等待另一位审核员")
    log_out(page)

    # The same moderator may not decide the appeal; a second one reinstates it.
    log_in(page, cast["second"])
    page.goto(item_url)
    expect(page.get_by_test_id("appeal")).to_contain_text("这是正规的理财课程推广")
    form = page.get_by_test_id("decision-form")
    form.locator("select[name=action]").select_option("approve")
    form.locator("select[name=reason_code]").select_option("no_violation")
    with page.expect_navigation():
        page.get_by_test_id("decide").click()
    expect(page.locator(".flashes")).to_contain_text("Decision recorded.")
    log_out(page)
    response = page.goto(note_url)
    assert response.status == 200
    expect(page.locator("h1.note-title")).to_have_text(cast["title"])

    # The transparency page counts the removal, the appeal and the reinstatement.
    log_in(page, cast["admin"])
    page.goto("/admin/transparency")
    table = page.get_by_test_id("transparency")
    for metric in ("removed", "appealed", "reinstated", "reported"):
        expect(table.locator(f"tr[data-metric={metric}] td[data-market=ALL]")) \
            .to_have_text(str(before[metric] + 1))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"moderation-journey-{page.viewport_name}.png"),
                    full_page=True)
