"""The personal Discover's pages and API: "not interested" on a card and its undo, and the
topics a new person picks after signing up (in both languages).
"""

from __future__ import annotations

import re

from app.extensions import db
from app.models import NoteTopic, Topic, User
from app.services.social import feed, interests
from tests.conftest import PASSWORD

pytest_plugins = ["tests.notes_fixtures"]

NOT_INTERESTED = re.compile(r'action="/notes/(\d+)/not-interested"')


def text(response) -> str:
    return response.get_data(as_text=True)


def with_topic(note, name: str) -> Topic:
    topic = db.session.query(Topic).filter_by(name=name).one_or_none() \
        or Topic(name=name, note_count=0)
    db.session.add(topic)
    db.session.flush()
    db.session.add(NoteTopic(note_id=note.id, topic_id=topic.id))
    topic.note_count += 1
    db.session.flush()
    return topic


def test_not_interested_hides_a_card_and_undo_brings_it_back(client, make_user, login,
                                                               post_form, quick_note):
    viewer, author = make_user(), make_user()
    quick_note(viewer, "My own note")
    theirs = quick_note(author, "Matcha latte")
    db.session.commit()
    # Guests keep today's feed, without the button.
    assert NOT_INTERESTED.findall(text(client.get("/"))) == []
    login(viewer)
    page = text(client.get("/"))
    assert NOT_INTERESTED.findall(page) == [str(theirs.id)]  # never on one's own note
    assert "Not interested" in page and 'src="/static/js/not_interested.js"' in page
    assert NOT_INTERESTED.findall(text(client.get("/?tab=following"))) == []

    response = post_form(f"/notes/{theirs.id}/not-interested", {}, page="/")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/?dismissed={theirs.id}"
    page = text(client.get(response.headers["Location"]))
    assert "Matcha latte" not in page and "My own note" in page
    assert "Hidden. You will see fewer notes like this." in page
    assert f'action="/notes/{theirs.id}/not-interested/undo"' in page
    for odd in ("-3", "99999999999", "tea"):
        assert "Hidden." not in text(client.get(f"/?dismissed={odd}"))

    response = post_form(f"/notes/{theirs.id}/not-interested/undo", {"next": "/"}, page="/")
    assert response.status_code == 303
    page = text(client.get("/"))
    assert "Matcha latte" in page and "The note is back in your feed." in page


def test_not_interested_answers_the_cards_script_in_json(client, make_user, login,
                                                         post_form, quick_note):
    viewer = make_user(locale="zh")
    note = quick_note(make_user(), "Oolong")
    own = quick_note(viewer, "Mine")
    db.session.commit()
    login(viewer)
    json_headers = {"Accept": "application/json"}
    response = post_form(f"/notes/{note.id}/not-interested", {}, page="/",
                         headers=json_headers)
    assert response.status_code == 200
    assert response.get_json() == {"note_id": note.id,
                                   "message": "已隐藏。此类笔记会减少出现。"}
    response = post_form(f"/notes/{own.id}/not-interested", {}, page="/",
                         headers=json_headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "own_note"
    assert client.post(f"/notes/{note.id}/not-interested/undo",
                       headers=json_headers).status_code == 400  # no CSRF token
    assert post_form(f"/notes/{note.id}/not-interested/undo", {}, page="/",
                     headers=json_headers).get_json()["note_id"] == note.id
    assert note.id in [n.id for n in feed.discover(
        feed.Audience(db.session.get(User, viewer.id), "en", None), None, 10, 0.3, 0.4).notes]


def test_a_new_account_picks_topics_after_logging_in(client, post_form, mail_link,
                                                     make_user, quick_note):
    author = make_user()
    tea = with_topic(quick_note(author, "Pu'er"), "tea")
    citywalk = with_topic(quick_note(author, "Bund at night"), "citywalk")
    db.session.commit()
    signup = post_form("/auth/signup", {"display_name": "Ana", "email": "ana@example.com",
                                        "password": PASSWORD})
    client.get(mail_link("verify_email"))
    login_page = signup.headers["Location"]
    response = post_form(login_page, {"email": "ana@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/welcome/topics"

    page = text(client.get("/welcome/topics"))
    assert "#tea" in page and "#citywalk" in page and 'data-testid="skip-topics"' in page
    response = post_form("/welcome/topics", {})
    assert response.status_code == 422
    assert "Pick between 1 and 10 topics, or skip this step." in text(response)
    response = post_form("/welcome/topics", {"topics": ["abc"]})
    assert "One of those topics no longer exists; pick again." in text(response)

    response = post_form("/welcome/topics", {"topics": [str(tea.id), str(citywalk.id)]})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    ana = db.session.query(User).filter_by(email="ana@example.com").one()
    assert interests.picked_topic_ids(ana) == {tea.id, citywalk.id}
    assert text(client.get("/welcome/topics")).count("checked") == 2


def test_the_topics_step_speaks_chinese(client, make_user, login, quick_note):
    with_topic(quick_note(make_user(), "普洱"), "茶")
    user = make_user(locale="zh")
    db.session.commit()
    login(user)
    page = text(client.get("/welcome/topics"))
    for english in ("Pick a few topics", "Skip for now", "Start my Discover", "What would"):
        assert english not in page
    assert "跳过" in page and "#茶" in page


def test_the_api_dismisses_undoes_and_picks_topics(client, make_user, api_token, quick_note):
    viewer = make_user()
    note = quick_note(make_user(), "Jasmine")
    topic = with_topic(note, "jasmine")
    db.session.commit()
    headers = api_token(viewer)
    assert client.post(f"/api/v1/notes/{note.id}/not-interested").status_code == 401
    response = client.post(f"/api/v1/notes/{note.id}/not-interested", headers=headers)
    assert response.get_json() == {"note_id": note.id, "not_interested": True}
    items = client.get("/api/v1/feed", headers=headers).get_json()["items"]
    assert note.id not in [i["id"] for i in items]
    response = client.delete(f"/api/v1/notes/{note.id}/not-interested", headers=headers)
    assert response.get_json() == {"note_id": note.id, "not_interested": False}
    assert client.post("/api/v1/notes/999999/not-interested",
                       headers=headers).status_code == 404

    response = client.post("/api/v1/me/topics", json={"topic_ids": [topic.id]},
                           headers=headers)
    assert response.get_json() == {"topic_ids": [topic.id]}
    for bad in ({"topic_ids": "tea"}, {"topic_ids": []}, {"topic_ids": [topic.id + 99]}):
        response = client.post("/api/v1/me/topics", json=bad, headers=headers)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "invalid_topic_choice"
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"post", "delete"} <= set(spec["paths"]["/api/v1/notes/{note_id}/not-interested"])
    assert "post" in spec["paths"]["/api/v1/me/topics"]
