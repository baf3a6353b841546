"""Organisations in the browser: create, portal, team management, invitations, navigation."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import Invitation, Membership, Organization
from app.services.orgs import organizations as orgs
from app.web.links import site_links
from tests.conftest import PASSWORD, csrf_from


def page_text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(html: str, name: str) -> list[str]:
    match = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}".*?</div>',
        html, re.S)
    assert match, f"no field {name!r} on the page"
    return [htmllib.unescape(e)
            for e in re.findall(r'<p class="error" role="alert">(.*?)</p>', match.group(0))]


def members_table(html: str) -> str:
    match = re.search(r'<table class="list" data-testid="members">.*?</table>', html, re.S)
    assert match, "no members table on the page"
    return match.group(0)


def role_of(org, user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Membership.role).where(
        Membership.organization_id == org.id, Membership.user_id == user.id))


def owner_of(org):
    return next(m.user for m in org.memberships if m.role == "owner")


# Creating --------------------------------------------------------------------------------------
def test_create_a_merchant_store(client, make_user, login, post_form):
    user = make_user()
    login(user)
    page = page_text(client.get("/orgs/"))
    assert 'href="/orgs/new"' in page  # "Create organisation" in the navigation
    response = post_form("/orgs/new", {"kind": "merchant", "name": "Kyoto Ceramics",
                                       "store_name": "", "base_currency": "JPY",
                                       "origin_country": "JP", "store_description": "Cups"})
    assert response.status_code == 302
    org = db.session.scalar(select(Organization).where(Organization.name == "Kyoto Ceramics"))
    assert response.headers["Location"] == f"/orgs/{org.id}"
    dashboard = page_text(client.get(response.headers["Location"]))
    assert "Kyoto Ceramics is ready" in dashboard
    assert "Merchant portal" in dashboard and "JPY" in dashboard and "Japan" in dashboard
    assert role_of(org, user) == "owner"
    # The navigation now links to the new portal.
    assert f'data-nav="org-{org.id}"' in page_text(client.get("/orgs/"))


def test_create_a_brand(client, make_user, login, post_form):
    login(make_user())
    response = post_form("/orgs/new", {"kind": "brand", "name": "Lumi Beauty"}, follow=True)
    html = page_text(response)
    assert response.status_code == 200
    assert "Brand portal" in html and "Lumi Beauty" in html
    assert 'data-testid="store"' not in html


def test_create_shows_a_specific_error_per_field(client, make_user, login, post_form):
    login(make_user())
    response = post_form("/orgs/new", {"kind": "merchant", "name": "Shop",
                                       "base_currency": "ABC", "origin_country": "XX"})
    assert response.status_code == 422
    html = page_text(response)
    assert "ISO 4217" in " ".join(field_errors(html, "base_currency"))
    assert "ISO 3166" in " ".join(field_errors(html, "origin_country"))
    response = post_form("/orgs/new", {"name": ""})
    assert response.status_code == 422
    assert field_errors(page_text(response), "name") == ["Enter the organisation's name."]
    assert db.session.scalar(select(Organization.id)) is None


def test_create_needs_csrf_and_login(client, make_user, login):
    assert client.get("/orgs/new").status_code == 302  # to the login page
    login(make_user())
    response = client.post("/orgs/new", data={"kind": "brand", "name": "No Token"})
    assert response.status_code == 400
    assert db.session.scalar(select(Organization.id)) is None


# Portal and members ------------------------------------------------------------------------
def test_members_page_for_staff_is_read_only(client, make_org, make_user, login):
    staff = make_user(display_name="Staffer")
    org = make_org(members={staff: "staff"})
    login(staff)
    html = page_text(client.get(f"/orgs/{org.id}/members"))
    assert "Staffer" in html and owner_of(org).email in html
    assert "Send invitation" not in html and "Transfer ownership" not in html
    assert "Owners and admins manage the team." in html
    assert "Leave organisation" in html


def test_invite_accept_journey(app, client, make_org, make_user, login, post_form,
                               mail_link, outbox):
    org = make_org("brand", name="Lumi Beauty")
    owner = owner_of(org)
    login(owner)
    response = post_form(f"/orgs/{org.id}/invitations", {"email": "Lin@Example.com",
                                                         "role": "admin"},
                         page=f"/orgs/{org.id}/members", follow=True)
    html = page_text(response)
    assert "Invitation sent to lin@example.com." in html
    assert 'data-testid="invitations"' in html and "lin@example.com" in html
    link = mail_link("org_invitation", "lin@example.com")
    assert link.startswith("/orgs/invitations/")

    # The invitee logs in through the link and comes back to it.
    invitee = make_user("lin@example.com", display_name="Lin")
    browser = app.test_client()
    response = browser.get(link)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login_page = response.headers["Location"]
    token = csrf_from(page_text(browser.get(login_page)))
    response = browser.post(login_page, data={"email": invitee.email,
                                              "password": PASSWORD,
                                              "csrf_token": token})
    assert response.headers["Location"] == link
    html = page_text(browser.get(link))
    assert "Join Lumi Beauty" in html and "Admin" in html
    response = browser.post(link, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orgs/{org.id}"
    html = page_text(browser.get(f"/orgs/{org.id}"))
    assert "Welcome to Lumi Beauty! You joined as Admin." in html
    assert role_of(org, invitee) == "admin"
    # The link works once.
    response = browser.post(link, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 409
    assert "already been accepted" in page_text(response)


def test_invitation_for_another_address_is_refused(app, client, make_org, make_user, login,
                                                   post_form, mail_link):
    org = make_org()
    login(owner_of(org))
    post_form(f"/orgs/{org.id}/invitations", {"email": "lin@example.com", "role": "staff"},
              page=f"/orgs/{org.id}/members")
    link = mail_link("org_invitation")
    intruder = make_user("intruder@example.com")
    browser = app.test_client()
    login(intruder, target=browser)
    response = browser.get(link)
    assert response.status_code == 403
    assert "sent to l***@example.com" in page_text(response)
    assert 'data-testid="accept"' not in page_text(response)
    response = browser.post(link, data={"csrf_token": csrf_from(page_text(browser.get("/orgs/")))})
    assert response.status_code == 403
    assert role_of(org, intruder) is None


def test_expired_revoked_and_unknown_links_say_so(client, make_org, make_user, login):
    org = make_org()
    owner = owner_of(org)
    expired, expired_secret = orgs.invite_member(owner, org.id, "lin@example.com", "staff",
                                                 links=site_links)
    # 15:00 UTC on Nov 2 is already Nov 3 in Tokyo, where the invitee reads it.
    expired.expires_at = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    revoked, revoked_secret = orgs.invite_member(owner, org.id, "mo@example.com", "staff",
                                                 links=site_links)
    orgs.revoke_invitation(owner, org.id, revoked.id)
    commit()
    login(make_user("lin@example.com", time_zone="Asia/Tokyo"))
    response = client.get(f"/orgs/invitations/{expired_secret}")
    assert response.status_code == 410
    assert "This invitation expired on Nov 3, 2026." in page_text(response)
    response = client.get(f"/orgs/invitations/{revoked_secret}")
    assert response.status_code == 410 and "withdrawn" in page_text(response)
    response = client.get("/orgs/invitations/not-a-real-secret")
    assert response.status_code == 404 and "not valid" in page_text(response)


def test_invite_form_errors(client, make_org, make_user, login, post_form):
    member = make_user("member@example.com")
    org = make_org(members={member: "staff"})
    login(owner_of(org))
    page = f"/orgs/{org.id}/members"
    response = post_form(f"/orgs/{org.id}/invitations", {"email": "nope", "role": "staff"},
                         page=page)
    assert response.status_code == 422
    assert field_errors(page_text(response), "email")
    response = post_form(f"/orgs/{org.id}/invitations",
                         {"email": "MEMBER@example.com", "role": "staff"}, page=page)
    assert response.status_code == 409
    assert "member@example.com is already a member" in \
        " ".join(field_errors(page_text(response), "email"))
    assert db.session.scalar(select(Invitation.id)) is None


def test_staff_cannot_invite_or_manage(client, make_org, make_user, login, post_form):
    staff, other = make_user(), make_user()
    org = make_org(members={staff: "staff", other: "staff"})
    login(staff)
    page = f"/orgs/{org.id}/members"
    response = post_form(f"/orgs/{org.id}/invitations", {"email": "x@example.com",
                                                         "role": "staff"}, page=page)
    assert response.status_code == 403
    response = post_form(f"/orgs/{org.id}/members/{other.id}/remove", {}, page=page)
    assert response.status_code == 403
    assert "Only owners and admins can remove members." in page_text(response)
    response = post_form(f"/orgs/{org.id}/members/{other.id}/role", {"role": "admin"},
                         page=page)
    assert response.status_code == 403
    assert role_of(org, other) == "staff"
    assert db.session.scalar(select(Invitation.id)) is None


def test_revoke_invitation_from_the_members_page(client, make_org, login, post_form):
    org = make_org()
    owner = owner_of(org)
    invitation, secret = orgs.invite_member(owner, org.id, "lin@example.com", "staff",
                                            links=site_links)
    commit()
    login(owner)
    response = post_form(f"/orgs/{org.id}/invitations/{invitation.id}/revoke", {},
                         page=f"/orgs/{org.id}/members", follow=True)
    html = page_text(response)
    assert "The invitation to lin@example.com was revoked." in html
    assert "No pending invitations." in html
    db.session.expire_all()
    assert invitation.revoked_at is not None


def test_admin_changes_roles_and_removes_but_not_the_owner(client, make_org, make_user, login,
                                                           post_form):
    admin, staff = make_user(), make_user(display_name="Sam")
    org = make_org(members={admin: "admin", staff: "staff"})
    owner = owner_of(org)
    login(admin)
    page = f"/orgs/{org.id}/members"
    response = post_form(f"/orgs/{org.id}/members/{staff.id}/role", {"role": "admin"},
                         page=page, follow=True)
    assert "Sam is now Admin." in page_text(response)
    assert role_of(org, staff) == "admin"
    response = post_form(f"/orgs/{org.id}/members/{owner.id}/role", {"role": "staff"},
                         page=page)
    assert response.status_code == 403
    assert "Admins cannot change the owner" in page_text(response)
    response = post_form(f"/orgs/{org.id}/members/{owner.id}/remove", {}, page=page)
    assert response.status_code == 403
    assert role_of(org, owner) == "owner"
    response = post_form(f"/orgs/{org.id}/members/{staff.id}/remove", {}, page=page,
                         follow=True)
    assert "The member was removed." in page_text(response)
    assert role_of(org, staff) is None


def test_transfer_ownership_needs_the_name_typed(client, make_org, make_user, login, post_form):
    staff = make_user(display_name="Next Owner")
    org = make_org(members={staff: "staff"}, name="Tea House")
    owner = owner_of(org)
    login(owner)
    page = f"/orgs/{org.id}/members"
    response = post_form(f"/orgs/{org.id}/transfer", {"new_owner": str(staff.id),
                                                      "confirm_name": "tea"}, page=page)
    assert response.status_code == 422
    assert field_errors(page_text(response), "confirm_name") == \
        ["Type Tea House exactly to confirm."]
    assert role_of(org, owner) == "owner"
    response = post_form(f"/orgs/{org.id}/transfer", {"new_owner": str(staff.id),
                                                      "confirm_name": "Tea House"},
                         page=page, follow=True)
    assert "Next Owner now owns Tea House. You are an admin." in page_text(response)
    assert (role_of(org, owner), role_of(org, staff)) == ("admin", "owner")


def test_leave(client, make_org, make_user, login, post_form):
    staff = make_user()
    org = make_org(members={staff: "staff"}, name="Tea House")
    owner = owner_of(org)
    login(owner)
    response = post_form(f"/orgs/{org.id}/leave", {}, page=f"/orgs/{org.id}/members")
    assert response.status_code == 409
    assert "Transfer ownership to another member before leaving." in page_text(response)
    assert role_of(org, owner) == "owner"

    client.post("/auth/logout", data={"csrf_token": csrf_from(page_text(client.get("/orgs/")))})
    login(staff)
    response = post_form(f"/orgs/{org.id}/leave", {}, page=f"/orgs/{org.id}/members",
                         follow=True)
    assert "You left Tea House." in page_text(response)
    assert role_of(org, staff) is None
    assert client.get(f"/orgs/{org.id}").status_code == 404


def test_members_page_paginates(client, make_org, make_user, login):
    from app.orgs.routes import MEMBERS_PER_PAGE

    people = {make_user(display_name=f"Person {i:03d}"): "staff"
              for i in range(MEMBERS_PER_PAGE + 1)}
    org = make_org(members=people)
    login(owner_of(org))
    first = page_text(client.get(f"/orgs/{org.id}/members"))
    assert "Page 1 of 2" in first
    assert "Person 000" in members_table(first)
    assert f"Person {MEMBERS_PER_PAGE:03d}" not in members_table(first)
    second = members_table(page_text(client.get(f"/orgs/{org.id}/members?page=2")))
    assert f"Person {MEMBERS_PER_PAGE:03d}" in second and "Person 000" not in second
    assert client.get(f"/orgs/{org.id}/members?page=3").status_code == 404


# Navigation ----------------------------------------------------------------------------------
def test_navigation_per_role(client, make_org, make_user, login):
    shopper = make_user()
    login(shopper)
    html = page_text(client.get("/orgs/"))
    assert 'data-nav="create-org"' in html
    assert "Merchant portal" not in html and 'data-nav="admin"' not in html
    assert 'data-nav="moderation"' not in html


def test_navigation_for_members_moderators_and_admins(app, make_org, make_user, login):
    merchant = make_user()
    shop = make_org("merchant", owner=merchant, name="Shop A")
    brand = make_org("brand", members={merchant: "staff"}, name="Brand B")
    browser = app.test_client()
    login(merchant, target=browser)
    html = page_text(browser.get("/orgs/"))
    assert f'data-nav="org-{shop.id}"' in html and "Merchant portal: Shop A" in " ".join(
        html.split())
    assert f'data-nav="org-{brand.id}"' in html and "Brand portal: Brand B" in " ".join(
        html.split())

    moderator = make_user(roles=("moderator",))
    browser = app.test_client()
    login(moderator, target=browser)
    html = page_text(browser.get("/orgs/"))
    assert 'data-nav="moderation"' in html and 'data-nav="admin"' not in html

    admin = make_user(roles=("admin",))
    browser = app.test_client()
    login(admin, target=browser)
    html = page_text(browser.get("/orgs/"))
    assert 'data-nav="admin"' in html


def test_many_memberships_collapse_into_the_organisations_list(client, make_org, make_user,
                                                               login):
    user = make_user()
    made = [make_org("brand", members={user: "staff"}) for _ in range(4)]
    login(user)
    html = page_text(client.get("/orgs/"))
    assert 'data-nav="orgs"' in html and "All organisations (4)" in html
    listing = page_text(client.get("/orgs/"))
    for org in made:
        assert f'href="/orgs/{org.id}"' in listing
