"""The topics API (both sides' counts, side switch, questions) and the answers API."""

from __future__ import annotations

import io

import pytest

from app.extensions import db
from app.services.social import engagement, topics
from tests.notes_factories import image_bytes

pytest_plugins = ["tests.notes_fixtures"]


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def tea(make_user, make_note):
    china = make_user(home_country="CN")
    us = make_user(home_country="US")
    made = {"china": make_note(china, "龙井新茶", "今年的龙井 #茶"),
            "us": make_note(us, "Morning sencha", "Before work #tea"),
            "question": make_note(us, "Which tea to bring home?", "Hangzhou #tea",
                                  question_to="china")}
    topics.link_topics(make_user(roles=("moderator",)), "tea", "茶")
    db.session.commit()
    return made


def test_a_topic_by_either_name_with_both_sides_counts(client, tea):
    body = client.get("/api/v1/topics/%E8%8C%B6").get_json()
    assert body == {"name": "tea", "names": ["tea", "茶"],
                    "note_counts": {"all": 3, "china": 1, "abroad": 2},
                    "question_counts": {"all": 1, "china": 1, "abroad": 0}}
    china = client.get("/api/v1/topics/tea/notes?side=china").get_json()
    assert [n["id"] for n in china["items"]] == [tea["china"].id]
    asked = client.get("/api/v1/topics/茶/notes?view=questions&side=china").get_json()
    assert [(n["id"], n["question_to"]) for n in asked["items"]] == [
        (tea["question"].id, "china")]
    bad = client.get("/api/v1/topics/tea/notes?side=mars")
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_side"
    assert error_of(client.get("/api/v1/topics/nothing"))["code"] == "topic_not_found"


def test_answers_ranked_and_one_best_answer(client, tea, make_user, api_token):
    question = tea["question"]
    abroad = engagement.add_comment(make_user(home_country="GB"), question.id, "Earl Grey")
    local = engagement.add_comment(make_user(home_country="CN"), question.id, "龙井")
    db.session.commit()
    items = client.get(f"/api/v1/notes/{question.id}/answers").get_json()["items"]
    assert [(a["id"], a["side"], a["from_addressed_side"]) for a in items] == [
        (local.id, "china", True), (abroad.id, "abroad", False)]

    asker = api_token(question.author)
    stranger = client.post(f"/api/v1/notes/{question.id}/best-answer",
                           json={"comment_id": local.id}, headers=api_token(make_user()))
    assert stranger.status_code == 403 and error_of(stranger)["code"] == "not_question_author"
    picked = client.post(f"/api/v1/notes/{question.id}/best-answer",
                         json={"comment_id": abroad.id}, headers=asker)
    assert picked.status_code == 200
    assert picked.get_json()["is_best_answer"] is True
    assert picked.get_json()["side"] == "abroad"
    second = client.post(f"/api/v1/notes/{question.id}/best-answer",
                         json={"comment_id": local.id}, headers=asker)
    assert second.status_code == 409
    assert error_of(second)["code"] == "best_answer_already_chosen"
    missing = client.post(f"/api/v1/notes/{question.id}/best-answer", json={},
                          headers=asker)
    assert missing.status_code == 422 and "comment_id" in error_of(missing)["fields"]
    plain = client.get(f"/api/v1/notes/{tea['us'].id}/answers")
    assert plain.status_code == 422 and error_of(plain)["code"] == "not_a_question"


def test_post_and_change_a_question(client, make_user, api_token):
    headers = api_token(make_user(home_country="US"))
    made = client.post("/api/v1/notes", headers=headers, content_type="multipart/form-data",
                       data={"title": "Ask", "body": "#tea", "question_to": "china",
                             "images[]": [(io.BytesIO(image_bytes()), "a.jpg")]})
    assert made.status_code == 201 and made.get_json()["question_to"] == "china"
    note_id = made.get_json()["id"]
    bad = client.patch(f"/api/v1/notes/{note_id}", json={"question_to": "moon"},
                       headers=headers)
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_question_side"
    kept = client.patch(f"/api/v1/notes/{note_id}", json={"title": "Ask again"},
                        headers=headers)
    assert kept.get_json()["question_to"] == "china"
    cleared = client.patch(f"/api/v1/notes/{note_id}", json={"question_to": None},
                           headers=headers)
    assert cleared.get_json()["question_to"] is None
