"""Events journey: the community team starts "Tea around the world / 世界各地的茶" from the
admin form, a creator in China (中文) joins and enters a #tea note, and the event page shows
it on the China leaderboard, at phone and desktop sizes, without sideways scrolling.
"""

from __future__ import annotations

import uuid

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, User, utcnow
from app.services.accounts.passwords import hash_password
from app.services.social import notes
from tests.e2e.browser import expect
from tests.e2e.community import start_tea_event
from tests.e2e.session import PASSWORD, log_in, log_out, no_sideways_scroll, read_in
from tests.notes_factories import uploads


@pytest.fixture
def people(live_server):
    tag = uuid.uuid4().hex[:8]
    with live_server.app.app_context():
        hashed = hash_password(PASSWORD)
        team = User(email=f"community-{tag}@example.com", password_hash=hashed,
                    display_name=f"Kai {tag}", home_country="HK", email_verified_at=utcnow(),
                    locale="en", time_zone="Asia/Shanghai")
        team.platform_roles = [PlatformRole(role="community", markets=[], languages=[])]
        creator = User(email=f"creator-{tag}@example.com", password_hash=hashed,
                       display_name=f"小红 {tag}", home_country="CN", locale="zh",
                       email_verified_at=utcnow())
        db.session.add_all([team, creator])
        db.session.flush()
        note = notes.create_note(creator, title=f"西湖龙井 {tag}", body="明前龙井，豆香很浓 #tea",
                                 images=uploads(1))
        commit()
        found = {"team": team.email, "creator": creator.email, "note": note.title}
        db.session.remove()
    return found


def test_an_event_from_the_admin_form_to_the_china_leaderboard(page, live_server, people):
    log_in(page, people["team"])
    event_url = start_tea_event(page, "tea")
    expect(page.get_by_test_id("event-window")).to_contain_text("GMT+08:00")
    log_out(page)

    # The language is chosen explicitly: a fresh session may still carry the last one's.
    log_in(page, people["creator"])
    read_in(page, live_server, "zh")
    page.goto(event_url)
    expect(page.locator("h1")).to_have_text("世界各地的茶")
    expect(page.get_by_test_id("event-prompt")).to_have_text("晒出你的那杯茶。")
    with page.expect_navigation():
        page.get_by_test_id("join-event").click()
    expect(page.get_by_test_id("joined")).to_be_visible()
    page.get_by_test_id("entry-note").select_option(label=people["note"])
    with page.expect_navigation():
        page.get_by_test_id("enter-note").click()
    expect(page.locator(".flash")).to_contain_text("你的笔记已参赛")
    expect(page.get_by_test_id("leaderboard-china")).to_contain_text(people["note"])
    expect(page.get_by_test_id("leaderboard-abroad")).to_contain_text("还没有参赛笔记")
    no_sideways_scroll(page)
    page.goto("/events")
    expect(page.get_by_test_id("running-events")).to_contain_text("世界各地的茶")
    no_sideways_scroll(page)
