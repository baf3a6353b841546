"""Personal access tokens through the API: list, create, revoke."""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import (
    PAGE_PARAMS,
    api_user,
    idempotent,
    json_body,
    page_limit,
    paginated,
    token_required,
)
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import ApiToken
from app.services.accounts import api_tokens
from app.services.errors import ValidationFailed
from app.web.cursors import decode_id_cursor

TOKEN_SCHEMA = schema("ApiToken", {
    "type": "object", "required": ["id", "name", "kind", "scopes", "prefix"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["login", "personal"]},
        "prefix": {"type": "string"},
        "scopes": {"type": "array", "items": {"type": "string", "enum": ["read", "write"]}},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
        "token": {"type": "string", "description": "Only in the response that creates it."},
    },
})
CREATE_TOKEN = schema("CreateTokenRequest", {
    "type": "object", "required": ["name", "scopes"],
    "properties": {"name": {"type": "string", "maxLength": 80},
                   "scopes": {"type": "array", "items": {"type": "string",
                                                         "enum": ["read", "write"]}},
                   "expires_in_days": {"type": ["integer", "null"], "minimum": 1,
                                       "maximum": 366}},
})


def token_json(token: ApiToken) -> dict[str, Any]:
    """A token without its secret."""
    return {"id": token.id, "name": token.name, "kind": token.kind, "prefix": token.prefix,
            "scopes": token.scopes, "created_at": timestamp(token.created_at),
            "expires_at": timestamp(token.expires_at),
            "last_used_at": timestamp(token.last_used_at)}


@bp.get("/tokens")
@operation(summary="List your live tokens", tags=["auth"], params=PAGE_PARAMS,
           responses={200: list_of(TOKEN_SCHEMA), 400: None, 401: None, 422: None})
@token_required("read")
def list_tokens():
    """Your tokens that are not revoked or expired, newest first (secrets are never shown)."""
    limit = page_limit()
    rows = api_tokens.list_tokens(api_user(), limit=limit + 1, before_id=decode_id_cursor())
    body = paginated(rows, limit, lambda t: [t.id], token_json)
    commit()  # persists the token's last-used time
    return body


@bp.post("/tokens")
@operation(summary="Create a personal access token", tags=["auth"], idempotent=True,
           request=CREATE_TOKEN,
           responses={201: TOKEN_SCHEMA, 400: None, 401: None, 403: None, 422: None})
@token_required("write")
@idempotent(redact=("token",))
def create_token_pat():
    """Create a scoped token; the response holds its secret, shown this once.

    A replay with the same Idempotency-Key returns the token without its secret: secrets
    are never stored, not even in the idempotency record.
    """
    body = json_body()
    scopes = body.get("scopes")
    days = body.get("expires_in_days")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ValidationFailed("scopes must be a list of strings.",
                               fields={"scopes": ["Must be a list such as [\"read\"]."]})
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)):
        raise ValidationFailed("expires_in_days must be a whole number.",
                               fields={"expires_in_days": ["Must be a whole number of days."]})
    name = body.get("name")
    token, secret = api_tokens.create_personal_token(
        api_user(), name if isinstance(name, str) else "", scopes, days)
    commit()
    return {**token_json(token), "token": secret}, 201


@bp.delete("/tokens/<int:token_id>")
@operation(summary="Revoke a token", tags=["auth"], responses={204: None, 401: None, 404: None})
@token_required("write")
def revoke_token(token_id: int):
    """Revoke one of your tokens at once."""
    api_tokens.revoke_token(api_user(), token_id)
    commit()
    return "", 204
