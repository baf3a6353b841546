"""Topic pages with both sides, the moderators' link/split page, and questions on a note."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.services.social import engagement, topics
from tests.web.test_auth import field_errors

pytest_plugins = ["tests.notes_fixtures"]
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def text(response) -> str:
    return response.get_data(as_text=True)


def counts(html: str) -> dict[str, int]:
    return {side: int(n) for side, n in re.findall(
        r'data-testid="count-(\w+)">(\d+)</span>', html)}


@pytest.fixture
def linked_tea(make_user, make_note):
    china = make_user(home_country="CN")
    us = make_user(home_country="US")
    notes = {"china": make_note(china, "龙井新茶", "今年的龙井 #茶"),
             "us": make_note(us, "Morning sencha", "Before work #tea")}
    topics.link_topics(make_user(roles=("moderator",)), "tea", "茶")
    db.session.commit()
    return notes


def test_either_hashtag_lands_on_one_page_with_both_sides(client, linked_tea):
    alias = client.get("/topics/茶?side=china")
    assert alias.status_code == 302
    assert alias.headers["Location"] == "/topics/tea?side=china"
    page = text(client.get("/topics/tea"))
    assert counts(page) == {"all": 2, "china": 1, "abroad": 1}
    assert "龙井新茶" in page and "Morning sencha" in page and "#茶" in page
    china_only = text(client.get("/topics/tea?side=china"))
    assert "龙井新茶" in china_only and "Morning sencha" not in china_only
    # An unknown switch position falls back to the whole page instead of an error.
    assert client.get("/topics/tea?side=mars").headers["Location"] == "/topics/tea"


def test_the_topic_page_in_chinese_leads_with_the_chinese_name(client, linked_tea):
    page = text(client.get("/topics/tea", headers=ZH))
    assert "<h1>#茶</h1>" in page
    for label in ("来自中国", "来自海外", "问答"):
        assert label in page


def test_moderators_link_and_split_topics(app, client, make_user, make_note, login,
                                          post_form):
    make_note(make_user(home_country="CN"), "城市漫步", "周末 #城市漫步")
    member = app.test_client()
    login(make_user(), target=member)
    assert member.get("/admin/topics").status_code == 403
    assert member.post("/admin/topics", data={"topic": "a", "alias": "b"}).status_code in (
        400, 403)
    login(make_user(roles=("moderator",)))
    refused = post_form("/admin/topics", {"topic": "citywalk", "alias": "citywalk"})
    assert refused.status_code == 422
    assert field_errors(text(refused), "alias") == ["A topic cannot be linked to itself."]
    linked = post_form("/admin/topics", {"topic": "#citywalk", "alias": "#城市漫步"},
                       follow=True)
    assert "#城市漫步 now opens the page of #citywalk." in text(linked)
    assert client.get("/topics/城市漫步").headers["Location"] == "/topics/citywalk"
    split = post_form("/admin/topics/城市漫步/split", {}, page="/admin/topics", follow=True)
    assert "#城市漫步 has its own page again." in text(split)
    assert client.get("/topics/城市漫步").status_code == 200


def test_a_question_shows_ranked_marked_answers_and_one_best_pick(
        client, make_user, make_note, login, post_form):
    asker = make_user(home_country="US")
    question = make_note(asker, "Which tea to bring home?", "From Hangzhou #tea",
                         question_to="china")
    abroad = engagement.add_comment(make_user(home_country="GB"), question.id, "Earl Grey!")
    local = engagement.add_comment(make_user(home_country="CN"), question.id, "龙井最好")
    db.session.commit()
    login(asker)
    page = text(client.get(f"/notes/{question.id}"))
    assert "A question to China" in page
    assert page.index(f'id="comment-{local.id}"') < page.index(f'id="comment-{abroad.id}"')
    assert page.count('data-testid="addressed-side"') == 1
    picked = post_form(f"/notes/{question.id}/best-answer/{abroad.id}", {},
                       page=f"/notes/{question.id}", follow=True)
    html = text(picked)
    assert "You picked the best answer." in html
    assert html.index(f'id="comment-{abroad.id}"') < html.index(f'id="comment-{local.id}"')
    assert 'data-testid="pick-best"' not in html
    again = post_form(f"/notes/{question.id}/best-answer/{local.id}", {},
                      page=f"/notes/{question.id}", follow=True)
    assert "You already picked a best answer to this question." in text(again)


def test_a_second_best_answer_is_refused_in_chinese(client, make_user, make_note, login,
                                                    post_form):
    asker = make_user(home_country="CN", locale="zh")
    question = make_note(asker, "海外的朋友平时喝什么茶？", "好奇 #茶", question_to="abroad")
    first = engagement.add_comment(make_user(home_country="US"), question.id, "Mostly black tea")
    second = engagement.add_comment(make_user(home_country="FR"), question.id, "Tisane!")
    db.session.commit()
    login(asker)
    post_form(f"/notes/{question.id}/best-answer/{first.id}", {},
              page=f"/notes/{question.id}", headers=ZH)
    again = post_form(f"/notes/{question.id}/best-answer/{second.id}", {},
                      page=f"/notes/{question.id}", follow=True, headers=ZH)
    assert "你已经为这个问题选过最佳回答了。" in text(again)


def test_compose_a_question(client, make_user, login, post_form):
    import io

    from tests.notes_factories import image_bytes

    login(make_user(home_country="US"))
    bad = post_form("/notes/new", {"title": "Q", "body": "#tea", "question_to": "mars",
                                   "images": [(io.BytesIO(image_bytes()), "a.jpg")]},
                    content_type="multipart/form-data")
    assert bad.status_code == 422
    made = post_form("/notes/new", {"title": "Where to buy tea in Shanghai?", "body": "#tea",
                                    "question_to": "china",
                                    "images": [(io.BytesIO(image_bytes()), "a.jpg")]},
                     content_type="multipart/form-data", follow=True)
    assert "A question to China" in text(made)
    assert "Where to buy tea in Shanghai?" in text(client.get("/topics/tea?view=questions"))


def test_the_author_of_the_best_answer_is_told_in_their_language(client, make_user,
                                                                 make_note, login, post_form):
    asker = make_user(home_country="US", display_name="Ava")
    answerer = make_user(home_country="CN", locale="zh")
    question = make_note(asker, "Which tea to bring home?", "From Hangzhou #tea",
                         question_to="china")
    local = engagement.add_comment(answerer, question.id, "龙井最好")
    db.session.commit()
    login(asker)
    post_form(f"/notes/{question.id}/best-answer/{local.id}", {}, page=f"/notes/{question.id}")
    post_form("/auth/logout", {}, page="/notifications")
    login(answerer)
    page = text(client.get("/notifications", headers=ZH))
    notice = page[page.index('data-testid="best-answer-notice"'):]
    assert "把你的回答选为问题的最佳回答" in notice[:200]
    assert "Which tea to bring home?" in notice[:600]
    assert ">Ava<" in page
