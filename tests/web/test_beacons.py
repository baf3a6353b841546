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


FETCH = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Accept": "application/json"}


def test_a_pages_fetch_sends_the_cookie_only_when_it_changed_the_session(
        client, make_user, login):
    login(make_user())
    assert _sets_session_cookie(client.get("/", headers={"Sec-Fetch-Mode": "navigate"}))
    search = client.get("/api/v1/search?type=products&q=lipstick", headers=FETCH)
    assert search.status_code == 200
    assert not _sets_session_cookie(search)


def test_a_search_answered_after_a_redirect_keeps_the_redirects_flash(
        app, client, make_user, login):
    login(make_user())
    profile = client.get("/account/profile").get_data(as_text=True)
    before_submit = client.get_cookie(SESSION_COOKIE).value
    # The tag picker's search leaves with the cookie of the page being submitted...
    late = app.test_client()
    late.set_cookie(SESSION_COOKIE, before_submit)
    saved = client.post("/account/translation",
                        data={"csrf_token": csrf_from(profile), "always_translate": "y"})
    assert saved.status_code == 302
    # ...and its answer arrives after the redirect's: it must not put that cookie back.
    answer = late.get("/api/v1/search?type=products&q=lipstick", headers=FETCH)
    assert answer.status_code == 200
    for header in answer.headers.getlist("Set-Cookie"):  # as the browser would take it
        name, _, rest = header.partition("=")
        if name == SESSION_COOKIE:
            client.set_cookie(SESSION_COOKIE, rest.split(";", 1)[0])
    assert "Translation setting saved." in client.get(saved.location).get_data(as_text=True)
