"""Beacon answers leave the session cookie alone, so a late one cannot undo a log-out."""

from __future__ import annotations

from tests.conftest import csrf_from
from tests.web.test_preferences import html_lang

SESSION_COOKIE = "qiao_session"


def _sets_session_cookie(response) -> bool:
    return any(header.startswith(f"{SESSION_COOKIE}=")
               for header in response.headers.getlist("Set-Cookie"))


def test_pages_refresh_the_session_cookie_but_beacons_do_not(client):
    page = client.get("/")
    assert _sets_session_cookie(page)
    token = csrf_from(page.get_data(as_text=True))
    view = client.post("/feed/discover-views", data={"csrf_token": token})
    assert view.status_code == 204
    assert not _sets_session_cookie(view)
    impression = client.post("/ads/impressions", data={"token": "not-a-token"})
    assert impression.status_code == 204
    assert not _sets_session_cookie(impression)


def test_a_beacon_answered_after_logout_does_not_restore_the_session(
        app, client, make_user, login):
    user = make_user(locale="zh")
    login(user)
    page = client.get("/").get_data(as_text=True)
    signed_in_cookie = client.get_cookie(SESSION_COOKIE).value
    token = csrf_from(page)
    client.post("/auth/logout", data={"csrf_token": token})
    # The page's beacon, sent with the signed-in cookie, is answered after the log-out.
    late = app.test_client()
    late.set_cookie(SESSION_COOKIE, signed_in_cookie)
    answer = late.post("/feed/discover-views", data={"csrf_token": token})
    assert answer.status_code == 204
    assert not _sets_session_cookie(answer)
    assert html_lang(client.get("/", headers={"Accept-Language": "en"})) == "zh-Hans"
