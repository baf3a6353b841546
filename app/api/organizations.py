"""Organisations through the API: details, members, invitations (members only)."""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import (
    api_user,
    idempotent,
    json_body,
    page_limit,
    paginated,
    token_required,
)
from app.api.fields import string_fields
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import Invitation, Membership, Organization
from app.services.orgs import organizations as orgs
from app.services.permissions import require_membership
from app.web.cursors import decode_id_cursor
from app.web.links import site_links

STORE_SCHEMA = schema("Store", {
    "type": "object", "required": ["id", "name", "slug", "base_currency", "origin_country"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"},
        "description": {"type": "string"},
        "base_currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "origin_country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    },
})
ORGANIZATION_SCHEMA = schema("Organization", {
    "type": "object",
    "required": ["id", "kind", "name", "slug", "role", "store_id", "store", "member_count"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"type": "string", "enum": ["merchant", "brand"]},
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "role": {"type": "string", "enum": ["owner", "admin", "staff"],
                 "description": "The caller's role in the organisation."},
        "store_id": {"type": ["integer", "null"]},
        "store": {"oneOf": [STORE_SCHEMA, {"type": "null"}]},
        "member_count": {"type": "integer", "minimum": 1},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
MEMBER_SCHEMA = schema("Member", {
    "type": "object", "required": ["user_id", "display_name", "email", "role", "joined_at"],
    "properties": {
        "user_id": {"type": "integer"}, "display_name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "role": {"type": "string", "enum": ["owner", "admin", "staff"]},
        "joined_at": {"type": "string", "format": "date-time"},
    },
})
INVITATION_SCHEMA = schema("Invitation", {
    "type": "object",
    "required": ["id", "organization_id", "email", "role", "status", "expires_at"],
    "properties": {
        "id": {"type": "integer"}, "organization_id": {"type": "integer"},
        "email": {"type": "string", "format": "email"},
        "role": {"type": "string", "enum": ["admin", "staff"]},
        "status": {"type": "string", "enum": ["pending", "accepted", "revoked", "expired"]},
        "invited_by_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
    "description": "The accept link's secret is only e-mailed to the invitee, never returned.",
})
CREATE_INVITATION = schema("CreateInvitationRequest", {
    "type": "object", "required": ["email", "role"],
    "properties": {"email": {"type": "string", "format": "email"},
                   "role": {"type": "string", "enum": ["admin", "staff"]}},
})
PAGE_PARAMS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The next_cursor of the previous page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]


def organization_json(organization: Organization, role: str) -> dict[str, Any]:
    """An organisation as its members see it."""
    store = organization.store if organization.kind == "merchant" else None
    return {
        "id": organization.id, "kind": organization.kind, "name": organization.name,
        "slug": organization.slug, "role": role,
        "store_id": store.id if store else None,
        "store": {"id": store.id, "name": store.name, "slug": store.slug,
                  "description": store.description, "base_currency": store.base_currency,
                  "origin_country": store.origin_country} if store else None,
        "member_count": orgs.member_count(organization.id),
        "created_at": timestamp(organization.created_at),
    }


def member_json(membership: Membership) -> dict[str, Any]:
    """One member of the team."""
    return {"user_id": membership.user_id, "display_name": membership.user.display_name,
            "email": membership.user.email, "role": membership.role,
            "joined_at": timestamp(membership.created_at)}


def invitation_json(invitation: Invitation) -> dict[str, Any]:
    """An invitation without its secret."""
    return {"id": invitation.id, "organization_id": invitation.organization_id,
            "email": invitation.email, "role": invitation.role,
            "status": orgs.invitation_status(invitation),
            "invited_by_id": invitation.invited_by_id,
            "created_at": timestamp(invitation.created_at),
            "expires_at": timestamp(invitation.expires_at)}


@bp.get("/organizations/<int:org_id>")
@operation(summary="An organisation you belong to", tags=["organizations"],
           responses={200: ORGANIZATION_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_organization(org_id: int):
    """The organisation with your role and, for merchants, its store. Others: 404."""
    membership = require_membership(api_user(), org_id)
    body = organization_json(membership.organization, membership.role)
    commit()
    return body


@bp.get("/organizations/<int:org_id>/members")
@operation(summary="Members of an organisation", tags=["organizations"], params=PAGE_PARAMS,
           responses={200: list_of(MEMBER_SCHEMA), 400: None, 401: None, 404: None, 422: None})
@token_required("read")
def list_members(org_id: int):
    """The team in joining order (owner first), cursor-paginated. Members only."""
    require_membership(api_user(), org_id)
    limit = page_limit()
    members = orgs.list_members(api_user(), org_id, after_id=decode_id_cursor(),
                                limit=limit + 1)
    body = paginated(members, limit, lambda m: [m.id], member_json)
    commit()
    return body


@bp.get("/organizations/<int:org_id>/invitations")
@operation(summary="Pending invitations of an organisation", tags=["organizations"],
           responses={200: list_of(INVITATION_SCHEMA), 401: None, 403: None, 404: None})
@token_required("read")
def list_invitations(org_id: int):
    """Invitations not accepted or revoked, newest first (owners and admins); a lapsed one
    shows status `expired` until it is revoked or the person is invited again.
    """
    items = [invitation_json(i) for i in orgs.pending_invitations(api_user(), org_id)]
    commit()
    return {"items": items, "next_cursor": None}


@bp.post("/organizations/<int:org_id>/invitations")
@operation(summary="Invite someone by e-mail", tags=["organizations"], idempotent=True,
           request=CREATE_INVITATION,
           responses={201: INVITATION_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
@idempotent()
def create_invitation(org_id: int):
    """E-mail an invitation link (owners and admins). Re-inviting revokes the earlier link;
    inviting a member answers 409 `already_member`.
    """
    require_membership(api_user(), org_id, min_role="admin")
    fields = string_fields(json_body(), ["email", "role"])
    invitation, _secret = orgs.invite_member(api_user(), org_id, fields["email"],
                                             fields["role"], links=site_links)
    body = invitation_json(invitation)
    commit()
    return body, 201
