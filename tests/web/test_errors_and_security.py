"""Error pages in both languages, CSRF, oversized bodies, security headers and cookie flags."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import abort
from sqlalchemy import func, select

from app.extensions import db
from app.models import User
from app.services.errors import Forbidden
from tests.conftest import PASSWORD, csrf_from
from tests.web.test_preferences import _compiled_zh, html_lang

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def assert_page_in(language: str, response, english_title: str) -> None:
    html = response.get_data(as_text=True)
    if language == "en":
        assert html_lang(response) == "en"
        assert f"<h1>{english_title}</h1>" in html
        return
    assert html_lang(response) == "zh-Hans"
    translated = _compiled_zh().get(english_title)
    if translated:  # once the catalog is compiled (`make translations`)
        assert f"<h1>{translated}</h1>" in html
        assert english_title not in html


@pytest.fixture
def failing_view(app, monkeypatch):
    """Make the home page raise, as a bug in a service would."""

    def boom():
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.view_functions, "main.index", boom)


# Error pages ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "headers"), [("en", {}), ("zh", ZH)])
def test_404_page(client, language, headers):
    response = client.get("/no/such/page", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert_page_in(language, response, "Page not found")
    assert 'href="/"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "headers"), [("en", {}), ("zh", ZH)])
def test_403_page(app, client, monkeypatch, language, headers):
    def forbidden():
        raise Forbidden("This needs the platform admin role.")

    monkeypatch.setitem(app.view_functions, "main.index", forbidden)
    response = client.get("/", headers=headers)
    assert response.status_code == 403
    assert_page_in(language, response, "Not allowed")
    assert "platform admin role" not in response.get_data(as_text=True)


def test_403_from_abort(app, client, monkeypatch):
    monkeypatch.setitem(app.view_functions, "main.index", lambda: abort(403))
    response = client.get("/")
    assert response.status_code == 403
    assert "You don&#39;t have access to this page." in response.get_data(as_text=True)


def test_admin_area_is_403_for_a_shopper(client, make_user, login):
    login(make_user())
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "headers"), [("en", {}), ("zh", ZH)])
def test_500_page(client, failing_view, language, headers):
    response = client.get("/", headers=headers)
    assert response.status_code == 500
    assert_page_in(language, response, "Something went wrong")
    assert "a bug" not in response.get_data(as_text=True)  # no internals leak


def test_500_rolls_back_the_failed_work(app, client, monkeypatch, make_user):
    user = make_user(display_name="Unchanged")

    def half_done():
        user.display_name = "Half-written"
        db.session.flush()
        raise RuntimeError("crash mid-way")

    monkeypatch.setitem(app.view_functions, "main.index", half_done)
    assert client.get("/").status_code == 500
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "Unchanged"


def test_error_page_falls_back_when_the_page_cannot_render(client, failing_view, monkeypatch):
    import app.web.hooks

    def database_down():
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(app.web.hooks, "current_preferences", database_down)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_api_errors_are_json_even_for_crashes(client, app, monkeypatch):
    def boom():
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.view_functions, "api.me", boom)
    response = client.get("/api/v1/me")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_error",
                                             "message": "Something went wrong on our side.",
                                             "fields": {}}}


def test_method_not_allowed_page(client):
    response = client.put("/auth/login")
    assert response.status_code == 405
    assert "That action isn&#39;t available here." in response.get_data(as_text=True)


# CSRF -----------------------------------------------------------------------------------------
def test_a_form_without_the_csrf_token_is_refused_and_writes_nothing(client, outbox):
    client.get("/auth/signup")
    before = user_count()
    response = client.post("/auth/signup", data={"display_name": "Mallory",
                                                 "email": "mallory@example.com",
                                                 "password": "a-long-unique-phrase"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "sent without its security token" in html
    assert "<h1>Please try again</h1>" in html
    assert user_count() == before
    assert outbox() == []


def test_a_forged_csrf_token_is_refused(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/security/email",
                           data={"em-email": "attacker@example.com", "em-password": PASSWORD,
                                 "csrf_token": "forged"})
    assert response.status_code == 400


def test_a_token_from_another_session_is_refused(app, client, make_user, login):
    victim = make_user()
    login(victim)
    attacker = app.test_client()
    foreign_token = csrf_from(attacker.get("/auth/login").get_data(as_text=True))
    response = client.post("/preferences", data={"locale": "zh", "csrf_token": foreign_token})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, victim.id).locale is None


def test_csrf_failure_page_in_chinese(client):
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x"},
                           headers=ZH)
    assert response.status_code == 400
    assert_page_in("zh", response, "Please try again")


# Oversized bodies -----------------------------------------------------------------------------
def test_an_oversized_form_gets_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    token = csrf_from(client.get("/auth/signup").get_data(as_text=True))
    before = user_count()
    response = client.post("/auth/signup", data={
        "display_name": "Big", "email": "big@example.com", "password": "a-long-unique-phrase",
        "bio": "x" * 20_000, "csrf_token": token})
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<h1>Too large</h1>" in html
    assert "The file or form you sent is too large." in html
    assert user_count() == before


def test_an_oversized_upload_gets_413(app, client, make_user, login, monkeypatch):
    import io

    login(make_user())
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50_000)
    token = csrf_from(client.get("/account/profile").get_data(as_text=True))
    response = client.post("/account/profile", content_type="multipart/form-data", data={
        "display_name": "Big", "csrf_token": token,
        "avatar": (io.BytesIO(b"\xff" * 100_000), "big.jpg")})
    assert response.status_code == 413


def test_an_oversized_api_body_gets_413_json(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    before = user_count()
    response = client.post("/api/v1/users", json={
        "email": "big@example.com", "password": "a-long-unique-phrase",
        "display_name": "x" * 20_000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert response.get_json()["error"]["fields"] == {}
    assert user_count() == before


def test_an_api_json_body_over_the_json_cap_gets_413(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_MAX_JSON_BYTES", 1000)
    response = client.post("/api/v1/users", json={
        "email": "big@example.com", "password": "a-long-unique-phrase",
        "display_name": "x" * 2000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


# Headers and cookies --------------------------------------------------------------------------
def test_security_headers_on_pages(client):
    response = client.get("/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_security_headers_on_error_pages_and_api(client):
    assert client.get("/missing").headers["X-Frame-Options"] == "DENY"
    api = client.get("/api/v1/me")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.mimetype == "application/json"


def test_no_strict_transport_security_over_plain_http_in_tests(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def set_cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_session_cookie_flags(client, make_user, post_form):
    header = set_cookie_header(client.get("/auth/login"), "qiao_session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    user = make_user()
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD,
                                         "remember": "y"})
    session_header = set_cookie_header(response, "qiao_session")
    assert "HttpOnly" in session_header and "SameSite=Lax" in session_header
    # A bounded lifetime, also right after the session was rotated.
    expires = re.search(r"Expires=([^;]+)", session_header).group(1)
    expiry = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert expiry - datetime.now(UTC) <= timedelta(hours=12, minutes=1)
    remember_header = set_cookie_header(response, "qiao_remember")
    assert "HttpOnly" in remember_header and "SameSite=Lax" in remember_header



def test_a_guest_gets_a_session_cookie_only_when_the_session_holds_something(app):
    guest = app.test_client(use_cookies=False)
    for url in ("/api/v1/feed", "/api/v1/openapi.json"):
        response = guest.get(url)
        assert response.status_code == 200
        assert not response.headers.getlist("Set-Cookie"), url
    # A page with a form gives the guest its CSRF secret, in a bounded session.
    header = set_cookie_header(guest.get("/auth/login"), "qiao_session")
    expires = re.search(r"Expires=([^;]+)", header).group(1)
    expiry = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert expiry - datetime.now(UTC) <= timedelta(hours=12, minutes=1)

def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Qiao" in html and 'href="/auth/signup"' in html


def test_api_json_gets_a_locked_down_policy(client):
    response = client.get("/api/v1/openapi.json")
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'")


@pytest.mark.parametrize(("target", "expected"), [
    ("/account/security", "/account/security"), ("/notes?tab=following", "/notes?tab=following"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"), ("javascript:alert(1)", "/"), ("relative/path", "/"),
    ("", "/"), (None, "/")])
def test_next_urls_stay_on_this_site(app, target, expected):
    from app.web.forms import safe_next_url

    with app.test_request_context():
        assert safe_next_url(target) == expected


def test_login_ignores_a_backslash_next(client, make_user, post_form):
    user = make_user()
    response = post_form("/auth/login", {"email": user.email, "password": PASSWORD,
                                         "next": "/\\evil.example"})
    assert response.headers["Location"] == "/"


def test_behind_a_trusted_proxy_the_client_address_counts():
    from flask import Flask, request

    from app.web.hooks import register_request_hooks

    proxied = Flask("proxied")
    proxied.config.update(SECRET_KEY="x", TRUSTED_PROXIES=1)
    register_request_hooks(proxied)

    @proxied.get("/address")
    def address():
        return {"remote_addr": request.remote_addr, "scheme": request.scheme}

    seen = proxied.test_client().get("/address", headers={
        "X-Forwarded-For": "198.51.100.1, 203.0.113.5", "X-Forwarded-Proto": "https"})
    # Only the last hop (the one proxy we trust) is believed, not what the client claimed.
    assert seen.get_json() == {"remote_addr": "203.0.113.5", "scheme": "https"}


def test_without_trusted_proxies_forwarded_headers_are_ignored(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_IP", "2 per 15 minutes")
    for n in range(2):
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        client.post("/auth/login", data={"email": f"x{n}@example.com", "password": "wrong-1",
                                         "csrf_token": token},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"})
    # Over the address's limit one failure locks its pair; a spoofed header does not
    # make the attempts look as if they came from elsewhere.
    for expected, spoofed in ((401, "203.0.113.98"), (429, "203.0.113.99")):
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"email": "y@example.com", "password": "w",
                                                    "csrf_token": token},
                               headers={"X-Forwarded-For": spoofed})
        assert response.status_code == expected


def test_signed_in_pages_and_api_answers_are_not_stored(client, make_user, login):
    assert "no-store" not in client.get("/auth/login").headers.get("Cache-Control", "")
    login(make_user())
    assert client.get("/account/tokens").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/qiao.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
