"""Organisations through the API: details, members (cursor pages), invitations."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS31Validator
from sqlalchemy import func, select

from app.extensions import db
from app.models import Invitation
from app.services.accounts.api_tokens import create_personal_token
from app.web.cursors import encode_cursor


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    return body["error"]


def invitation_count() -> int:
    return db.session.scalar(select(func.count(Invitation.id)))


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def check_schema(document, name: str, body) -> None:
    OAS31Validator({**document["components"]["schemas"][name],
                    "components": document["components"]}).validate(body)


def owner_of(org):
    return next(m.user for m in org.memberships if m.role == "owner")


# GET /organizations/{id} ----------------------------------------------------------------------
def test_members_see_the_organisation_with_their_role_and_store(client, make_org, make_user,
                                                                api_token, document):
    staff = make_user()
    org = make_org("merchant", members={staff: "staff"}, name="Tea House")
    response = client.get(f"/api/v1/organizations/{org.id}", headers=api_token(staff))
    assert response.status_code == 200
    body = response.get_json()
    check_schema(document, "Organization", body)
    assert (body["id"], body["kind"], body["name"], body["role"]) == \
        (org.id, "merchant", "Tea House", "staff")
    assert body["store_id"] == org.store.id
    assert body["store"]["base_currency"] == "USD" and body["member_count"] == 2


def test_a_brand_has_no_store(client, make_org, api_token, document):
    org = make_org("brand")
    body = client.get(f"/api/v1/organizations/{org.id}",
                      headers=api_token(owner_of(org))).get_json()
    check_schema(document, "Organization", body)
    assert body["store"] is None and body["store_id"] is None and body["role"] == "owner"


def test_outsiders_get_404_and_anonymous_401(client, make_org, api_token):
    org = make_org(name="Secret Org")
    outsider = owner_of(make_org())
    response = client.get(f"/api/v1/organizations/{org.id}", headers=api_token(outsider))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert "Secret Org" not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/organizations/{org.id}").status_code == 401
    assert client.get("/api/v1/organizations/999999",
                      headers=api_token(outsider)).status_code == 404


# GET /organizations/{id}/members --------------------------------------------------------------
def test_members_are_cursor_paginated(client, make_org, make_user, api_token, document):
    people = [make_user() for _ in range(4)]
    org = make_org(members={p: "staff" for p in people})
    headers = api_token(people[0])
    seen, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/organizations/{org.id}/members?limit=2"
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        for item in body["items"]:
            check_schema(document, "Member", item)
        seen += [item["user_id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [owner_of(org).id, *[p.id for p in people]]
    first = client.get(f"/api/v1/organizations/{org.id}/members", headers=headers).get_json()
    assert first["items"][0]["role"] == "owner" and first["next_cursor"] is None


def test_members_bad_cursor_and_limit(client, make_org, api_token):
    org = make_org()
    headers = api_token(owner_of(org))
    url = f"/api/v1/organizations/{org.id}/members"
    assert client.get(url + "?cursor=garbage", headers=headers).status_code == 400
    assert client.get(url + "?limit=101", headers=headers).status_code == 422
    # `[true]` decodes to a Python int, but no member id is a boolean.
    response = client.get(url + "?cursor=" + encode_cursor([True]), headers=headers)
    assert (response.status_code, response.get_json()["error"]["code"]) == (400, "invalid_cursor")


def test_members_of_another_organisation_are_404(client, make_org, api_token):
    org = make_org()
    outsider = owner_of(make_org())
    response = client.get(f"/api/v1/organizations/{org.id}/members",
                          headers=api_token(outsider))
    assert response.status_code == 404
    assert owner_of(org).email not in response.get_data(as_text=True)


# POST /organizations/{id}/invitations ---------------------------------------------------------
def test_owner_invites_and_the_secret_is_only_emailed(client, make_org, api_token, outbox,
                                                      document):
    org = make_org()
    response = client.post(f"/api/v1/organizations/{org.id}/invitations",
                           json={"email": "Lin@Example.com", "role": "admin"},
                           headers=api_token(owner_of(org)))
    assert response.status_code == 201
    body = response.get_json()
    check_schema(document, "Invitation", body)
    assert (body["email"], body["role"], body["status"]) == ("lin@example.com", "admin",
                                                             "pending")
    [mail] = outbox("org_invitation")
    secret = mail.body_text.split("/orgs/invitations/")[1].split()[0]
    assert secret not in response.get_data(as_text=True)
    listed = client.get(f"/api/v1/organizations/{org.id}/invitations",
                        headers=api_token(owner_of(org))).get_json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]


def test_idempotency_key_replays_without_a_second_email(client, make_org, api_token, outbox):
    org = make_org()
    headers = {**api_token(owner_of(org)), "Idempotency-Key": "invite-lin-1"}
    url = f"/api/v1/organizations/{org.id}/invitations"
    first = client.post(url, json={"email": "lin@example.com", "role": "staff"},
                        headers=headers)
    again = client.post(url, json={"email": "lin@example.com", "role": "staff"},
                        headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert invitation_count() == 1 and len(outbox("org_invitation")) == 1
    other = client.post(url, json={"email": "mo@example.com", "role": "staff"},
                        headers=headers)
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_key_reused"


def test_invitation_errors(client, make_org, make_user, api_token):
    member = make_user("member@example.com")
    staff = make_user()
    org = make_org(members={member: "admin", staff: "staff"})
    url = f"/api/v1/organizations/{org.id}/invitations"
    headers = api_token(owner_of(org))
    response = client.post(url, json={"email": "nope", "role": "owner"}, headers=headers)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"email", "role"}
    response = client.post(url, json={"email": "member@example.com", "role": "staff"},
                           headers=headers)
    assert response.status_code == 409 and error_of(response)["code"] == "already_member"
    response = client.post(url, json={"role": "staff"}, headers=headers)
    assert response.status_code == 422 and "email" in error_of(response)["fields"]
    response = client.post(url, json={"email": "x@example.com", "role": "staff"},
                           headers=api_token(staff))
    assert response.status_code == 403
    outsider = owner_of(make_org())
    response = client.post(url, json={"email": "x@example.com", "role": "staff"},
                           headers=api_token(outsider))
    assert response.status_code == 404
    assert invitation_count() == 0


def test_invitations_need_the_write_scope(client, make_org):
    org = make_org()
    _token, secret = create_personal_token(owner_of(org), "read only", ["read"], None)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/organizations/{org.id}", headers=headers).status_code == 200
    response = client.post(f"/api/v1/organizations/{org.id}/invitations",
                           json={"email": "x@example.com", "role": "staff"}, headers=headers)
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"
    assert invitation_count() == 0


def test_endpoints_are_documented(document):
    paths = document["paths"]
    assert "get" in paths["/api/v1/organizations/{org_id}"]
    members = paths["/api/v1/organizations/{org_id}/members"]["get"]
    assert {p["name"] for p in members["parameters"]} >= {"org_id", "cursor", "limit"}
    invite = paths["/api/v1/organizations/{org_id}/invitations"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in invite["parameters"])
    assert invite["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateInvitationRequest"}
    assert set(invite["responses"]) >= {"201", "403", "404", "409", "422"}
