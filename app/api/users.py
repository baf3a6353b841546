"""POST /users: sign up through the API."""

from __future__ import annotations

from flask_babel import gettext as _

from app.api import bp
from app.api.core import idempotent, json_body
from app.api.fields import string_fields
from app.api.openapi import operation, schema
from app.core.transaction import commit
from app.extensions import limiter
from app.services.accounts import users as accounts
from app.web.links import site_links

SIGNUP_REQUEST = schema("SignupRequest", {
    "type": "object", "required": ["email", "password", "display_name"],
    "properties": {"email": {"type": "string", "format": "email"},
                   "password": {"type": "string", "minLength": 10},
                   "display_name": {"type": "string", "maxLength": 80}},
})

SIGNUP_RESPONSE = schema("SignupAccepted", {
    "type": "object", "required": ["email", "message"],
    "properties": {"email": {"type": "string", "format": "email",
                             "description": "The address, normalised (lower case)."},
                   "message": {"type": "string"}},
})


@bp.post("/users")
@limiter.limit("20 per hour")
@operation(summary="Sign up", tags=["auth"], auth=False, idempotent=True,
           request=SIGNUP_REQUEST,
           responses={201: SIGNUP_RESPONSE, 400: None, 409: None, 422: None, 429: None},
           description=(
               "Create an account; a verification e-mail goes out. Browsing and buying work "
               "at once: log in with `POST /auth/token`.\n\n"
               "The answer does not say whether the address already had an account, so "
               "addresses cannot be probed: an address that is taken also answers `201` "
               "with the same body, and its owner gets an e-mail about the attempt (with a "
               "password reset link) instead of a verification link. `422` names the "
               "fields that break the rules (address syntax, name, password); `409` is "
               "only `idempotency_key_reused`. The body is therefore not the `User`: read "
               "it with `GET /me` after logging in."))
@idempotent()
def create_user():
    """Sign up; a taken address answers exactly like a new one (its owner is e-mailed)."""
    fields = string_fields(json_body(), ["email", "password", "display_name"])
    accounts.register_user(fields["email"], fields["password"], fields["display_name"],
                           links=site_links)
    commit()
    return {"email": accounts.normalize_email(fields["email"]),
            "message": _("We sent a message to this address. Open it to confirm the "
                         "address, then log in.")}, 201
