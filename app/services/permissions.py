"""The one permission helper: every route and endpoint asks it who may act on what.

Resources of an organisation the actor does not belong to are reported as
missing (404), so their existence is not disclosed; a member whose role is too
low gets 403.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import MEMBER_ROLES, Membership, Organization, Store, User
from app.services.errors import Forbidden, NotFound

ROLE_RANK = {"staff": 1, "admin": 2, "owner": 3}


def not_found_in_organization() -> NotFound:
    """The one 404 for anything an organisation owns: missing and not-yours read the same.

    Stores, organisations, warehouses, products, orders… all answer with this message and
    the plain `not_found` code, so nobody can tell which ids exist by probing.
    """
    return NotFound(_("Not found, or you do not have access to it."))


def membership_of(user: User | None, organization_id: int) -> Membership | None:
    """The user's membership in the organisation, if any."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user.id
        )
    )


def require_membership(
    user: User | None,
    organization_id: int,
    *,
    min_role: str = "staff",
    kind: str | None = None,
) -> Membership:
    """The user's membership, or NotFound (not a member) / Forbidden (role too low)."""
    if min_role not in MEMBER_ROLES:
        raise ValueError(f"unknown role {min_role}")
    membership = membership_of(user, organization_id)
    if membership is None or (kind and membership.organization.kind != kind):
        raise not_found_in_organization()
    if ROLE_RANK[membership.role] < ROLE_RANK[min_role]:
        raise Forbidden(_("This needs the %(role)s role in %(org)s.", role=min_role,
                          org=membership.organization.name))
    return membership


def require_organization(user: User | None, organization_id: int, **kwargs) -> Organization:
    """The organisation, if the user may act in it with the given role."""
    return require_membership(user, organization_id, **kwargs).organization


def require_store_staff(user: User | None, store_id: int, *, min_role: str = "staff") -> Store:
    """The store, if the user is a member of its merchant organisation; else NotFound."""
    store = db.session.get(Store, store_id)
    if store is None:
        raise not_found_in_organization()
    require_membership(user, store.organization_id, min_role=min_role, kind="merchant")
    return store


def require_platform_role(user: User | None, role: str, *alternatives: str) -> None:
    """Platform staff holding `role` or one of `alternatives` (admin implies every role);
    others get Forbidden.
    """
    if user is None or not user.is_authenticated or not any(
            user.has_role(name) for name in (role, *alternatives)):
        raise Forbidden(_("This needs the platform %(role)s role.", role=role))
