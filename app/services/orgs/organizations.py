"""Organisations: merchant stores and brand accounts, their members and invitations.

Roles inside an organisation are owner (exactly one), admin and staff. Owners and
admins manage the team; only the owner transfers ownership. Invitations are e-mailed
links carrying a random secret of which only the SHA-256 digest is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import (
    ORGANIZATION_KINDS,
    Invitation,
    Membership,
    Organization,
    Store,
    User,
    utcnow,
)
from app.money import CurrencyError, normalize_currency
from app.services.accounts import (
    format_local_time,
    format_viewer_day,
    mail_time_zone,
    normalize_email,
)
from app.services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from app.services.mail import EmailLinks, queue_email
from app.services.permissions import require_membership
from app.services.regions import is_country

INVITABLE_ROLES = ("admin", "staff")
MAX_NAME = 120
MAX_DESCRIPTION = 2000
SLUG_MAX = 80
# Enough for any real team; stops one account from mass-mailing strangers.
MAX_PENDING_INVITATIONS = 200


class InvitationGone(DomainError):
    """The invitation existed but can no longer be used (expired or revoked)."""

    code = "invitation_gone"
    status = 410


@dataclass(frozen=True)
class InvitationPreview:
    """What the accept page shows about an invitation before it is accepted."""

    invitation: Invitation
    organization: Organization
    problem: DomainError | None


# Helpers -----------------------------------------------------------------------------------
def digest_secret(secret: str) -> str:
    """The SHA-256 hex digest stored in place of an invitation secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def slugify(text: str, fallback: str) -> str:
    """A lower-case ASCII slug of `text` (`fallback` when nothing ASCII is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    # Leave room for a "-123" suffix within the column's 80 characters.
    slug = slug[: SLUG_MAX - 8].rstrip("-")
    return slug or fallback


def _free_slug(model: type[Organization] | type[Store], base: str) -> str:
    """`base`, or `base-N` with the smallest N >= 2 that no row of `model` uses yet."""
    taken = set(db.session.scalars(select(model.slug).where(
        or_(model.slug == base, model.slug.like(f"{base}-%")))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _clean_name(raw: str | None, field: str, errors: dict[str, list[str]],
                empty_message: str) -> str:
    value = " ".join((raw or "").split())
    if not value:
        errors[field] = [empty_message]
    elif len(value) < 2:
        errors[field] = [_("Use at least 2 characters.")]
    elif len(value) > MAX_NAME:
        errors[field] = [_("Use at most %(n)d characters.", n=MAX_NAME)]
    return value


def _require_active(actor: User | None) -> User:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise Forbidden(_("Log in to do this."), code="login_required")
    return actor


# Organisations -------------------------------------------------------------------------------
def create_organization(
    actor: User,
    kind: str,
    name: str,
    *,
    store_name: str | None = None,
    base_currency: str | None = None,
    origin_country: str | None = None,
    store_description: str = "",
) -> Organization:
    """Create a merchant (with its store) or a brand; the creator becomes its owner."""
    actor = _require_active(actor)
    if not actor.is_email_verified:
        raise Forbidden(_("Confirm your e-mail address before creating an organisation."),
                        code="email_unverified")
    errors: dict[str, list[str]] = {}
    if kind not in ORGANIZATION_KINDS:
        errors["kind"] = [_("Choose merchant (you sell products) or brand (you run campaigns).")]
    name = _clean_name(name, "name", errors, _("Enter the organisation's name."))
    currency = country = ""
    description = (store_description or "").strip()
    if kind == "merchant":
        store_name = " ".join((store_name or "").split()) or name
        if len(store_name) > MAX_NAME:
            errors["store_name"] = [_("Use at most %(n)d characters.", n=MAX_NAME)]
        if not (base_currency or "").strip():
            errors["base_currency"] = [_("Choose the currency your prices are set in.")]
        else:
            try:
                currency = normalize_currency(base_currency or "")
            except CurrencyError:
                errors["base_currency"] = [
                    _("'%(code)s' is not an ISO 4217 currency code (such as CNY or USD).",
                      code=base_currency)]
        if not (origin_country or "").strip():
            errors["origin_country"] = [_("Choose the country you ship from.")]
        elif not is_country(origin_country):
            errors["origin_country"] = [
                _("'%(code)s' is not an ISO 3166 country code (such as CN or US).",
                  code=origin_country)]
        else:
            country = (origin_country or "").upper()
        if len(description) > MAX_DESCRIPTION:
            errors["store_description"] = [_("Use at most %(n)d characters.",
                                               n=MAX_DESCRIPTION)]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)

    for attempt in range(3):
        org_slug = _free_slug(Organization, slugify(name, kind))
        store_slug = _free_slug(Store, slugify(store_name or name, "store")) \
            if kind == "merchant" else ""
        if attempt:  # a concurrent creation took the slug between our look-up and insert
            org_slug = f"{org_slug[:SLUG_MAX - 7]}-{secrets.token_hex(3)}"
            store_slug = f"{store_slug[:SLUG_MAX - 7]}-{secrets.token_hex(3)}"
        org = Organization(kind=kind, name=name, slug=org_slug)
        # By id, not `user=actor`: a failed attempt must leave nothing on actor.memberships.
        org.memberships.append(Membership(user_id=actor.id, role="owner"))
        if kind == "merchant":
            org.store = Store(name=store_name or name, slug=store_slug, base_currency=currency,
                              origin_country=country, description=description)
        try:
            with db.session.begin_nested():
                db.session.add(org)
                db.session.flush()
        except IntegrityError:
            if org in db.session:
                db.session.expunge(org)
            continue
        return org
    raise Conflict(_("Another organisation was created with this name at the same moment. "
                     "Try again."), code="slug_taken")


def get_organization(actor: User, org_id: int) -> Organization:
    """The organisation, for its members only (others: NotFound)."""
    return require_membership(actor, org_id).organization


def organizations_of(user: User) -> list[Membership]:
    """The user's memberships with their organisations (and stores), oldest first."""
    return list(db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.organization).joinedload(Organization.store))
        .where(Membership.user_id == user.id).order_by(Membership.id)))


