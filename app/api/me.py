"""GET /me: the authenticated user."""

from __future__ import annotations

from app.api import bp
from app.api.core import api_user, token_required
from app.api.openapi import operation
from app.api.serializers import USER_SCHEMA, user_json
from app.core.transaction import commit


@bp.get("/me")
@operation(summary="The authenticated user", tags=["auth"],
           responses={200: USER_SCHEMA, 401: None})
@token_required("read")
def me():
    """The user with platform roles and organisation memberships."""
    body = user_json(api_user())
    commit()  # persists the token's last-used time
    return body
