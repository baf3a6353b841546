"""The admin area: access, counts, users (search, disable, roles), organisations, moderation."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import PlatformRole, User
from app.services.accounts import administration
from app.services.errors import Conflict
from tests.conftest import csrf_from


def text_of(response) -> str:
    return htmllib.unescape(response.get_data(as_text=True))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def admin_client(app, make_user, login):
    admin = make_user("root@example.com", roles=("admin",), display_name="Root Admin")
    browser = app.test_client()
    login(admin, target=browser)
    browser.admin = admin
    return browser


def post(browser, url: str, data: dict | None = None, page: str = "/admin/"):
    token = csrf_from(browser.get(page).get_data(as_text=True))
    return browser.post(url, data={**(data or {}), "csrf_token": token})


# Access ---------------------------------------------------------------------------------------
ADMIN_PAGES = ["/admin/", "/admin/users", "/admin/organizations"]


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("roles", [(), ("moderator",)])
def test_non_admins_get_403(app, make_user, make_org, login, roles):
    user = make_user(roles=roles)
    org = make_org()
    browser = app.test_client()
    login(user, target=browser)
    for url in [*ADMIN_PAGES, f"/admin/users/{user.id}", f"/admin/organizations/{org.id}"]:
        assert browser.get(url).status_code == 403, url
    token = csrf_from(browser.get("/orgs/").get_data(as_text=True))
    response = browser.post(f"/admin/users/{user.id}/roles",
                            data={"role": "admin", "csrf_token": token})
    assert response.status_code == 403
    assert not fresh(user).has_role("admin")


def test_moderation_page_shows_the_scope(app, make_user, login):
    moderator = make_user()
    moderator.platform_roles = [PlatformRole(role="moderator", markets=["CN", "GB"],
                                             languages=["zh"])]
    db.session.commit()
    browser = app.test_client()
    login(moderator, target=browser)
    response = browser.get("/admin/moderation")
    assert response.status_code == 200
    html = text_of(response)
    assert "China (CN)" in html and "United Kingdom (GB)" in html
    assert re.search(r'data-testid="scope-languages">zh<', html)
    assert 'data-testid="queue-empty"' in html  # the queue, empty for now


def test_moderation_page_is_for_moderators_and_admins(app, client, make_user, login,
                                                       admin_client):
    login(make_user())
    assert client.get("/admin/moderation").status_code == 403
    html = text_of(admin_client.get("/admin/moderation"))
    assert "All markets" in html and "All languages" in html


# Home and lists -------------------------------------------------------------------------------
def test_home_counts(admin_client, make_user, make_org):
    make_user(verified=False)
    make_user(is_active_account=False)
    make_org("merchant")
    make_org("brand")
    html = admin_client.get("/admin/").get_data(as_text=True)

    def count(name: str) -> int:
        return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))

    users = db.session.scalar(select(db.func.count(User.id)))
    assert count("users") == users
    assert count("disabled_users") == 1 and count("unverified_users") == 1
    assert (count("merchants"), count("brands"), count("stores")) == (1, 1, 1)
    assert count("admins") == 1


def test_user_search_and_pagination(admin_client, make_user):
    for i in range(30):
        make_user(f"bulk{i:02d}@example.com", display_name=f"Bulk {i:02d}")
    make_user("needle@example.com", display_name="Haystack Person")
    html = text_of(admin_client.get("/admin/users?q=NEEDLE"))
    assert "needle@example.com" in html and "bulk00@example.com" not in html
    assert "needle@example.com" in text_of(admin_client.get("/admin/users?q=haystack"))
    assert "No account matches “100%”." in text_of(admin_client.get("/admin/users?q=100%25"))
    first = text_of(admin_client.get("/admin/users"))
    assert "Page 1 of 2" in first and 'rel="next"' in first
    rows = re.findall(r'data-user="(\d+)"', first)
    assert len(rows) == 25
    second = text_of(admin_client.get("/admin/users?page=2"))
    assert not set(rows) & set(re.findall(r'data-user="(\d+)"', second))


def test_organisation_search_and_detail(admin_client, make_org, make_user):
    staff = make_user("staffer@example.com")
    tea = make_org("merchant", name="Hangzhou Tea", members={staff: "staff"})
    make_org("brand", name="Lumi Beauty")
    html = text_of(admin_client.get("/admin/organizations?q=tea"))
    assert "Hangzhou Tea" in html and "Lumi Beauty" not in html
    html = text_of(admin_client.get("/admin/organizations?kind=brand"))
    assert "Lumi Beauty" in html and "Hangzhou Tea" not in html
    detail = text_of(admin_client.get(f"/admin/organizations/{tea.id}"))
    assert "staffer@example.com" in detail and "Owner" in detail and "USD" in detail
    assert admin_client.get("/admin/organizations/999999").status_code == 404


# Account actions ------------------------------------------------------------------------------
def test_disabling_ends_sessions_and_tokens(app, admin_client, make_user, login, api_token):
    victim = make_user("victim@example.com")
    victim_browser = app.test_client()
    login(victim, target=victim_browser)
    headers = api_token(victim)
    assert victim_browser.get("/account/profile").status_code == 200
    version = victim.session_version

    response = post(admin_client, f"/admin/users/{victim.id}/disable",
                    page=f"/admin/users/{victim.id}")
    assert response.status_code == 303
    page = text_of(admin_client.get(response.headers["Location"]))
    assert "victim@example.com is disabled" in page
    assert re.search(r'data-testid="account-status">Disabled<', page)
    victim = fresh(victim)
    assert not victim.is_active_account and victim.session_version == version + 1
    assert victim_browser.get("/account/profile").status_code == 302  # logged out
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401

    response = post(admin_client, f"/admin/users/{victim.id}/enable",
                    page=f"/admin/users/{victim.id}")
    assert response.status_code == 303
    assert fresh(victim).is_active_account
    login(victim, target=app.test_client())


def test_admins_cannot_disable_themselves(admin_client):
    admin = admin_client.admin
    response = post(admin_client, f"/admin/users/{admin.id}/disable")
    assert response.status_code == 409
    assert "You cannot disable your own account." in text_of(response)
    assert fresh(admin).is_active_account


def test_grant_moderator_with_scope_and_revoke(admin_client, make_user):
    user = make_user()
    url = f"/admin/users/{user.id}"
    response = post(admin_client, f"{url}/roles",
                    {"role": "moderator", "markets": "cn, gb", "languages": "zh en"}, page=url)
    assert response.status_code == 303
    role = fresh(user).platform_roles[0]
    assert (role.role, role.markets, role.languages) == ("moderator", ["CN", "GB"],
                                                         ["en", "zh"])
    # Granting again updates the scope.
    post(admin_client, f"{url}/roles", {"role": "moderator", "markets": "US"}, page=url)
    assert fresh(user).platform_roles[0].markets == ["US"]
    response = post(admin_client, f"{url}/roles/moderator/revoke", page=url)
    assert response.status_code == 303
    assert fresh(user).platform_roles == []


def test_grant_rejects_bad_codes(admin_client, make_user):
    user = make_user()
    url = f"/admin/users/{user.id}"
    response = post(admin_client, f"{url}/roles",
                    {"role": "moderator", "markets": "CN, XX", "languages": "zz9"}, page=url)
    assert response.status_code == 422
    html = text_of(response)
    assert "Not ISO 3166 country codes: XX." in html
    assert "Not ISO 639 language codes: zz9." in html
    assert fresh(user).platform_roles == []


def test_grant_admin_and_the_new_admin_gets_in(app, admin_client, make_user, login):
    user = make_user()
    post(admin_client, f"/admin/users/{user.id}/roles", {"role": "admin"},
         page=f"/admin/users/{user.id}")
    assert fresh(user).has_role("admin")
    browser = app.test_client()
    login(user, target=browser)
    assert browser.get("/admin/users").status_code == 200


def test_admins_cannot_remove_their_own_admin_role(admin_client, make_user):
    admin = admin_client.admin
    other = make_user(roles=("admin",))
    response = post(admin_client, f"/admin/users/{admin.id}/roles/admin/revoke")
    assert response.status_code == 409
    assert "You cannot remove your own admin role." in text_of(response)
    assert fresh(admin).has_role("admin")
    # Another admin's role can go.
    response = post(admin_client, f"/admin/users/{other.id}/roles/admin/revoke")
    assert response.status_code == 303
    assert not fresh(other).has_role("admin")


def test_revoking_a_role_the_user_lacks_is_404(admin_client, make_user):
    user = make_user()
    response = post(admin_client, f"/admin/users/{user.id}/roles/moderator/revoke")
    assert response.status_code == 404
    assert "does not have the moderator role" in text_of(response)


def test_the_service_also_refuses_dropping_your_own_admin_role(make_user):
    only = make_user(roles=("admin",))
    with pytest.raises(Conflict) as caught:
        administration.revoke_platform_role(only, only.id, "admin")
    assert caught.value.code == "cannot_revoke_own_admin"
    commit()
    assert fresh(only).has_role("admin")


def test_user_detail_lists_memberships(admin_client, make_org, make_user):
    user = make_user()
    org = make_org("brand", members={user: "admin"}, name="Lumi")
    html = text_of(admin_client.get(f"/admin/users/{user.id}"))
    assert f'href="/admin/organizations/{org.id}"' in html and "Lumi" in html
    assert admin_client.get("/admin/users/999999").status_code == 404
