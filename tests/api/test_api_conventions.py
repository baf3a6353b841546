"""The API's conventions: JSON bodies, the error shape, Idempotency-Key and cursor pagination."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, IdempotencyRecord, OutboxEmail, User
from app.services.accounts.api_tokens import create_personal_token
from tests.api.test_auth_api import SIGNUP, error_of


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


# Bodies ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [
    b'{"email": "a@example.com",', b"{'single': 'quotes'}", b"\xff\xfe not utf-8",
    b"NaN-ish garbage", b'{"email": NaN}', b'{"n": Infinity}', b"[" * 100_000,
    b'{"n": ' + b"9" * 5000 + b"}"],
    ids=["truncated", "quotes", "not-utf8", "garbage", "nan", "infinity", "deep", "huge-int"])
def test_malformed_json_is_400(client, raw):
    response = client.post("/api/v1/users", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"
    assert count(User) == 0


def test_wrong_content_type_is_400(client):
    response = client.post("/api/v1/users", data="email=a@example.com",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert error_of(response)["code"] == "unsupported_media_type"
    assert "application/json" in error_of(response)["message"]


def test_a_json_suffix_media_type_is_accepted(client):
    response = client.post("/api/v1/users", data=json.dumps(SIGNUP),
                           content_type="application/vnd.qiao+json")
    assert response.status_code == 201


def test_a_missing_content_type_is_400(client):
    response = client.post("/api/v1/users", data=json.dumps(SIGNUP))
    assert response.status_code == 400
    assert error_of(response)["code"] == "unsupported_media_type"


def test_json_with_a_charset_is_accepted(client):
    response = client.post("/api/v1/users", data=json.dumps(SIGNUP),
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 201


@pytest.mark.parametrize("body", ["[]", '"a string"', "42", "null", ""])
def test_a_body_that_is_not_an_object_is_400(client, body):
    response = client.post("/api/v1/users", data=body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed_json"


def test_missing_fields_are_422_and_named(client):
    response = client.post("/api/v1/users", json={"email": "a@example.com"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {"password": ["This field is required."],
                               "display_name": ["This field is required."]}


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.put("/api/v1/me")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_the_api_needs_no_csrf_token(client):
    assert client.post("/api/v1/users", json=SIGNUP).status_code == 201


# Idempotency-Key ------------------------------------------------------------------------------
def test_same_key_and_body_replays_the_first_response(client, outbox):
    headers = {"Idempotency-Key": "signup-1"}
    first = client.post("/api/v1/users", json=SIGNUP, headers=headers)
    assert first.status_code == 201
    second = client.post("/api/v1/users", json=SIGNUP, headers=headers)
    assert second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count(User) == 1
    assert len(outbox("verify_email")) == 1


def test_without_a_key_a_repeat_is_a_new_request(client, outbox):
    assert client.post("/api/v1/users", json=SIGNUP).status_code == 201
    # Answered like the first (a taken address is not revealed), but nothing is replayed:
    # the second request ran and e-mailed the owner.
    second = client.post("/api/v1/users", json=SIGNUP)
    assert second.status_code == 201 and "Idempotent-Replayed" not in second.headers
    assert count(User) == 1
    assert len(outbox("signup_attempt")) == 1


def test_same_key_with_another_body_is_409(client):
    headers = {"Idempotency-Key": "signup-2"}
    assert client.post("/api/v1/users", json=SIGNUP, headers=headers).status_code == 201
    response = client.post("/api/v1/users", headers=headers,
                           json={**SIGNUP, "email": "other@example.com"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert count(User) == 1


def test_a_failed_attempt_is_not_remembered(client):
    headers = {"Idempotency-Key": "signup-3"}
    bad = client.post("/api/v1/users", json={**SIGNUP, "password": "short"}, headers=headers)
    assert bad.status_code == 422
    assert count(IdempotencyRecord) == 0
    good = client.post("/api/v1/users", json=SIGNUP, headers=headers)
    assert good.status_code == 201


def test_keys_belong_to_their_user(client, make_user, api_token):
    body = {"name": "CI", "scopes": ["read"]}
    alice, bob = make_user(), make_user()
    a = client.post("/api/v1/tokens", json=body,
                    headers={"Idempotency-Key": "k", **api_token(alice)})
    b = client.post("/api/v1/tokens", json=body,
                    headers={"Idempotency-Key": "k", **api_token(bob)})
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]
    assert "Idempotent-Replayed" not in b.headers


def test_a_replayed_token_creation_never_reveals_the_secret_again(client, make_user, api_token):
    headers = {"Idempotency-Key": "pat-1", **api_token(make_user())}
    body = {"name": "CI", "scopes": ["read"]}
    first = client.post("/api/v1/tokens", json=body, headers=headers)
    secret = first.get_json()["token"]
    again = client.post("/api/v1/tokens", json=body, headers=headers)
    assert again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert "token" not in again.get_json()
    assert count(ApiToken) == 2  # the log-in token and the one personal token
    stored = db.session.scalar(select(IdempotencyRecord))
    assert secret not in json.dumps(stored.response_body)


def test_an_overlong_key_is_422(client):
    response = client.post("/api/v1/users", json=SIGNUP, headers={"Idempotency-Key": "k" * 256})
    assert response.status_code == 422
    assert "Idempotency-Key" in error_of(response)["fields"]
    assert count(User) == 0


def test_no_mail_is_sent_twice_on_replay(client, sent_mail):
    headers = {"Idempotency-Key": "signup-4"}
    client.post("/api/v1/users", json=SIGNUP, headers=headers)
    client.post("/api/v1/users", json=SIGNUP, headers=headers)
    assert len(sent_mail) == 1
    assert count(OutboxEmail) == 1


# Cursor pagination ----------------------------------------------------------------------------
@pytest.fixture
def five_tokens(make_user, api_token):
    user = make_user()
    headers = api_token(user)  # the log-in token is the first of six
    for n in range(5):
        create_personal_token(user, f"token {n}", ["read"], None)
    db.session.commit()
    return headers


def test_pages_follow_the_cursor_to_the_end(client, five_tokens):
    seen = []
    url = "/api/v1/tokens?limit=4"
    pages = 0
    while url:
        response = client.get(url, headers=five_tokens)
        assert response.status_code == 200
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        seen += [t["name"] for t in body["items"]]
        pages += 1
        url = f"/api/v1/tokens?limit=4&cursor={body['next_cursor']}" if body["next_cursor"] \
            else None
    assert pages == 2
    assert seen == ["token 4", "token 3", "token 2", "token 1", "token 0", "API log-in"]


def test_an_exact_last_page_has_no_cursor(client, five_tokens):
    body = client.get("/api/v1/tokens?limit=6", headers=five_tokens).get_json()
    assert len(body["items"]) == 6 and body["next_cursor"] is None


def test_default_limit_is_20(client, make_user, api_token):
    user = make_user()
    headers = api_token(user)
    for n in range(21):
        create_personal_token(user, f"t{n}", ["read"], None)
    db.session.commit()
    body = client.get("/api/v1/tokens", headers=headers).get_json()
    assert len(body["items"]) == 20 and body["next_cursor"]


@pytest.mark.parametrize("cursor", [
    "not-base64!!", "bm90IGpzb24", base64.urlsafe_b64encode(b'{"a": 1}').decode(),
    base64.urlsafe_b64encode(b"[1, 2]").decode(), base64.urlsafe_b64encode(b'["x"]').decode(),
    "%E4%B8%AD"])
def test_an_invalid_cursor_is_400(client, five_tokens, cursor):
    response = client.get(f"/api/v1/tokens?cursor={cursor}", headers=five_tokens)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", ""])
def test_limit_out_of_range_is_422(client, five_tokens, limit):
    response = client.get(f"/api/v1/tokens?limit={limit}", headers=five_tokens)
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"] == {"limit": ["Use a whole number from 1 to 100."]}


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(client, five_tokens, limit):
    assert client.get(f"/api/v1/tokens?limit={limit}", headers=five_tokens).status_code == 200


def test_cursor_helpers_round_trip(app):
    from app.web.cursors import decode_cursor, encode_cursor

    cursor = encode_cursor(["2026-01-01T00:00:00+00:00", 42])
    with app.test_request_context(f"/?cursor={cursor}"):
        assert decode_cursor(2) == ["2026-01-01T00:00:00+00:00", 42]
    with app.test_request_context("/"):
        assert decode_cursor(2) is None
