"""An organisation's team: roles, removal, leaving and the transfer of ownership.

Exactly one owner at all times: only the owner hands ownership over (one conditional
update, so two transfers cannot both succeed), and the owner must do so before leaving.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import Membership, Organization, User, utcnow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.mail import queue_email
from app.services.orgs.organizations import INVITABLE_ROLES
from app.services.permissions import ROLE_RANK, require_membership


def _membership_of_user(organization_id: int, user_id: int) -> Membership:
    membership = db.session.scalar(select(Membership).where(
        Membership.organization_id == organization_id, Membership.user_id == user_id))
    if membership is None:
        raise NotFound(_("That person is not a member of this organisation."),
                       code="member_not_found")
    return membership



def change_member_role(actor: User, org_id: int, user_id: int, role: str) -> Membership:
    """Make a member admin or staff. Owners and admins only; nobody touches the owner here."""
    mine = require_membership(actor, org_id, min_role="admin")
    target = _membership_of_user(org_id, user_id)
    if role == "owner":
        if mine.role == "owner":
            raise ValidationFailed(_("Use “Transfer ownership” to make someone the owner."),
                                   code="use_transfer", fields={"role": [
                                       _("Use “Transfer ownership” to make someone the owner.")]})
        raise Forbidden(_("Only the owner can hand over ownership."), code="owner_only")
    if role not in INVITABLE_ROLES:
        raise ValidationFailed(_("Choose admin or staff."),
                               fields={"role": [_("Choose admin or staff.")]})
    if target.role == "owner":
        if target.id == mine.id:
            raise Conflict(_("Transfer ownership to another member before changing your own role."),
                           code="owner_must_transfer")
        raise Forbidden(_("Admins cannot change the owner's role."), code="owner_protected")
    target.role = role
    db.session.flush()
    return target


def remove_member(actor: User, org_id: int, user_id: int) -> None:
    """Remove someone from the team (owners and admins; never the owner)."""
    mine = require_membership(actor, org_id)
    target = _membership_of_user(org_id, user_id)
    if target.id == mine.id:
        leave_organization(actor, org_id)
        return
    if ROLE_RANK[mine.role] < ROLE_RANK["admin"]:
        raise Forbidden(_("Only owners and admins can remove members."), code="forbidden")
    if target.role == "owner":
        raise Forbidden(_("The owner cannot be removed; ownership must be transferred first."),
                        code="owner_protected")
    organization, removed = target.organization, target.user
    db.session.delete(target)
    db.session.flush()
    queue_email(
        removed.email,
        _("You were removed from %(org)s on Qiao", org=organization.name),
        _("Hello %(name)s,\n\n%(actor)s removed you from %(org)s. You no longer have access to "
          "its portal.", name=removed.display_name, actor=actor.display_name,
          org=organization.name),
        purpose="org_member_removed",
    )


def transfer_ownership(actor: User, org_id: int, new_owner_id: int) -> Membership:
    """Hand the organisation to another member; the previous owner becomes an admin."""
    mine = require_membership(actor, org_id, min_role="owner")
    if new_owner_id == actor.id:
        raise ValidationFailed(_("You already own this organisation."),
                               fields={"new_owner": [_("Choose another member.")]})
    target = _membership_of_user(org_id, new_owner_id)
    # Conditional update: two transfers at once cannot both succeed (one owner, always).
    demoted = db.session.execute(
        update(Membership).where(Membership.id == mine.id, Membership.role == "owner")
        .values(role="admin", updated_at=utcnow()).execution_options(synchronize_session=False))
    if demoted.rowcount != 1:
        raise Conflict(_("Ownership changed meanwhile; reload the page."), code="ownership_changed")
    db.session.refresh(mine)
    target.role = "owner"
    db.session.flush()
    queue_email(
        target.user.email,
        _("You now own %(org)s on Qiao", org=target.organization.name),
        _("Hello %(name)s,\n\n%(actor)s transferred the ownership of %(org)s to you. "
          "%(actor)s stays on the team as an admin.", name=target.user.display_name,
          actor=actor.display_name, org=target.organization.name),
        purpose="org_ownership_transferred",
    )
    return target


def leave_organization(user: User, org_id: int) -> Organization:
    """Leave an organisation; the owner must transfer ownership first."""
    membership = require_membership(user, org_id)
    organization = membership.organization
    if membership.role == "owner":
        raise Conflict(_("You own %(org)s. Transfer ownership to another member before "
                         "leaving.", org=organization.name), code="owner_must_transfer")
    db.session.delete(membership)
    db.session.flush()
    return organization

