"""POST /auth/token: exchange e-mail and password for a bearer token."""

from __future__ import annotations

from flask import request

from app.api import bp
from app.api.core import json_body
from app.api.fields import string_fields
from app.api.openapi import operation, schema
from app.core.transaction import commit
from app.extensions import limiter
from app.services.accounts import users as accounts
from app.services.accounts.api_tokens import issue_login_token

TOKEN_REQUEST = schema("TokenRequest", {
    "type": "object", "required": ["email", "password"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
})
TOKEN_RESPONSE = schema("TokenResponse", {
    "type": "object", "required": ["token"],
    "properties": {"token": {"type": "string"},
                   "expires_at": {"type": "string", "format": "date-time"}},
})


@bp.post("/auth/token")
@limiter.limit("30 per minute")
@operation(summary="Log in and receive a bearer token", tags=["auth"], auth=False,
           request=TOKEN_REQUEST,
           responses={201: TOKEN_RESPONSE, 400: None, 401: None, 422: None, 429: None})
def create_token():
    """Exchange credentials for a 30-day full-scope token (throttled per account and IP)."""
    fields = string_fields(json_body(), ["email", "password"])
    user = accounts.authenticate(fields["email"], fields["password"],
                                 request.remote_addr or "unknown")
    token, secret = issue_login_token(user)
    commit()
    return {"token": secret, "expires_at": token.expires_at.isoformat()}, 201
