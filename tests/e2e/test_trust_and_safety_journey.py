"""Trust and safety end to end, in a real browser, on a phone-sized and a desktop viewport.

A creator whose interface is in 中文 posts a note whose text hides a banned phrase behind
zero-width characters: screening holds it and the creator reads why in 中文. A shopper
reports the creator's other note. moderator@example.com claims both in the queue, removes
the reported note with a reason and restricts the held one to some markets. The creator
appeals the removal; moderator2@example.com reinstates it; the transparency page counts
every step. The live database is shared with other journeys, so the figures are read
before and compared after.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import ModerationRule, PlatformRole, User, utcnow
from app.services import moderation
from app.services.accounts.passwords import hash_password
from app.services.moderation import rules
from app.services.social import notes
from tests.e2e.browser import Page, expect
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.session import PASSWORD, another_person, log_in
from tests.notes_factories import image_bytes

BANNED = "测试违禁词"
MODERATORS = {"moderator@example.com": "Mo Moderator",
              "moderator2@example.com": "Mina Park (moderator)"}
COUNTED = ("screened", "held", "reported", "removed", "restricted", "appealed", "reinstated")


def _moderator(email: str, name: str, hashed: str) -> None:
    """The demo moderators, as the seed makes them (the live database starts empty)."""
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, display_name=name, home_country="GB", locale="en",
                    email_verified_at=utcnow(), password_hash=hashed)
        user.platform_roles = [PlatformRole(role="moderator", markets=["US", "GB", "CN"],
                                            languages=["en", "zh"])]
        db.session.add(user)
    user.password_hash = hashed


@pytest.fixture
def cast(live_server):
    """A creator (中文) with a published note, a shopper, an admin, the two moderators and
    the demo rule for the banned test phrase.
    """
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        creator = User(email=f"ts-creator-{tag}@example.com", password_hash=hashed,
                       display_name=f"小红 {tag}", home_country="CN", locale="zh",
                       email_verified_at=utcnow())
        shopper = User(email=f"ts-shopper-{tag}@example.com", password_hash=hashed,
                       display_name=f"Mia {tag}", home_country="US", ship_to_country="US",
                       locale="en",
                       email_verified_at=utcnow())
        admin = User(email=f"ts-admin-{tag}@example.com", password_hash=hashed,
                     display_name=f"Ada {tag}", email_verified_at=utcnow())
        admin.platform_roles = [PlatformRole(role="admin", markets=[], languages=[])]
        db.session.add_all([creator, shopper, admin])
        for email, name in MODERATORS.items():
            _moderator(email, name, hashed)
        commit()
        if db.session.scalar(select(ModerationRule.id).where(
                ModerationRule.term == BANNED, ModerationRule.removed_in.is_(None))) is None:
            rules.add_moderation_rule(admin, {
                "market": "ALL", "kind": "keyword", "term": BANNED, "language": "zh",
                "severity": "medium", "reason_code": "test_term", "match_pinyin": True})
            commit()
        reported = notes.create_note(creator, title=f"三天回本的理财课 {tag}",
                                     body="点我主页，稳赚不赔，名额有限",
                                     images=[notes.ImageUpload(image_bytes(size=(600, 800)),
                                                               "course.jpg")])
        commit()
        people = {"creator": creator.email, "shopper": shopper.email, "admin": admin.email,
                  "reported_id": reported.id, "reported_title": reported.title}
        db.session.remove()
    return people


def _figures(app, admin_email: str) -> dict[str, int]:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == admin_email))
        counts = dict(moderation.transparency_report(admin, date.today()).total.counts)
        db.session.remove()
    return counts


def _open_case(moderator: Page, note_id: int) -> str:
    """Open the note's case from the queue and claim it; the case page's address."""
    moderator.goto("/admin/moderation")
    row = moderator.locator(f"tr[data-target='note:{note_id}']")
    with moderator.expect_navigation():
        row.locator("a").first.click()
    url = moderator.url
    with moderator.expect_navigation():
        moderator.get_by_test_id("claim").click()
    expect(moderator.get_by_test_id("claimed-by")).to_be_visible()
    return url


def _decide(moderator: Page, url: str, action: str, reason: str, markets: str = "") -> None:
    moderator.goto(url)
    form = moderator.get_by_test_id("decision-form")
    form.locator("select[name=action]").select_option(action)
    form.locator("select[name=reason_code]").select_option(reason)
    if markets:
        form.locator("input[name=markets]").fill(markets)
    with moderator.expect_navigation():
        moderator.get_by_test_id("decide").click()
    expect(moderator.locator(".flashes")).to_contain_text("Decision recorded.")


def test_held_reported_removed_restricted_appealed_reinstated_and_counted(
        page: Page, browser, live_server, cast):
    before = _figures(live_server.app, cast["admin"])
    reported_url = f"/notes/{cast['reported_id']}"

    # The creator posts a note hiding the banned phrase behind zero-width spaces.
    log_in(page, cast["creator"])
    page.goto("/notes/new")
    title = f"今日好物分享 {uuid.uuid4().hex[:6]}"
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=body]").fill(f"姐妹们看这里：{chr(0x200b).join(BANNED)}，私聊我")
    page.locator("input[name=images]").set_input_files([
        {"name": "look.jpg", "mimeType": "image/jpeg",
         "buffer": image_bytes(size=(600, 800), color=(200, 120, 60))}])
    with page.expect_navigation():
        page.locator("button[name=publish], input[name=publish]").first.click()
    held_url = page.url
    held_id = int(held_url.rstrip("/").rsplit("/", 1)[1])
    notice = page.get_by_test_id("moderation-notice")
    expect(notice).to_contain_text("仅你自己可见")
    expect(notice).to_contain_text("测试词（演示规则）")

    # A shopper reports the creator's other note.
    shopper = another_person(browser, live_server.url, page)
    log_in(shopper, cast["shopper"])
    assert shopper.goto(held_url).status == 404  # held: nobody else sees it
    shopper.goto(reported_url)
    box = shopper.locator("details.report-box")
    box.locator("summary").click()
    box.locator("select[name=reason]").select_option("spam")
    box.locator("textarea[name=details]").fill("Get-rich-quick spam.")
    with shopper.expect_navigation():
        box.locator("button[type=submit]").click()
    expect(shopper.locator(".flashes")).to_contain_text("we will tell you the outcome")

    # The first moderator claims both; removes the reported note, restricts the held one.
    moderator = another_person(browser, live_server.url, page)
    log_in(moderator, "moderator@example.com")
    moderator.goto("/admin/moderation")
    expect(moderator.locator(f"tr[data-target='note:{cast['reported_id']}']")
           .get_by_test_id("report-count")).to_contain_text("1")
    removed_case = _open_case(moderator, cast["reported_id"])
    held_case = _open_case(moderator, held_id)
    _decide(moderator, removed_case, "remove", "spam")
    _decide(moderator, held_case, "restrict", "prohibited_goods", "gb, us")
    moderator.goto(held_case)
    expect(moderator.get_by_test_id("content-state")).to_contain_text("hidden in GB, US")
    moderator.context.close()

    # Removed for everyone else; the restricted note is back outside the US and the UK.
    assert shopper.goto(reported_url).status == 404
    assert shopper.goto(held_url).status == 404  # the shopper is in the US
    shopper.goto("/notifications")
    expect(shopper.locator("[data-testid=moderation-notice][data-event=report_actioned]")) \
        .to_have_count(1)
    shopper.context.close()

    # The creator reads why in 中文 and appeals the removal.
    page.goto(reported_url)
    expect(page.get_by_test_id("moderation-notice")).to_contain_text("垃圾信息或违规广告")
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

    # The second moderator reads the appeal and reinstates the note.
    second = another_person(browser, live_server.url, page)
    log_in(second, "moderator2@example.com")
    second.goto(removed_case)
    expect(second.get_by_test_id("appeal")).to_contain_text("这是正规的理财课程推广")
    _decide(second, removed_case, "approve", "no_violation")
    second.context.close()
    visitor = another_person(browser, live_server.url, page)
    assert visitor.goto(reported_url).status == 200
    expect(visitor.locator("h1.note-title")).to_have_text(cast["reported_title"])
    visitor.context.close()

    # The transparency page counts all of it.
    admin = another_person(browser, live_server.url, page)
    log_in(admin, cast["admin"])
    admin.goto("/admin/transparency")
    table = admin.get_by_test_id("transparency")
    for metric in COUNTED:
        expect(table.locator(f"tr[data-metric={metric}] td[data-market=ALL]")) \
            .to_have_text(str(before[metric] + 1))
    ARTIFACTS.mkdir(exist_ok=True)
    admin.screenshot(path=str(ARTIFACTS / f"trust-and-safety-{page.viewport_name}.png"),
                     full_page=True)
    admin.context.close()
