"""Organisation services: creation, invitations, roles, removal, ownership, leaving."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import Invitation, Membership, Organization, Store, utcnow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.orgs import organizations as orgs
from app.services.orgs import team
from app.web.links import site_links

LINK = re.compile(r"https?://[^/\s]+/orgs/invitations/(\S+)")


def role_of(org, user) -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Membership.role).where(
        Membership.organization_id == org.id, Membership.user_id == user.id))


def invite(actor, org, email, role="staff"):
    invitation, secret = orgs.invite_member(actor, org.id, email, role, links=site_links)
    commit()
    return invitation, secret


# Creating --------------------------------------------------------------------------------------
def test_create_merchant_makes_the_creator_owner_and_opens_a_store(make_user):
    user = make_user()
    org = orgs.create_organization(user, "merchant", "  Hangzhou   Tea House ",
                                   store_name="杭州茶舍", base_currency="cny",
                                   origin_country="cn", store_description="Longjing tea")
    commit()
    assert org.name == "Hangzhou Tea House"
    assert org.slug == "hangzhou-tea-house"
    assert role_of(org, user) == "owner"
    store = db.session.scalar(select(Store).where(Store.organization_id == org.id))
    assert (store.name, store.base_currency, store.origin_country) == ("杭州茶舍", "CNY", "CN")
    assert store.description == "Longjing tea"
    assert store.slug == "store"  # nothing ASCII in the name: the fallback slug


def test_create_brand_has_no_store(make_user):
    user = make_user()
    org = orgs.create_organization(user, "brand", "Lumi Beauty")
    commit()
    assert org.kind == "brand" and org.store is None
    assert role_of(org, user) == "owner"


def test_slugs_get_a_suffix_on_collision(make_user):
    user = make_user()
    first = orgs.create_organization(user, "brand", "Lumi Beauty")
    second = orgs.create_organization(user, "brand", "Lumi beauty!")
    third = orgs.create_organization(user, "merchant", "LUMI  BEAUTY", base_currency="JPY",
                                     origin_country="JP")
    commit()
    assert [first.slug, second.slug, third.slug] == ["lumi-beauty", "lumi-beauty-2",
                                                     "lumi-beauty-3"]
    assert third.store.slug == "lumi-beauty"  # stores have their own namespace


def test_chinese_names_get_a_kind_slug(make_user):
    user = make_user()
    a = orgs.create_organization(user, "brand", "露米美妆")
    b = orgs.create_organization(user, "brand", "露米美妆二号")
    assert (a.slug, b.slug) == ("brand", "brand-2")


def test_create_merchant_validates_each_field(make_user):
    user = make_user()
    with pytest.raises(ValidationFailed) as caught:
        orgs.create_organization(user, "merchant", "", base_currency="XYZ",
                                 origin_country="ZZ")
    fields = caught.value.fields
    assert fields["name"] == ["Enter the organisation's name."]
    assert "ISO 4217" in fields["base_currency"][0]
    assert "ISO 3166" in fields["origin_country"][0]
    with pytest.raises(ValidationFailed) as caught:
        orgs.create_organization(user, "merchant", "Shop")
    assert set(caught.value.fields) == {"base_currency", "origin_country"}
    with pytest.raises(ValidationFailed) as caught:
        orgs.create_organization(user, "shop", "Shop")
    assert set(caught.value.fields) == {"kind"}
    assert db.session.scalar(select(func.count(Organization.id))) == 0


def test_unverified_accounts_cannot_create_organisations(make_user):
    user = make_user(verified=False)
    with pytest.raises(Forbidden) as caught:
        orgs.create_organization(user, "brand", "Lumi")
    assert caught.value.code == "email_unverified"


# Invitations ----------------------------------------------------------------------------------
def test_invite_emails_a_link_and_stores_only_the_hash(make_org, outbox, sent_mail, app):
    org = make_org("brand")
    owner = org.memberships[0].user
    invitation, secret = invite(owner, org, "New.Person@Example.com", "admin")
    assert invitation.email == "new.person@example.com"
    assert invitation.role == "admin"
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in invitation.token_hash
    days = app.config["INVITATION_MAX_AGE_DAYS"]
    assert abs(invitation.expires_at - (utcnow() + timedelta(days=days))) < timedelta(minutes=1)
    [mail] = outbox("org_invitation")
    assert mail.to_address == "new.person@example.com"
    assert LINK.search(mail.body_text).group(1) == secret
    assert org.name in mail.subject + mail.body_text
    assert " as Admin." in mail.body_text  # the role as people read it, not its code
    assert [m.to for m in sent_mail] == ["new.person@example.com"]  # delivered after commit


@pytest.mark.parametrize("role", ["staff", None])
def test_only_owners_and_admins_invite(make_org, make_user, role):
    outsider = make_user()
    members = {outsider: role} if role else {}
    org = make_org(members=members)
    error = Forbidden if role else NotFound
    with pytest.raises(error):
        orgs.invite_member(outsider, org.id, "x@example.com", "staff", links=site_links)


def test_admins_can_invite(make_org, make_user):
    admin = make_user()
    org = make_org(members={admin: "admin"})
    invitation, _ = invite(admin, org, "x@example.com")
    assert invitation.invited_by_id == admin.id


def test_invite_rejects_bad_email_and_role(make_org):
    org = make_org()
    owner = org.memberships[0].user
    with pytest.raises(ValidationFailed) as caught:
        orgs.invite_member(owner, org.id, "not-an-address", "owner", links=site_links)
    assert set(caught.value.fields) == {"email", "role"}


def test_inviting_a_member_is_a_clear_error(make_org, make_user):
    member = make_user("member@example.com")
    org = make_org(members={member: "staff"})
    with pytest.raises(Conflict) as caught:
        orgs.invite_member(org.memberships[0].user, org.id, "MEMBER@example.com", "staff",
                           links=site_links)
    assert caught.value.code == "already_member"
    assert "already a member" in caught.value.fields["email"][0]


def test_reinviting_revokes_the_earlier_invitation(make_org, make_user):
    org = make_org()
    owner = org.memberships[0].user
    first, first_secret = invite(owner, org, "lin@example.com")
    second, second_secret = invite(owner, org, "LIN@example.com", "admin")
    db.session.expire_all()
    assert first.revoked_at is not None and second.revoked_at is None
    lin = make_user("lin@example.com")
    with pytest.raises(orgs.InvitationGone) as caught:
        orgs.accept_invitation(lin, first_secret)
    assert caught.value.code == "invitation_revoked"
    assert orgs.accept_invitation(lin, second_secret).role == "admin"


# Accepting -------------------------------------------------------------------------------------
def test_accept_creates_the_membership_once(make_org, make_user):
    org = make_org()
    invitation, secret = invite(org.memberships[0].user, org, "lin@example.com")
    lin = make_user("Lin@Example.com".lower())
    membership = orgs.accept_invitation(lin, secret)
    commit()
    assert (membership.organization_id, membership.role) == (org.id, "staff")
    db.session.expire_all()
    assert invitation.accepted_at is not None
    with pytest.raises(Conflict) as caught:
        orgs.accept_invitation(lin, secret)
    assert caught.value.code == "invitation_used"


def test_accept_needs_the_invited_address(make_org, make_user):
    org = make_org()
    _, secret = invite(org.memberships[0].user, org, "lin@example.com")
    other = make_user("someone@example.com")
    with pytest.raises(Forbidden) as caught:
        orgs.accept_invitation(other, secret)
    assert caught.value.code == "invitation_email_mismatch"
    assert "l***@example.com" in caught.value.message
    assert role_of(org, other) is None


def test_accept_expired_and_unknown(make_org, make_user):
    org = make_org()
    invitation, secret = invite(org.memberships[0].user, org, "lin@example.com")
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    commit()
    lin = make_user("lin@example.com")
    with pytest.raises(orgs.InvitationGone) as caught:
        orgs.accept_invitation(lin, secret)
    assert caught.value.code == "invitation_expired"
    assert caught.value.status == 410
    with pytest.raises(NotFound) as caught:
        orgs.accept_invitation(lin, secret + "x")
    assert caught.value.code == "invitation_not_found"
    assert role_of(org, lin) is None


def test_revoked_invitations_cannot_be_accepted(make_org, make_user):
    org = make_org()
    owner = org.memberships[0].user
    invitation, secret = invite(owner, org, "lin@example.com")
    orgs.revoke_invitation(owner, org.id, invitation.id)
    commit()
    with pytest.raises(orgs.InvitationGone) as caught:
        orgs.accept_invitation(make_user("lin@example.com"), secret)
    assert caught.value.code == "invitation_revoked"


def test_revoke_is_for_this_organisations_managers(make_org, make_user):
    staff = make_user()
    org = make_org(members={staff: "staff"})
    other = make_org()
    invitation, _ = invite(org.memberships[0].user, org, "lin@example.com")
    with pytest.raises(Forbidden):
        orgs.revoke_invitation(staff, org.id, invitation.id)
    with pytest.raises(NotFound):  # the owner of another organisation
        orgs.revoke_invitation(other.memberships[0].user, org.id, invitation.id)
    with pytest.raises(NotFound):  # their own organisation id, our invitation id
        orgs.revoke_invitation(other.memberships[0].user, other.id, invitation.id)
    db.session.expire_all()
    assert invitation.revoked_at is None


# Roles, removal, ownership, leaving ------------------------------------------------------------
def test_owner_and_admin_change_roles_but_admins_cannot_promote_to_owner(make_org, make_user):
    admin, staff = make_user(), make_user()
    org = make_org(members={admin: "admin", staff: "staff"})
    owner = org.memberships[0].user
    team.change_member_role(admin, org.id, staff.id, "admin")
    assert role_of(org, staff) == "admin"
    team.change_member_role(owner, org.id, staff.id, "staff")
    assert role_of(org, staff) == "staff"
    with pytest.raises(Forbidden) as caught:
        team.change_member_role(admin, org.id, staff.id, "owner")
    assert caught.value.code == "owner_only"
    with pytest.raises(Forbidden) as caught:
        team.change_member_role(admin, org.id, owner.id, "staff")
    assert caught.value.code == "owner_protected"
    with pytest.raises(ValidationFailed):
        team.change_member_role(owner, org.id, staff.id, "owner")
    with pytest.raises(Forbidden):
        team.change_member_role(staff, org.id, admin.id, "staff")
    assert (role_of(org, owner), role_of(org, admin), role_of(org, staff)) == \
        ("owner", "admin", "staff")


def test_remove_member_rules(make_org, make_user, outbox):
    admin, staff, staff2 = make_user(), make_user(), make_user()
    org = make_org(members={admin: "admin", staff: "staff", staff2: "staff"})
    owner = org.memberships[0].user
    with pytest.raises(Forbidden):
        team.remove_member(staff, org.id, staff2.id)
    with pytest.raises(Forbidden) as caught:
        team.remove_member(admin, org.id, owner.id)
    assert caught.value.code == "owner_protected"
    team.remove_member(admin, org.id, staff2.id)
    commit()
    assert role_of(org, staff2) is None
    assert [m.to_address for m in outbox("org_member_removed")] == [staff2.email]
    with pytest.raises(NotFound):
        team.remove_member(admin, org.id, staff2.id)


def test_transfer_ownership_makes_the_old_owner_admin(make_org, make_user, outbox):
    admin, staff = make_user(), make_user()
    org = make_org(members={admin: "admin", staff: "staff"})
    owner = org.memberships[0].user
    with pytest.raises(Forbidden):
        team.transfer_ownership(admin, org.id, staff.id)
    team.transfer_ownership(owner, org.id, staff.id)
    commit()
    assert (role_of(org, owner), role_of(org, staff)) == ("admin", "owner")
    owners = db.session.scalar(select(func.count(Membership.id)).where(
        Membership.organization_id == org.id, Membership.role == "owner"))
    assert owners == 1
    assert [m.to_address for m in outbox("org_ownership_transferred")] == [staff.email]
    with pytest.raises(Forbidden):  # no longer the owner
        team.transfer_ownership(owner, org.id, admin.id)


def test_transfer_needs_another_member(make_org, make_user):
    org = make_org()
    owner = org.memberships[0].user
    with pytest.raises(NotFound):
        team.transfer_ownership(owner, org.id, make_user().id)
    with pytest.raises(ValidationFailed):
        team.transfer_ownership(owner, org.id, owner.id)
    assert role_of(org, owner) == "owner"


def test_leave(make_org, make_user):
    staff = make_user()
    org = make_org(members={staff: "staff"})
    owner = org.memberships[0].user
    with pytest.raises(Conflict) as caught:
        team.leave_organization(owner, org.id)
    assert caught.value.code == "owner_must_transfer"
    team.leave_organization(staff, org.id)
    commit()
    assert role_of(org, staff) is None
    with pytest.raises(NotFound):
        team.leave_organization(staff, org.id)


def test_members_and_invitations_are_for_members_only(make_org, make_user):
    staff = make_user()
    org = make_org(members={staff: "staff"})
    outsider = make_org().memberships[0].user
    assert [m.user_id for m in orgs.list_members(staff, org.id)] == \
        [org.memberships[0].user_id, staff.id]
    with pytest.raises(NotFound):
        orgs.list_members(outsider, org.id)
    with pytest.raises(Forbidden):
        orgs.pending_invitations(staff, org.id)
    with pytest.raises(NotFound):
        orgs.get_organization(outsider, org.id)


def test_pending_invitations_lists_only_live_ones(make_org):
    org = make_org()
    owner = org.memberships[0].user
    revoked, _ = invite(owner, org, "a@example.com")
    orgs.revoke_invitation(owner, org.id, revoked.id)
    live, _ = invite(owner, org, "b@example.com")
    assert [i.id for i in orgs.pending_invitations(owner, org.id)] == [live.id]
    assert db.session.scalar(select(func.count(Invitation.id))) == 2


def test_a_slug_taken_by_a_concurrent_creation_is_retried(make_user, make_org, monkeypatch):
    make_org("brand", name="Taken")
    taken = db.session.scalar(select(Organization.slug))
    # Simulate the race: the look-up says the slug is free, the insert finds it taken.
    monkeypatch.setattr(orgs, "_free_slug", lambda model, base: taken)
    user = make_user()
    org = orgs.create_organization(user, "brand", "Taken")
    commit()
    assert org.slug.startswith(f"{taken}-") and org.slug != taken
    db.session.expire_all()
    assert [m.organization_id for m in user.memberships] == [org.id]


def test_the_invitation_says_its_expiry_on_the_invitees_clock(make_org, make_user, outbox):
    org = make_org("brand")
    owner = org.memberships[0].user
    make_user("tokyo@example.com", home_country="JP")
    invite(owner, org, "tokyo@example.com", "staff")
    invite(owner, org, "nobody-yet@example.com", "staff")
    tokyo, stranger = outbox("org_invitation")
    assert "GMT+09:00" in tokyo.body_text and " UTC" not in tokyo.body_text
    assert "GMT" in stranger.body_text  # UTC, and it says so with the offset
