"""JSON shapes shared by several endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.api.openapi import schema
from app.extensions import db
from app.models import Membership, Organization, User


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 with offset, UTC."""
    return value.isoformat() if value else None


def user_json(user: User) -> dict[str, Any]:
    """The user as `GET /me` shows it, with platform roles and memberships."""
    memberships = db.session.scalars(
        select(Membership)
        .options(joinedload(Membership.organization).joinedload(Organization.store))
        .where(Membership.user_id == user.id).order_by(Membership.id)
    ).all()
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "email_verified": user.is_email_verified,
        "bio": user.bio,
        "home_country": user.home_country,
        "languages": user.languages,
        "always_translate": user.always_translate,
        "roles": user.role_names,
        "memberships": [
            {
                "organization_id": m.organization_id,
                "organization_name": m.organization.name,
                "kind": m.organization.kind,
                "role": m.role,
                "store_id": m.organization.store.id
                if m.organization.kind == "merchant" and m.organization.store else None,
            }
            for m in memberships
        ],
        "preferences": {"locale": user.locale, "currency": user.currency,
                        "ship_to_country": user.ship_to_country},
        "created_at": timestamp(user.created_at),
    }


USER_SCHEMA = schema("User", {
    "type": "object",
    "required": ["id", "email", "roles", "memberships"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string", "format": "email"},
        "display_name": {"type": "string"},
        "email_verified": {"type": "boolean"},
        "bio": {"type": "string"},
        "home_country": {"type": ["string", "null"]},
        "languages": {"type": "array", "items": {"type": "string"}},
        "always_translate": {"type": "boolean"},
        "roles": {"type": "array", "items": {"type": "string",
                                             "enum": ["moderator", "community", "admin"]}},
        "memberships": {"type": "array", "items": {
            "type": "object",
            "required": ["organization_id", "kind", "role", "store_id"],
            "properties": {
                "organization_id": {"type": "integer"},
                "organization_name": {"type": "string"},
                "kind": {"type": "string", "enum": ["merchant", "brand"]},
                "role": {"type": "string", "enum": ["owner", "admin", "staff"]},
                "store_id": {"type": ["integer", "null"]},
            },
        }},
        "preferences": {"type": "object", "properties": {
            "locale": {"type": ["string", "null"]},
            "currency": {"type": ["string", "null"]},
            "ship_to_country": {"type": ["string", "null"]},
        }},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
