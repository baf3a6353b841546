"""Events API: reading events and leaderboards, joining and entering, the refusals' codes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import utcnow
from app.services.social import engagement as interactions
from app.services.social import events
from app.services.social.events import EventInput

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def tea_event(make_user, make_org):
    brand = make_org("brand", name="Lumi Beauty")
    event = events.create_event(make_user(roles=("community",)), EventInput(
        title_en="Tea around the world", title_zh="世界各地的茶", prompt_en="Your cup.",
        prompt_zh="你的那杯茶。", topic="tea", starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(days=3), rules="One note each.", sponsor_id=brand.id))
    db.session.commit()
    return event


def test_events_are_listed_and_read_in_both_languages(client, tea_event):
    listed = client.get("/api/v1/events").get_json()
    assert [e["id"] for e in listed["items"]] == [tea_event.id]
    body = client.get(f"/api/v1/events/{tea_event.id}").get_json()
    assert body["title"] == {"en": "Tea around the world", "zh": "世界各地的茶"}
    assert body["stage"] == "running" and body["topic"] == "tea"
    assert body["sponsor"]["name"] == "Lumi Beauty"
    assert body["leaderboards"] == {"combined": [], "china": [], "abroad": []}
    assert body["winners"] is None
    assert client.get("/api/v1/events/999999").get_json()["error"]["code"] == "event_not_found"


def test_entering_through_the_api_ranks_the_note_on_its_side(
        client, api_token, make_user, make_note, tea_event):
    author = make_user(home_country="CN")
    note = make_note(author, title="龙井", body="明前龙井 #tea")
    off_topic = make_note(author, title="抹茶", body="抹茶拿铁 #matcha")
    headers = api_token(author)
    refused = client.post(f"/api/v1/events/{tea_event.id}/entries",
                          json={"note_id": off_topic.id}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "event_topic_missing"
    response = client.post(f"/api/v1/events/{tea_event.id}/entries", json={"note_id": note.id},
                           headers=headers)
    assert response.status_code == 201
    assert response.get_json()["side"] == "china"
    interactions.like_note(make_user(), note.id)
    db.session.commit()
    body = client.get(f"/api/v1/events/{tea_event.id}", headers=headers).get_json()
    assert body["joined"] is True and body["participant_count"] == 1
    assert [(s["note_id"], s["score"]) for s in body["leaderboards"]["china"]] == [(note.id, 1)]
    assert body["leaderboards"]["abroad"] == []
    entries = client.get(f"/api/v1/events/{tea_event.id}/entries").get_json()
    assert [n["id"] for n in entries["items"]] == [note.id]


def test_joining_an_ended_event_answers_409(client, api_token, make_user, tea_event):
    tea_event.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/api/v1/events/{tea_event.id}/join", headers=api_token(make_user()))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "event_ended"


def test_entries_page_with_a_cursor(client, make_user, make_note, tea_event):
    notes = []
    for i in range(3):
        author = make_user()
        note = make_note(author, title=f"Cup {i}", body="#tea")
        events.enter_note(author, tea_event.id, note.id)
        notes.append(note)
    db.session.commit()
    first = client.get(f"/api/v1/events/{tea_event.id}/entries?limit=2").get_json()
    assert [n["id"] for n in first["items"]] == [notes[2].id, notes[1].id]
    rest = client.get(f"/api/v1/events/{tea_event.id}/entries?limit=2"
                      f"&cursor={first['next_cursor']}").get_json()
    assert [n["id"] for n in rest["items"]] == [notes[0].id]
    assert rest["next_cursor"] is None


def test_event_notices_in_the_notifications_api(client, api_token, make_user, make_note,
                                                tea_event):
    author = make_user()
    note = make_note(author, body="#tea")
    events.enter_note(author, tea_event.id, note.id)
    events.advance_events(now=tea_event.ends_at + timedelta(minutes=1))
    db.session.commit()
    items = client.get("/api/v1/notifications", headers=api_token(author)).get_json()["items"]
    assert sorted((n["kind"], n["event_id"], n["event_stage"], n["note_id"]) for n in items) \
        == [("event", tea_event.id, "ended", None), ("event", tea_event.id, "placed", note.id)]
