"""Co-created notes in the browser: invite by @handle, accept, write one's part, agree,
published and credited on the note, in both profiles and in notifications, in both languages.
"""

from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from app.services.social import coauthoring
from tests.conftest import csrf_from
from tests.notes_factories import image_bytes

pytest_plugins = ["tests.notes_fixtures"]


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def press(browser, note_id: int, action: str):
    """Press one of the co-author panel's buttons on the note page."""
    token = csrf_from(browser.get(f"/notes/{note_id}").get_data(as_text=True))
    return browser.post(f"/notes/{note_id}/coauthor/{action}", data={"csrf_token": token})


@pytest.fixture
def creators(app, make_user, make_note, login):
    author = make_user(display_name="Mei Lin", home_country="CN", locale="zh")
    partner = make_user(display_name="Sophie Martin", home_country="GB", locale="en")
    note = make_note(author, title="世界各地的茶", body="杭州的龙井 #茶", publish=False)
    author_browser, partner_browser = app.test_client(), app.test_client()
    login(author, target=author_browser)
    login(partner, target=partner_browser)
    return author, partner, note, author_browser, partner_browser


def test_invite_accept_write_agree_and_publish(creators, app):
    author, partner, note, author_browser, partner_browser = creators
    page = author_browser.get(f"/notes/{note.id}")
    assert "合著者" in page_text(page) and 'data-testid="coauthor-invite-form"' in page.text
    token = csrf_from(page.get_data(as_text=True))
    sent = author_browser.post(f"/notes/{note.id}/coauthor/invite",
                               data={"csrf_token": token, "handle": "@sophiemartin"},
                               follow_redirects=True)
    assert "已邀请 Sophie Martin" in page_text(sent)
    assert "等待 Sophie Martin 接受" in page_text(sent)

    notices = page_text(partner_browser.get("/notifications"))
    assert "Mei Lin invited you to co-author a note: 世界各地的茶" in notices
    invitation = partner_browser.get(f"/notes/{note.id}")
    assert "Mei Lin invited you to co-author this note." in page_text(invitation)
    accepted = press(partner_browser, note.id, "accept")
    assert accepted.status_code == 303 and accepted.location.endswith(
        f"/notes/{note.id}/coauthor/contribution")

    form = partner_browser.get(f"/notes/{note.id}/coauthor/contribution")
    saved = partner_browser.post(
        f"/notes/{note.id}/coauthor/contribution", content_type="multipart/form-data",
        data={"csrf_token": csrf_from(form.get_data(as_text=True)), "title": "Tea in London",
              "body": "Earl Grey, milk first #tea",
              "images": [(io.BytesIO(image_bytes()), "london.jpg")]})
    assert saved.status_code == 303
    press(partner_browser, note.id, "agree")
    draft = author_browser.get(f"/notes/{note.id}")
    assert "Sophie Martin 已同意。" in page_text(draft)
    assert "Earl Grey, milk first" in page_text(draft)
    published = press(author_browser, note.id, "agree")
    assert published.status_code == 303
    db.session.expire_all()
    assert note.status == "published" and len(note.images) == 2

    reader = app.test_client()
    shown = page_text(reader.get(f"/notes/{note.id}"))
    assert "Co-created by Mei Lin and Sophie Martin" in shown
    assert "Sophie Martin writes:" in shown
    for person in (author, partner):
        profile = reader.get(f"/u/{person.id}").get_data(as_text=True)
        assert f'data-note-id="{note.id}"' in profile and "Mei Lin &amp; Sophie Martin" in profile


def test_leaving_after_publication_leaves_a_notice(creators, app):
    author, partner, note, author_browser, partner_browser = creators
    coauthoring.invite_coauthor(author, note.id, partner.id)
    coauthoring.respond_to_invitation(partner, note.id, accept=True)
    coauthoring.update_contribution(partner, note.id, body="From London")
    coauthoring.agree_to_publish(author, note.id)
    coauthoring.agree_to_publish(partner, note.id)
    db.session.commit()

    left = press(partner_browser, note.id, "leave")
    assert left.status_code == 303
    reader = app.test_client()
    shown = page_text(reader.get(f"/notes/{note.id}"))
    assert "its co-author has removed themselves, so it is credited to Mei Lin alone" in shown
    assert "Co-created by" not in shown
    assert f'data-note-id="{note.id}"' not in reader.get(f"/u/{partner.id}").text
    assert "删除了自己的合著者身份" in page_text(author_browser.get("/notifications"))


def test_bad_input_is_explained_in_the_viewers_language(creators):
    author, partner, note, author_browser, partner_browser = creators
    token = csrf_from(author_browser.get(f"/notes/{note.id}").get_data(as_text=True))
    nobody = author_browser.post(f"/notes/{note.id}/coauthor/invite",
                                 data={"csrf_token": token, "handle": "@nobody-here"},
                                 follow_redirects=True)
    assert "找不到该博主。" in page_text(nobody)

    coauthoring.invite_coauthor(author, note.id, partner.id)
    db.session.commit()
    early = press(author_browser, note.id, "agree")
    assert "合著者还没有接受邀请。" in page_text(author_browser.get(early.location))
    edit = author_browser.get(f"/notes/{note.id}/edit")
    assert "再到笔记页面点击“同意发布”" in page_text(edit) and 'name="publish"' not in edit.text
    refused = author_browser.post(f"/notes/{note.id}/edit", data={
        "csrf_token": csrf_from(edit.get_data(as_text=True)), "title": note.title,
        "body": note.body, "publish": "1"})
    assert refused.status_code == 422 and "两位作者都同意" in page_text(refused)

    stranger_page = press(partner_browser, note.id, "agree")
    assert stranger_page.status_code == 303
    assert "The co-author has not accepted the invitation yet." in page_text(
        partner_browser.get(stranger_page.location))


def test_credits_on_a_profile_cost_no_query_per_note(app, make_user, quick_note):
    from app.models import NoteCoauthor, utcnow
    from tests.notes_factories import QueryCounter

    author, reader = make_user(display_name="Mei Lin"), app.test_client()

    def co_create(count: int) -> None:
        for i in range(count):
            note = quick_note(author, f"Together {i}")
            partner = make_user(display_name=f"Partner {i}")
            db.session.add(NoteCoauthor(note_id=note.id, coauthor_id=partner.id,
                                        status="accepted", invited_at=utcnow(),
                                        expires_at=utcnow()))
        db.session.commit()

    co_create(1)
    with QueryCounter() as few:
        assert "Mei Lin &amp; Partner 0" in reader.get(f"/u/{author.id}").text
    co_create(9)
    with QueryCounter() as many:
        assert "Mei Lin &amp; Partner 8" in reader.get(f"/u/{author.id}").text
    assert many.count == few.count, many.statements
