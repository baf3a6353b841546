"""The co-created notes API: invite, accept, write, agree, read, leave, and its refusals."""

from __future__ import annotations

import io

import pytest

from app.extensions import db
from tests.notes_factories import image_bytes

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def creators(make_user, make_note, api_token):
    author = make_user(display_name="Mei Lin", home_country="CN")
    partner = make_user(display_name="Sophie Martin", home_country="GB")
    note = make_note(author, title="世界各地的茶", body="杭州的龙井 #茶", publish=False)
    return note, api_token(author), api_token(partner)


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_the_whole_journey(client, creators, make_user):
    note, author, partner = creators
    partner_id = client.get("/api/v1/me", headers=partner).get_json()["id"]
    base = f"/api/v1/notes/{note.id}/coauthor"
    invited = client.post(base, json={"user_id": partner_id}, headers=author)
    assert invited.status_code == 201, invited.get_json()
    assert invited.get_json()["status"] == "invited"
    assert client.get(f"/api/v1/notes/{note.id}", headers=partner).status_code == 200

    assert client.post(f"{base}/accept", headers=partner).get_json()["status"] == "accepted"
    written = client.patch(f"{base}/contribution", headers=partner,
                           content_type="multipart/form-data",
                           data={"title": "Tea in London", "body": "Milk first #tea",
                                 "images[]": [(io.BytesIO(image_bytes()), "london.jpg")]})
    assert written.status_code == 200 and written.get_json()["language"] == "en"
    assert client.post(f"{base}/agree", headers=author).get_json()["note_status"] == "draft"
    agreed = client.post(f"{base}/agree", headers=partner).get_json()
    assert agreed["note_status"] == "published" and agreed["coauthor_agreed"] is True

    shown = client.get(f"/api/v1/notes/{note.id}").get_json()
    assert shown["coauthor"]["display_name"] == "Sophie Martin"
    assert shown["coauthor_part"] == {"title": "Tea in London", "body": "Milk first #tea",
                                      "language": "en"}
    assert len(shown["images"]) == 2
    stranger = _token_of(make_user())
    assert error_code(client.get(base, headers=stranger)) == "coauthor_not_found"
    assert error_code(client.post(f"{base}/accept", headers=stranger)) \
        == "coauthor_invitation_not_found"

    left = client.delete(base, headers=partner)
    assert left.status_code == 200 and left.get_json()["status"] == "left"
    after = client.get(f"/api/v1/notes/{note.id}").get_json()
    assert after["status"] == "published" and after["coauthor"] is None


def _token_of(user):
    from app.services.accounts.api_tokens import issue_login_token

    _token, secret = issue_login_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_refusals_are_specific(client, creators):
    note, author, partner = creators
    base = f"/api/v1/notes/{note.id}/coauthor"
    for body, status, code in (({"user_id": "x"}, 422, "validation_failed"),
                               ({"user_id": 999999}, 422, "invalid_coauthor"),
                               ({}, 422, "invalid_coauthor")):
        refused = client.post(base, json=body, headers=author)
        assert (refused.status_code, error_code(refused)) == (status, code)
    # Someone else's draft stays out of sight until they are invited.
    assert error_code(client.post(f"{base}/accept", headers=partner)) == "note_not_found"
    partner_id = client.get("/api/v1/me", headers=partner).get_json()["id"]
    client.post(base, json={"user_id": partner_id}, headers=author)
    again = client.post(base, json={"user_id": partner_id}, headers=author)
    assert (again.status_code, error_code(again)) == (409, "coauthor_already_invited")
    early = client.post(f"{base}/agree", headers=author)
    assert (early.status_code, error_code(early)) == (409, "coauthor_not_accepted")
    alone = client.patch(f"/api/v1/notes/{note.id}", json={"status": "published"},
                         headers=author)
    assert (alone.status_code, error_code(alone)) == (409, "coauthor_agreement_required")
    not_yet = client.patch(f"{base}/contribution", json={"body": "hi"}, headers=partner)
    assert (not_yet.status_code, error_code(not_yet)) == (409, "coauthor_not_accepted")
    client.post(f"{base}/accept", headers=partner)
    too_long = client.patch(f"{base}/contribution", json={"title": "x" * 101},
                            headers=partner)
    assert too_long.status_code == 422 and "title" in too_long.get_json()["error"]["fields"]
    wrong_type = client.patch(f"{base}/contribution", json={"body": 5}, headers=partner)
    assert wrong_type.status_code == 422
