"""Platform administration: accounts, platform staff roles and overviews for admins.

Every function checks that the actor is a platform admin, so a route that forgot
its own check still cannot act. Admins cannot disable themselves or drop their own
admin role, so the platform never loses its last admin by accident.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    PLATFORM_ROLES,
    Invitation,
    Membership,
    Organization,
    PlatformRole,
    Store,
    User,
    utcnow,
)
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.permissions import require_platform_role
from app.services.regions import is_country

log = logging.getLogger("qiao.admin")

PER_PAGE = 25


@dataclass(frozen=True)
class ModeratorScope:
    """Where a moderator works; empty lists mean every market or language."""

    markets: list[str]
    languages: list[str]
    is_admin: bool


@cache
def language_names(locale: str = "en") -> dict[str, str]:
    """ISO 639 language code -> name, for moderator scopes."""
    names = Locale.parse(locale).languages
    return {code: name for code, name in names.items() if re.fullmatch(r"[a-z]{2,3}", code)}


def _split_codes(raw: list[str] | str | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = re.split(r"[\s,;]+", raw)
    return [code.strip() for code in raw if code and code.strip()]


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."), code="user_not_found")
    return user


# Overviews -------------------------------------------------------------------------------------
def platform_counts(actor: User) -> dict[str, int]:
    """Headline numbers for the admin home page."""
    require_platform_role(actor, "admin")

    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    now = utcnow()
    return {
        "users": count(select(func.count(User.id))),
        "disabled_users": count(select(func.count(User.id))
                                .where(User.is_active_account.is_(False))),
        "unverified_users": count(select(func.count(User.id))
                                  .where(User.email_verified_at.is_(None))),
        "merchants": count(select(func.count(Organization.id))
                           .where(Organization.kind == "merchant")),
        "brands": count(select(func.count(Organization.id)).where(Organization.kind == "brand")),
        "stores": count(select(func.count(Store.id))),
        "pending_invitations": count(select(func.count(Invitation.id)).where(
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            Invitation.expires_at > now)),
        "moderators": count(select(func.count(PlatformRole.id))
                            .where(PlatformRole.role == "moderator")),
        "admins": count(select(func.count(PlatformRole.id)).where(PlatformRole.role == "admin")),
    }


def search_users(actor: User, query: str = "", *, page: int = 1,
                 per_page: int = PER_PAGE) -> Pagination:
    """Accounts whose e-mail or display name contains `query`, newest first."""
    require_platform_role(actor, "admin")
    stmt = select(User).order_by(User.id.desc())
    query = (query or "").strip()
    if query:
        stmt = stmt.where(or_(User.email.icontains(query, autoescape=True),
                              User.display_name.icontains(query, autoescape=True)))
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False,
                       count=True)


def search_organizations(actor: User, query: str = "", kind: str | None = None, *,
                         page: int = 1, per_page: int = PER_PAGE) -> Pagination:
    """Organisations whose name or slug contains `query` (optionally of one kind)."""
    require_platform_role(actor, "admin")
    stmt = (select(Organization).options(selectinload(Organization.store))
            .order_by(Organization.id.desc()))
    query = (query or "").strip()
    if query:
        stmt = stmt.where(or_(Organization.name.icontains(query, autoescape=True),
                              Organization.slug.icontains(query, autoescape=True)))
    if kind:
        stmt = stmt.where(Organization.kind == kind)
    return db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False,
                       count=True)


def member_counts(organization_ids: list[int]) -> dict[int, int]:
    """How many members each of these organisations has (one query)."""
    if not organization_ids:
        return {}
    rows = db.session.execute(
        select(Membership.organization_id, func.count(Membership.id))
        .where(Membership.organization_id.in_(organization_ids))
        .group_by(Membership.organization_id))
    return {org_id: n for org_id, n in rows}


def get_user(actor: User, user_id: int) -> User:
    """One account, for an admin."""
    require_platform_role(actor, "admin")
    return _user(user_id)


def memberships_of(actor: User, user_id: int) -> list[Membership]:
    """The user's memberships with their organisations."""
    require_platform_role(actor, "admin")
    return list(db.session.scalars(
        select(Membership).options(selectinload(Membership.organization))
        .where(Membership.user_id == user_id).order_by(Membership.id)))


def get_organization(actor: User, org_id: int) -> Organization:
    """Any organisation, for an admin."""
    require_platform_role(actor, "admin")
    organization = db.session.get(Organization, org_id)
    if organization is None:
        raise NotFound(_("No such organisation."))
    return organization


