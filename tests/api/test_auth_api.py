"""API accounts: sign-up, token log-in, GET /me, personal access tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, User, utcnow
from app.services.accounts import users as accounts
from app.services.accounts.api_tokens import create_personal_token
from tests.conftest import PASSWORD

SIGNUP = {"email": "Api.User@Example.com", "password": "a-long-unique-phrase",
          "display_name": "Api User"}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# POST /users ----------------------------------------------------------------------------------
def test_signup_creates_the_account_and_sends_verification(client, outbox, sent_mail):
    response = client.post("/api/v1/users", json=SIGNUP)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"email", "message"}
    assert body["email"] == "api.user@example.com"
    assert "password" not in str(body) and "hash" not in str(body)
    user = db.session.scalar(select(User).where(User.email == "api.user@example.com"))
    assert user.display_name == "Api User" and user.email_verified_at is None
    assert [m.to_address for m in outbox("verify_email")] == ["api.user@example.com"]
    assert [m.to for m in sent_mail] == ["api.user@example.com"]


def test_signup_then_log_in_with_the_new_account(client):
    client.post("/api/v1/users", json=SIGNUP)
    response = client.post("/api/v1/auth/token", json={"email": SIGNUP["email"],
                                                       "password": SIGNUP["password"]})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers=bearer(response.get_json()["token"]))
    assert me.get_json()["email"] == "api.user@example.com"


@pytest.mark.parametrize("email", ["taken@example.com", "TAKEN@example.com"])
def test_signup_with_a_taken_email_answers_like_a_new_one(client, make_user, outbox, email):
    owner = make_user("taken@example.com")
    before = user_count()
    fresh = client.post("/api/v1/users", json={**SIGNUP, "email": "fresh@example.com"})
    response = client.post("/api/v1/users", json={**SIGNUP, "email": email})
    assert response.status_code == fresh.status_code == 201
    assert response.get_json()["message"] == fresh.get_json()["message"]
    assert response.get_json()["email"] == "taken@example.com"
    assert user_count() == before + 1
    # The owner is told instead, and no verification goes to their address.
    assert [m.to_address for m in outbox("signup_attempt")] == [owner.email]
    assert outbox("verify_email", to=owner.email) == []
    # The owner's password was not touched.
    assert _token(client, owner.email, PASSWORD).status_code == 201


def test_signup_with_a_weak_password_is_422(client, outbox):
    before = user_count()
    response = client.post("/api/v1/users", json={**SIGNUP, "password": "1234567890"})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {"password": ["This password is too common or too easy to guess."]}
    assert user_count() == before
    assert outbox() == []


def test_signup_with_several_problems_names_each(client, make_user):
    make_user("taken@example.com")
    response = client.post("/api/v1/users", json={"email": "no-at-sign",
                                                  "password": "short", "display_name": " "})
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert set(fields) == {"email", "password", "display_name"}


def test_bad_input_with_a_taken_email_names_the_same_fields_as_with_a_new_one(client,
                                                                            make_user):
    make_user("taken@example.com")
    bad = {"password": "short", "display_name": " "}
    taken = client.post("/api/v1/users", json={"email": "taken@example.com", **bad})
    fresh = client.post("/api/v1/users", json={"email": "fresh@example.com", **bad})
    assert taken.status_code == fresh.status_code == 422
    assert error_of(taken) == error_of(fresh)
    assert set(error_of(taken)["fields"]) == {"password", "display_name"}


def test_signup_with_an_invalid_address(client):
    response = client.post("/api/v1/users", json={**SIGNUP, "email": "no-at-sign"})
    assert response.status_code == 422
    assert "email" in error_of(response)["fields"]


def test_signup_with_a_non_string_field(client):
    response = client.post("/api/v1/users", json={**SIGNUP, "password": 1234567890123})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"password": ["Must be a string."]}


# POST /auth/token -----------------------------------------------------------------------------
def test_token_login_returns_201_and_a_working_token(client, make_user):
    user = make_user("tok@example.com")
    response = client.post("/api/v1/auth/token", json={"email": "TOK@example.com",
                                                       "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("qiao_")
    assert body["expires_at"].endswith("+00:00")
    stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.kind == "login" and stored.token_hash != body["token"]
    assert client.get("/api/v1/me", headers=bearer(body["token"])).status_code == 200


def test_token_login_with_wrong_credentials_is_401(client, make_user):
    user = make_user()
    for credentials in ({"email": user.email, "password": "not-the-password"},
                        {"email": "nobody@example.com", "password": PASSWORD}):
        response = client.post("/api/v1/auth/token", json=credentials)
        assert response.status_code == 401
        assert error_of(response)["code"] == "invalid_credentials"
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_token_login_for_a_disabled_account_is_401(client, make_user):
    user = make_user(is_active_account=False)
    response = client.post("/api/v1/auth/token", json={"email": user.email,
                                                       "password": PASSWORD})
    assert response.status_code == 401
    assert error_of(response)["code"] == "account_disabled"


def test_token_login_missing_fields_is_422(client):
    response = client.post("/api/v1/auth/token", json={"email": "a@example.com"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"password": ["This field is required."]}


def test_token_login_is_throttled_per_account(client, make_user):
    user = make_user()
    for _ in range(10):
        client.post("/api/v1/auth/token", json={"email": user.email, "password": "wrong-one"})
    response = client.post("/api/v1/auth/token", json={"email": user.email,
                                                       "password": PASSWORD})
    assert response.status_code == 429
    assert error_of(response)["code"] == "login_throttled"
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_token_login_endpoint_is_rate_limited(client):
    codes = [client.post("/api/v1/auth/token",
                         json={"email": f"n{i}@example.com", "password": "x"}).status_code
             for i in range(31)]
    assert codes[:30] == [401] * 30
    assert codes[30] == 429
    response = client.post("/api/v1/auth/token", json={"email": "n@example.com",
                                                       "password": "x"})
    assert error_of(response)["code"] == "rate_limited"
    assert "Retry-After" in response.headers


# GET /me --------------------------------------------------------------------------------------
def test_me_lists_roles_and_memberships(client, make_user, make_org, api_token):
    user = make_user("me@example.com", roles=("moderator",))
    merchant = make_org("merchant", owner=user)
    brand_owner = make_user()
    brand = make_org("brand", owner=brand_owner, members={user: "staff"})
    response = client.get("/api/v1/me", headers=api_token(user))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == user.id
    assert body["email"] == "me@example.com"
    assert body["roles"] == ["moderator"]
    assert body["memberships"] == [
        {"organization_id": merchant.id, "organization_name": merchant.name,
         "kind": "merchant", "role": "owner", "store_id": merchant.store.id},
        {"organization_id": brand.id, "organization_name": brand.name,
         "kind": "brand", "role": "staff", "store_id": None},
    ]
    assert body["created_at"].endswith("+00:00")


def test_me_without_memberships(client, make_user, api_token):
    user = make_user(roles=("admin",))
    body = client.get("/api/v1/me", headers=api_token(user)).get_json()
    assert body["roles"] == ["admin"] and body["memberships"] == []


def test_me_records_the_token_use(client, make_user, api_token):
    user = make_user()
    client.get("/api/v1/me", headers=api_token(user))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    db.session.refresh(token)
    assert token.last_used_at is not None


# Bearer authentication ------------------------------------------------------------------------
def test_missing_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_required"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="qiao"'


def test_an_unknown_token_gets_the_invalid_token_challenge(client):
    response = client.get("/api/v1/me", headers=bearer("qiao_unknown"))
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="qiao", error="invalid_token"'


def test_wrong_credentials_carry_no_bearer_challenge(client):
    response = client.post("/api/v1/auth/token", json={"email": "a@example.com",
                                                       "password": "nope"})
    assert response.status_code == 401
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("header", ["Bearer qiao_not-a-real-token", "Bearer ", "Basic abc",
                                    "qiao_abc"])
def test_bad_token_is_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] in {"invalid_token", "authentication_required"}


def test_revoked_token_is_401(client, make_user):
    user = make_user()
    token, secret = create_personal_token(user, "old", ["read"], None)
    token.revoked_at = utcnow()
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_expired_token_is_401(client, make_user):
    user = make_user()
    token, secret = create_personal_token(user, "short-lived", ["read"], 1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_token_of_a_disabled_account_is_401(client, make_user, api_token):
    user = make_user()
    headers = api_token(user)
    user.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_read_only_token_is_refused_on_a_write_endpoint(client, make_user):
    user = make_user()
    _token, secret = create_personal_token(user, "reader", ["read"], None)
    db.session.commit()
    assert client.get("/api/v1/tokens", headers=bearer(secret)).status_code == 200
    response = client.post("/api/v1/tokens", headers=bearer(secret),
                           json={"name": "escalate", "scopes": ["write"]})
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_write_only_token_cannot_read(client, make_user):
    user = make_user()
    _token, secret = create_personal_token(user, "writer", ["write"], None)
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


def test_a_session_cookie_does_not_authenticate_the_api(client, make_user, login):
    login(make_user())
    assert client.get("/api/v1/me").status_code == 401


# Personal access tokens through the API -------------------------------------------------------
def test_create_list_and_revoke_tokens_through_the_api(client, make_user, api_token):
    user = make_user()
    headers = api_token(user)
    created = client.post("/api/v1/tokens", headers=headers,
                          json={"name": "CI", "scopes": ["read"], "expires_in_days": 7})
    assert created.status_code == 201
    body = created.get_json()
    assert body["token"].startswith("qiao_") and body["scopes"] == ["read"]
    assert body["prefix"] == body["token"][:12]
    listed = client.get("/api/v1/tokens", headers=headers).get_json()
    assert [t["name"] for t in listed["items"]] == ["CI", "API log-in"]
    assert all("token" not in t for t in listed["items"])
    assert client.get("/api/v1/me", headers=bearer(body["token"])).status_code == 200
    assert client.delete(f"/api/v1/tokens/{body['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(body["token"])).status_code == 401


def test_token_creation_validates_fields(client, make_user, api_token):
    headers = api_token(make_user())
    response = client.post("/api/v1/tokens", headers=headers,
                           json={"name": "", "scopes": ["admin"], "expires_in_days": 0})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"name", "scopes", "expires_in_days"}
    response = client.post("/api/v1/tokens", headers=headers, json={"name": "x", "scopes": "read"})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"scopes"}


def test_cannot_revoke_another_users_token(client, make_user, api_token):
    other = make_user()
    token, _secret = create_personal_token(other, "theirs", ["read"], None)
    db.session.commit()
    response = client.delete(f"/api/v1/tokens/{token.id}", headers=api_token(make_user()))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    db.session.refresh(token)
    assert token.revoked_at is None


def test_password_reset_revokes_login_tokens_but_not_personal_ones(client, make_user, api_token,
                                                                  post_form, mail_link):
    user = make_user()
    login_headers = api_token(user)
    _token, personal = create_personal_token(user, "script", ["read"], None)
    db.session.commit()
    post_form("/auth/forgot", {"email": user.email})
    link = mail_link("password_reset")
    assert post_form(link, {"password": "another-long-phrase",
                            "confirm": "another-long-phrase"}).status_code == 302
    assert client.get("/api/v1/me", headers=login_headers).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(personal)).status_code == 200


# Token log-in throttling ----------------------------------------------------------------------
def _token(client, email, password, **environ):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       environ_base=environ)


def test_token_login_locks_the_pair_with_429_and_retry_after(app, client, make_user):
    user = make_user("locked@example.com")
    for _ in range(5):
        assert _token(client, user.email, "wrong-password-x").status_code == 401
    response = _token(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert error_of(response)["code"] == "login_throttled"
    assert 55 <= int(response.headers["Retry-After"]) <= 60
    # The same account from another address is not locked.
    other = _token(app.test_client(), user.email, PASSWORD, REMOTE_ADDR="192.0.2.44")
    assert other.status_code == 201


def test_token_login_with_a_device_cookie_is_judged_on_its_own(app, client, make_user, login):
    user = make_user()
    browser = app.test_client()
    login(user, target=browser)
    for _ in range(5):
        assert _token(client, user.email, "wrong-password-x").status_code == 401
    assert _token(client, user.email, PASSWORD).status_code == 429
    # Same address, but it sends the cookie of a browser that logged in here before.
    assert browser.get_cookie("qiao_device") is not None
    assert _token(browser, user.email, PASSWORD).status_code == 201


def test_token_login_against_one_account_from_many_addresses_is_slowed(app, make_user, login,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ACCOUNT", 5)
    user = make_user()
    browser = app.test_client()
    login(user, target=browser)
    for n in range(5):
        assert _token(app.test_client(), user.email, "wrong-password-x",
                      REMOTE_ADDR=f"203.0.113.{n + 1}").status_code == 401
    refused = _token(app.test_client(), user.email, PASSWORD, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "login_throttled"
    assert 55 <= int(refused.headers["Retry-After"]) <= 60
    # A client holding the account's device cookie is not held back.
    assert _token(browser, user.email, PASSWORD).status_code == 201


# E-mail change ------------------------------------------------------------------------------
def test_email_change_sends_a_link_to_the_new_address(client, make_user, api_token, outbox,
                                                      mail_link):
    user = make_user("old@example.com")
    response = client.post("/api/v1/me/email", headers=api_token(user),
                           json={"email": "New@Example.com", "password": PASSWORD})
    assert response.status_code == 202
    assert response.get_json()["email"] == "new@example.com"
    assert [m.to_address for m in outbox("email_change")] == ["new@example.com"]
    assert [m.to_address for m in outbox("email_change_notice")] == ["old@example.com"]
    assert client.get(mail_link("email_change")).status_code == 302
    assert db.session.get(User, user.id).email == "new@example.com"


def test_email_change_to_a_taken_address_answers_like_a_free_one(client, make_user,
                                                                  api_token, outbox):
    owner = make_user("taken@example.com")
    user = make_user("me@example.com")
    headers = api_token(user)
    free = client.post("/api/v1/me/email", headers=headers,
                       json={"email": "free@example.com", "password": PASSWORD})
    taken = client.post("/api/v1/me/email", headers=headers,
                        json={"email": "TAKEN@example.com", "password": PASSWORD})
    assert taken.status_code == free.status_code == 202
    assert taken.get_json() == {**free.get_json(), "email": "taken@example.com",
                                "message": free.get_json()["message"].replace(
                                    "free@example.com", "taken@example.com")}
    # No link can move the owner's address; the owner is told, and nothing changes.
    assert [m.to_address for m in outbox("email_change")] == ["free@example.com"]
    [attempt] = outbox("email_change_attempt")
    assert attempt.to_address == owner.email and "Nothing has changed" in attempt.body_text
    assert [m.to_address for m in outbox("email_change_notice")] == ["me@example.com"] * 2
    assert db.session.get(User, owner.id).email == "taken@example.com"
    assert db.session.get(User, user.id).email == "me@example.com"


@pytest.mark.parametrize("body, field", [
    ({"email": "new@example.com", "password": "wrong-password-here"}, "password"),
    ({"email": "not an address", "password": PASSWORD}, "email"),
    ({"email": "me@example.com", "password": PASSWORD}, "email"),
    ({"email": "new@example.com"}, "password"),
])
def test_email_change_refusals_name_the_field(client, make_user, api_token, outbox, body,
                                              field):
    response = client.post("/api/v1/me/email", headers=api_token(make_user("me@example.com")),
                           json=body)
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == [field]
    assert outbox() == []


def test_email_change_needs_a_token(client):
    response = client.post("/api/v1/me/email", json={"email": "a@example.com",
                                                     "password": PASSWORD})
    assert response.status_code == 401


def test_nul_characters_in_a_json_body_are_named_not_a_500(client, make_user):
    response = client.post("/api/v1/auth/token", json={"email": "a\u0000@example.com",
                                                       "password": "x", "\u0000": {}})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"email", "\u0000"}


def test_an_address_with_a_nul_character_finds_nobody():
    # PostgreSQL refuses U+0000 in a query; the web log-in form passes the text through.
    assert accounts.find_user_by_email("me\x00@example.com") is None
