"""POST /auth/token: exchange e-mail and password for a bearer token."""

from __future__ import annotations

from flask import request

from app.api import bp
from app.api.core import json_body
from app.api.fields import string_fields
from app.api.openapi import operation, schema
from app.core.database import read_apart
from app.core.transaction import commit
from app.extensions import limiter
from app.services.accounts import users as accounts
from app.services.accounts.api_tokens import issue_login_token
from app.web.login_devices import device_from_request

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
           responses={201: TOKEN_RESPONSE, 400: None, 401: None, 422: None, 429: None},
           description=(
               "Exchange credentials for a 30-day full-scope token. Failed attempts lock the "
               "account for this client only (the `qiao_device` cookie of a browser that "
               "logged in before, otherwise the client's address): after a few failures "
               "the answer is `429` `login_throttled` with `Retry-After` (seconds), and "
               "each further lock lasts twice as long, up to an hour. Many failures from "
               "one address make every further failure from it lock at once; a correct "
               "password for an account that is not locked for this client still works. "
               "Many failures against one account from clients it does not know (spread "
               "over many addresses) lock it, with growing delays, for every client but "
               "the browsers it logged in from before."))
def create_token():
    """Exchange credentials for a 30-day full-scope token (throttled per account and client)."""
    fields = string_fields(json_body(), ["email", "password"])
    # The password hash is checked before the write transaction, not holding its lock.
    # A client that kept the browser's device cookie is judged on its own failures;
    # any other is judged by its address.
    ip, device = request.remote_addr or "unknown", device_from_request()
    checked = read_apart(lambda: accounts.check_password(fields["email"], fields["password"],
                                                         ip, device=device))
    user = accounts.authenticate(fields["email"], fields["password"], ip, device=device,
                                 checked=checked)
    token, secret = issue_login_token(user)
    commit()
    return {"token": secret, "expires_at": token.expires_at.isoformat()}, 201