def organization_members(actor: User, org_id: int) -> list[Membership]:
    """Members of any organisation with their users, for an admin."""
    require_platform_role(actor, "admin")
    return list(db.session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .where(Membership.organization_id == org_id).order_by(Membership.id)))


# Accounts --------------------------------------------------------------------------------------
def set_account_active(actor: User, user_id: int, active: bool) -> User:
    """Disable (ending every session and token) or re-enable an account."""
    require_platform_role(actor, "admin")
    user = _user(user_id)
    if user.id == actor.id and not active:
        raise Conflict(_("You cannot disable your own account."), code="cannot_disable_self")
    if user.is_active_account != active:
        user.is_active_account = active
        if not active:
            # Every session and remember-me cookie carries the version: they all end now.
            # API tokens stop too: authentication refuses tokens of disabled accounts.
            user.session_version += 1
        log.info("admin %s %s user %s", actor.id, "enabled" if active else "disabled", user.id)
    db.session.flush()
    return user


def grant_platform_role(actor: User, user_id: int, role: str, *,
                        markets: list[str] | str | None = None,
                        languages: list[str] | str | None = None) -> PlatformRole:
    """Make someone a moderator (scoped to markets and languages) or an admin.

    Granting a role the user already holds updates the moderator's scope.
    """
    require_platform_role(actor, "admin")
    user = _user(user_id)
    errors: dict[str, list[str]] = {}
    if role not in PLATFORM_ROLES:
        errors["role"] = [_("Choose one of: %(v)s.", v=", ".join(PLATFORM_ROLES))]
    market_codes = [code.upper() for code in _split_codes(markets)]
    language_codes = [code.lower() for code in _split_codes(languages)]
    bad_markets = [code for code in market_codes if not is_country(code)]
    if bad_markets:
        errors["markets"] = [_("Not ISO 3166 country codes: %(codes)s.",
                               codes=", ".join(bad_markets))]
    bad_languages = [code for code in language_codes if code not in language_names()]
    if bad_languages:
        errors["languages"] = [_("Not ISO 639 language codes: %(codes)s.",
                                 codes=", ".join(bad_languages))]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    if not user.is_active_account:
        raise Conflict(_("Enable the account before giving it a platform role."),
                       code="account_disabled")
    if role == "admin":
        market_codes, language_codes = [], []  # admins act everywhere
    existing = next((r for r in user.platform_roles if r.role == role), None)
    if existing is None:
        existing = PlatformRole(role=role, markets=[], languages=[])
        user.platform_roles.append(existing)
    existing.markets = sorted(set(market_codes))
    existing.languages = sorted(set(language_codes))
    db.session.flush()
    log.info("admin %s granted %s to user %s", actor.id, role, user.id)
    return existing


def revoke_platform_role(actor: User, user_id: int, role: str) -> User:
    """Take a platform role away; admins cannot drop their own admin role."""
    require_platform_role(actor, "admin")
    user = _user(user_id)
    if role == "admin" and user.id == actor.id:
        raise Conflict(_("You cannot remove your own admin role. Ask another admin to do it, so "
                         "the platform always keeps an admin."), code="cannot_revoke_own_admin")
    granted = next((r for r in user.platform_roles if r.role == role), None)
    if granted is None:
        raise NotFound(_("%(name)s does not have the %(role)s role.", name=user.display_name,
                         role=role),
                       code="role_not_found")
    if role == "admin":
        admins = db.session.scalars(select(PlatformRole).where(PlatformRole.role == "admin")
                                    .with_for_update()).all()
        if len(admins) <= 1:
            raise Conflict(_("This is the last admin; grant the role to someone else first."),
                           code="last_admin")
    user.platform_roles.remove(granted)
    db.session.flush()
    log.info("admin %s revoked %s from user %s", actor.id, role, user.id)
    return user


def moderator_scope(user: User) -> ModeratorScope:
    """The markets and languages the moderator covers (admins cover everything)."""
    require_platform_role(user, "moderator")
    role = next((r for r in user.platform_roles if r.role == "moderator"), None)
    if role is None:  # an admin without a moderator row moderates everywhere
        return ModeratorScope(markets=[], languages=[], is_admin=True)
    return ModeratorScope(markets=list(role.markets), languages=list(role.languages),
                          is_admin=user.has_role("admin"))
