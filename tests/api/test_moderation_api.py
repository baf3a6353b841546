"""Moderation API: reports (201, 409), the scoped queue, decisions (201), a removed note
answering 404 to everyone but its author, appeals and legal requests."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import ModerationCase

pytest_plugins = ["tests.notes_fixtures", "tests.moderation_fixtures"]


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


@pytest.fixture
def reported_note(client, make_user, quick_note, api_token):
    author = make_user(home_country="US")
    note = quick_note(author, title="Cheap designer bags", region="US", language="en")
    db.session.commit()
    reporter = make_user()
    response = client.post("/api/v1/reports", headers=api_token(reporter), json={
        "target_type": "note", "target_id": note.id, "reason": "counterfeit"})
    assert response.status_code == 201, response.get_json()
    return note, author, reporter


def test_second_report_is_409_already_reported(client, reported_note, api_token):
    note, _author, reporter = reported_note
    response = client.post("/api/v1/reports", headers=api_token(reporter), json={
        "target_type": "note", "target_id": note.id, "reason": "spam"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "already_reported"


def test_queue_lists_items_of_the_moderators_markets(client, reported_note, make_moderator,
                                                      make_user, api_token):
    note, _author, _reporter = reported_note
    us_mod = make_moderator(markets=["US"])
    response = client.get("/api/v1/moderation/queue?market=US&status=pending",
                          headers=api_token(us_mod))
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    [item] = body["items"]
    assert {k: item[k] for k in ("target_type", "target_id", "report_count", "status")} == {
        "target_type": "note", "target_id": note.id, "report_count": 1, "status": "open"}
    assert item["reasons"][0]["code"] == "counterfeit"
    cn_mod = make_moderator(markets=["CN"])
    assert client.get("/api/v1/moderation/queue", headers=api_token(cn_mod)).get_json()[
        "items"] == []
    response = client.get("/api/v1/moderation/queue", headers=api_token(make_user()))
    assert response.status_code == 403
    response = client.get("/api/v1/moderation/queue?status=nope", headers=api_token(us_mod))
    assert response.status_code == 422


def test_queue_pages_with_a_cursor(client, make_user, make_moderator, quick_note, api_token):
    from app.services import moderation

    for _ in range(3):
        note = quick_note(make_user())
        moderation.open_case("note", note.id, source="rules", reasons=[
            {"code": "spam", "severity": "low"}], markets=[], language=None, hold=False)
    db.session.commit()
    headers = api_token(make_moderator())
    first = client.get("/api/v1/moderation/queue?limit=2", headers=headers).get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = client.get(f"/api/v1/moderation/queue?limit=2&cursor={first['next_cursor']}",
                        headers=headers).get_json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])


def test_remove_is_201_and_the_note_is_404_to_all_but_its_author(
        client, reported_note, make_moderator, make_user, api_token):
    note, author, reporter = reported_note
    case = db.session.query(ModerationCase).one()
    mod = make_moderator(markets=["US"])
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                           headers=api_token(mod),
                           json={"action": "remove", "reason_code": "counterfeit"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["action"] == "remove" and body["item"]["status"] == "decided"
    assert client.get(f"/api/v1/notes/{note.id}", headers=api_token(reporter)).status_code \
        == 404
    assert client.get(f"/api/v1/notes/{note.id}").status_code == 404
    assert client.get(f"/api/v1/notes/{note.id}", headers=api_token(author)).status_code \
        == 200
    again = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                        headers=api_token(mod),
                        json={"action": "approve", "reason_code": "no_violation"})
    assert again.status_code == 409
    assert error_of(again)["code"] == "case_already_decided"
    # The author appeals (201), once (409); another moderator reinstates (201).
    response = client.post(f"/api/v1/moderation/items/{case.id}/appeal",
                           headers=api_token(author), json={"statement": "Genuine stock."})
    assert response.status_code == 201 and response.get_json()["status"] == "open"
    response = client.post(f"/api/v1/moderation/items/{case.id}/appeal",
                           headers=api_token(author), json={})
    assert error_of(response)["code"] == "already_appealed"
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                           headers=api_token(mod),
                           json={"action": "approve", "reason_code": "no_violation"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "appeal_needs_other_moderator"
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                           headers=api_token(make_moderator()),
                           json={"action": "approve", "reason_code": "no_violation"})
    assert response.status_code == 201 and response.get_json()["on_appeal"] is True
    assert client.get(f"/api/v1/notes/{note.id}").status_code == 200


def test_restrict_needs_markets_and_outside_scope_is_403(client, reported_note,
                                                        make_moderator, api_token):
    case = db.session.query(ModerationCase).one()
    headers = api_token(make_moderator())
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision", headers=headers,
                           json={"action": "restrict", "reason_code": "other"})
    assert response.status_code == 422 and "markets" in error_of(response)["fields"]
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                           headers=api_token(make_moderator(markets=["CN"])),
                           json={"action": "remove", "reason_code": "spam"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "outside_moderator_scope"
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision", headers=headers,
                           json={"action": "restrict", "reason_code": "other",
                                 "markets": ["cn"]})
    assert response.status_code == 201 and response.get_json()["markets"] == ["CN"]


def test_claim_conflict_is_409(client, reported_note, make_moderator, api_token):
    case = db.session.query(ModerationCase).one()
    first, second = make_moderator(), make_moderator()
    response = client.post(f"/api/v1/moderation/items/{case.id}/claim",
                           headers=api_token(first))
    assert response.status_code == 200 and response.get_json()["status"] == "claimed"
    response = client.post(f"/api/v1/moderation/items/{case.id}/decision",
                           headers=api_token(second),
                           json={"action": "remove", "reason_code": "spam"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "case_claimed_by_other"


def test_legal_request_is_201_for_admins(client, reported_note, make_user, api_token):
    note, _author, _reporter = reported_note
    admin = make_user(roles=("admin",))
    response = client.post("/api/v1/moderation/legal-requests", headers=api_token(admin),
                           json={"target_type": "note", "target_id": note.id,
                                 "country": "DE", "legal_basis": "NetzDG §3"})
    assert response.status_code == 201 and response.get_json()["country"] == "DE"
    response = client.post("/api/v1/moderation/legal-requests",
                           headers=api_token(make_user(roles=("moderator",))),
                           json={"target_type": "note", "target_id": note.id,
                                 "country": "DE", "legal_basis": "x"})
    assert response.status_code == 403
