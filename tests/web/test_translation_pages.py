""""See translation" on notes, comments and bios; "always translate"; the admin glossary."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, GlossaryTerm, User
from app.services.social import engagement as interactions
from tests.web.test_notes_pages import text

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def chinese_note_with_comments(make_user, quick_note):
    note = quick_note(make_user(), "西湖龙井", "今年的新茶", language="zh")
    interactions.add_comment(make_user(), note.id, "在哪里买?")
    interactions.add_comment(make_user(), note.id, "Where can I buy this?")
    interactions.add_comment(make_user(), note.id, "很好喝")
    db.session.commit()
    return note


def test_without_a_provider_the_page_says_so_once(client, chinese_note_with_comments):
    page = text(client.get(f"/notes/{chinese_note_with_comments.id}"))
    assert page.count('data-testid="translation-off"') == 1
    assert "Machine translation is not set up on this Qiao" in page
    assert 'data-testid="see-translation"' not in page


def test_the_notice_is_in_chinese_for_chinese_readers(client, make_user, quick_note):
    note = quick_note(make_user(), "Tea around the world", "Green, black and oolong",
                      language="en")
    db.session.commit()
    page = text(client.get(f"/notes/{note.id}", headers=ZH))
    assert page.count('data-testid="translation-off"') == 1
    assert "本站尚未开启机器翻译" in page


def test_each_item_in_another_language_gets_a_link(client, libretranslate,
                                                   chinese_note_with_comments):
    note = chinese_note_with_comments
    page = text(client.get(f"/notes/{note.id}"))
    # The note and two Chinese comments; the English comment needs none.
    assert page.count('data-testid="see-translation"') == 3
    assert f"/translations/note/{note.id}?next=/notes/{note.id}" in page
    assert "data-auto-translate" not in page
    assert 'data-testid="translation-off"' not in page


def test_the_fragment_and_the_page(client, libretranslate, chinese_note_with_comments):
    note = chinese_note_with_comments
    fragment = text(client.get(f"/translations/note/{note.id}?fragment=1"))
    assert "<html" not in fragment
    assert "[en] 西湖龙井" in fragment and "[en] 今年的新茶" in fragment
    comment_id = db.session.scalar(select(Comment.id).where(Comment.body == "在哪里买?"))
    page = client.get(f"/translations/comment/{comment_id}?next=/notes/{note.id}")
    body = text(page)
    assert page.status_code == 200
    assert "[en] 在哪里买?" in body and 'data-testid="original"' in body
    assert f'href="/notes/{note.id}" data-testid="translation-back"' in body


def test_an_outside_next_is_not_followed(client, libretranslate, make_user, quick_note):
    note = quick_note(make_user(), "西湖", language="zh")
    db.session.commit()
    body = text(client.get(f"/translations/note/{note.id}?next=https://evil.example/"))
    assert 'href="/" data-testid="translation-back"' in body


def test_a_timeout_keeps_the_original_and_shows_no_error_page(
        client, openai_translation, make_user, quick_note, chinese_note_with_comments):
    openai_translation.delay_seconds = 1.5  # the app waits 1 s
    note = chinese_note_with_comments
    fragment = client.get(f"/translations/note/{note.id}?fragment=1")
    assert fragment.status_code == 200
    assert "Translation is not available right now. Try again later." in text(fragment)
    assert 'data-testid="translation-failed"' in text(fragment)
    english = quick_note(make_user(), "Oolong from Taiwan", "Roasted and sweet", language="en")
    db.session.commit()
    page = client.get(f"/translations/note/{english.id}?next=/notes/{english.id}", headers=ZH)
    assert page.status_code == 200
    assert "翻译暂时不可用" in text(page) and "Roasted and sweet" in text(page)


def test_hidden_content_is_not_translated(client, libretranslate, make_user, quick_note):
    draft = quick_note(make_user(), "草稿", language="zh", status="draft")
    db.session.commit()
    assert client.get(f"/translations/note/{draft.id}").status_code == 404
    assert client.get("/translations/poll/1").status_code == 404
    assert libretranslate.translate_calls() == []


def test_a_bio_in_another_language(client, libretranslate, make_user):
    person = make_user(bio="我住在杭州,每天喝龙井")
    db.session.commit()
    page = text(client.get(f"/u/{person.id}"))
    assert f"/translations/bio/{person.id}" in page
    fragment = text(client.get(f"/translations/bio/{person.id}?fragment=1"))
    assert "[en] 我住在杭州,每天喝龙井" in fragment


def test_always_translate_is_an_account_setting(client, login, post_form, libretranslate,
                                                make_user, chinese_note_with_comments):
    reader = make_user()
    login(reader)
    assert 'name="always_translate"' in text(client.get("/account/profile"))
    response = post_form("/account/translation", {"always_translate": "y"},
                         page="/account/profile")
    assert response.status_code == 302
    assert db.session.get(User, reader.id).always_translate is True
    page = text(client.get(f"/notes/{chinese_note_with_comments.id}"))
    assert page.count("data-auto-translate") == 3
    post_form("/account/translation", {}, page="/account/profile")
    assert db.session.get(User, reader.id).always_translate is False


def test_admins_edit_the_glossary(client, login, post_form, make_user):
    login(make_user(roles=("admin",)))
    response = post_form("/admin/glossary", {"term": "Hangzhou", "kind": "place",
                                             "rendering_zh": "杭州"}, page="/admin/glossary")
    assert response.status_code == 303
    page = text(client.get("/admin/glossary"))
    assert "Hangzhou" in page and "杭州" in page
    again = post_form("/admin/glossary", {"term": "hangzhou", "kind": "place"},
                      page="/admin/glossary")
    assert again.status_code == 409
    assert "“hangzhou” is already in the glossary." in text(again)
    bad = post_form("/admin/glossary", {"term": "", "kind": "planet"}, page="/admin/glossary")
    assert bad.status_code == 422
    assert "Enter the name to keep, such as Hangzhou." in text(bad)
    entry = db.session.scalar(select(GlossaryTerm))
    assert post_form(f"/admin/glossary/{entry.id}/delete", {},
                     page="/admin/glossary").status_code == 303
    assert db.session.scalar(select(GlossaryTerm)) is None


def test_only_admins_see_the_glossary(client, login, make_user):
    login(make_user(roles=("moderator",)))
    assert client.get("/admin/glossary").status_code == 403