def member_count(org_id: int) -> int:
    """How many people belong to the organisation."""
    return db.session.scalar(
        select(func.count(Membership.id)).where(Membership.organization_id == org_id)) or 0


def list_members(actor: User, org_id: int, *, after_id: int | None = None,
                 limit: int | None = None, offset: int = 0) -> list[Membership]:
    """Members with their users, owner first then by joining order (members only)."""
    require_membership(actor, org_id)
    stmt = (select(Membership).options(joinedload(Membership.user))
            .where(Membership.organization_id == org_id).order_by(Membership.id))
    if after_id is not None:
        stmt = stmt.where(Membership.id > after_id)
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def pending_invitations(actor: User, org_id: int) -> list[Invitation]:
    """Invitations not yet accepted or revoked, newest first (owners and admins only)."""
    require_membership(actor, org_id, min_role="admin")
    return list(db.session.scalars(
        select(Invitation).options(joinedload(Invitation.invited_by))
        .where(Invitation.organization_id == org_id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None))
        .order_by(Invitation.id.desc())))


def invitation_status(invitation: Invitation, now: datetime | None = None) -> str:
    """One of pending, accepted, revoked, expired."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or utcnow()):
        return "expired"
    return "pending"


# Invitations -------------------------------------------------------------------------------
def invite_member(actor: User, org_id: int, email: str, role: str, *,
                  links: EmailLinks) -> tuple[Invitation, str]:
    """E-mail an invitation link (owners and admins); returns it with its one-time secret.

    Inviting an address again revokes its earlier pending invitation, so only the
    newest link works.
    """
    membership = require_membership(actor, org_id, min_role="admin")
    organization = membership.organization
    errors: dict[str, list[str]] = {}
    try:
        email = normalize_email(email)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if role not in INVITABLE_ROLES:
        errors["role"] = [_("Invite people as admin or staff; ownership is transferred "
                            "separately.")]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    already = db.session.scalar(
        select(Membership.id).join(User, Membership.user_id == User.id)
        .where(Membership.organization_id == org_id, func.lower(User.email) == email))
    if already is not None:
        message = _("%(email)s is already a member of %(org)s.", email=email,
                    org=organization.name)
        raise Conflict(message, code="already_member", fields={"email": [message]})

    now = utcnow()
    pending_filter = (Invitation.organization_id == org_id, Invitation.accepted_at.is_(None),
                      Invitation.revoked_at.is_(None))
    for earlier in db.session.scalars(select(Invitation).where(
            *pending_filter, func.lower(Invitation.email) == email)):
        earlier.revoked_at = now
    db.session.flush()
    live = db.session.scalar(select(func.count(Invitation.id)).where(
        *pending_filter, Invitation.expires_at > now)) or 0
    if live >= MAX_PENDING_INVITATIONS:
        raise Conflict(_("%(org)s already has %(n)d pending invitations. Revoke some before "
                         "inviting more people.", org=organization.name, n=live),
                       code="too_many_invitations")

    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization, email=email, role=role, token_hash=digest_secret(secret),
        invited_by=actor,
        expires_at=now + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    _send_invitation(invitation, secret, actor, links)
    return invitation, secret


def _send_invitation(invitation: Invitation, secret: str, actor: User,
                     links: EmailLinks) -> None:
    organization = invitation.organization
    link = links.accept_invitation(secret)
    kind = _("merchant store") if organization.kind == "merchant" else _("brand account")
    role = _("Admin") if invitation.role == "admin" else _("Staff")
    # The invitee's own zone when they have an account, else UTC (the time says its offset).
    invitee = db.session.scalar(select(User).where(User.email == invitation.email))
    queue_email(
        invitation.email,
        _("%(name)s invited you to %(org)s on Qiao", name=actor.display_name,
          org=organization.name),
        _("Hello,\n\n%(name)s invited you to join the %(kind)s %(org)s on Qiao as %(role)s.\n\n"
          "Accept the invitation with this link (valid until %(expires)s):\n%(link)s\n\n"
          "Log in with this e-mail address (%(email)s) to accept. If you have no Qiao account "
          "yet, sign up with this address first, then open the link again.\n\n"
          "If you did not expect this invitation, you can ignore this message.",
          name=actor.display_name, kind=kind, org=organization.name, role=role,
          expires=format_local_time(invitation.expires_at, mail_time_zone(invitee),
                                    str(get_locale() or "en")), link=link,
          email=invitation.email),
        purpose="org_invitation",
    )


def _invitation_problem(invitation: Invitation, user: User | None) -> DomainError | None:
    status = invitation_status(invitation)
    if status == "accepted":
        return Conflict(_("This invitation has already been accepted. Each link works once; "
                          "ask for a new invitation if you need one."), code="invitation_used")
    if status == "revoked":
        return InvitationGone(_("This invitation was withdrawn by the organisation. Ask them "
                                "for a new one."), code="invitation_revoked")
    if status == "expired":
        return InvitationGone(
            _("This invitation expired on %(date)s. Ask the organisation to invite you again.",
              date=format_viewer_day(invitation.expires_at)), code="invitation_expired")
    if user is not None and user.email.lower() != invitation.email.lower():
        return Forbidden(
            _("This invitation was sent to %(invited)s, but you are logged in as %(email)s. "
              "Log in with the invited address to accept it.",
              invited=_mask_email(invitation.email), email=user.email),
            code="invitation_email_mismatch")
    return None


def _invitation_by_secret(secret: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).options(joinedload(Invitation.organization))
        .where(Invitation.token_hash == digest_secret(secret or "")))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Check that you opened the whole "
                         "link from the e-mail."), code="invitation_not_found")
    return invitation


def preview_invitation(user: User | None, secret: str) -> InvitationPreview:
    """The invitation behind a link and the reason it cannot be accepted, if any."""
    invitation = _invitation_by_secret(secret)
    return InvitationPreview(invitation, invitation.organization,
                             _invitation_problem(invitation, user))


def accept_invitation(user: User, secret: str) -> Membership:
    """Join the organisation of an invitation sent to the user's e-mail address."""
    user = _require_active(user)
    invitation = _invitation_by_secret(secret)
    problem = _invitation_problem(invitation, user)
    if problem is not None:
        raise problem
    organization = invitation.organization
    if db.session.scalar(select(Membership.id).where(
            Membership.organization_id == organization.id,
            Membership.user_id == user.id)) is not None:
        raise Conflict(_("You are already a member of %(org)s.", org=organization.name),
                       code="already_member")
    now = utcnow()
    # Conditional update: of two simultaneous accepts only one claims the invitation.
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(accepted_at=now, updated_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict(_("This invitation has already been accepted."), code="invitation_used")
    membership = Membership(organization=organization, user=user, role=invitation.role)
    db.session.add(membership)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("You are already a member of %(org)s.", org=organization.name),
                       code="already_member") from None
    db.session.refresh(invitation)
    return membership


def revoke_invitation(actor: User, org_id: int, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation so its link stops working (owners and admins)."""
    require_membership(actor, org_id, min_role="admin")
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != org_id:
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation was already accepted; remove the member instead."),
                       code="invitation_used")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        db.session.flush()
    return invitation
