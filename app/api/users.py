"""POST /users: sign up through the API."""

from __future__ import annotations

from app.api import bp
from app.api.core import idempotent, json_body
from app.api.fields import string_fields
from app.api.openapi import operation, schema
from app.api.serializers import USER_SCHEMA, user_json
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


@bp.post("/users")
@limiter.limit("20 per hour")
@operation(summary="Sign up", tags=["auth"], auth=False, idempotent=True,
           request=SIGNUP_REQUEST,
           responses={201: USER_SCHEMA, 400: None, 409: None, 422: None, 429: None})
@idempotent()
def create_user():
    """Create an account; a verification e-mail goes out. Browsing and buying work at once."""
    fields = string_fields(json_body(), ["email", "password", "display_name"])
    user = accounts.register_user(fields["email"], fields["password"], fields["display_name"],
                                  links=site_links)
    commit()
    return user_json(user), 201
