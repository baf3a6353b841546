"""GET /me: the authenticated user; POST /me/email: move the account to another address;
POST /me/adult-confirmation: confirm being 18 or older (age-gated notes).
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.api import bp
from app.api.core import api_user, json_body, token_required
from app.api.fields import string_fields
from app.api.openapi import operation, schema
from app.api.serializers import USER_SCHEMA, timestamp, user_json
from app.core.transaction import commit
from app.extensions import limiter
from app.services.accounts import users as accounts
from app.services.social.age_gate import confirm_adult
from app.web.links import site_links

EMAIL_CHANGE_REQUEST = schema("EmailChangeRequest", {
    "type": "object", "required": ["email", "password"],
    "properties": {"email": {"type": "string", "format": "email"},
                   "password": {"type": "string", "description": "The current password."}},
})
EMAIL_CHANGE_RESPONSE = schema("EmailChangeAccepted", {
    "type": "object", "required": ["email", "message"],
    "properties": {"email": {"type": "string", "format": "email",
                             "description": "The new address, normalised (lower case)."},
                   "message": {"type": "string"}},
})


@bp.get("/me")
@operation(summary="The authenticated user", tags=["auth"],
           responses={200: USER_SCHEMA, 401: None})
@token_required("read")
def me():
    """The user with platform roles and organisation memberships."""
    body = user_json(api_user())
    commit()  # persists the token's last-used time
    return body

ADULT_CONFIRMATION = schema("AdultConfirmation", {
    "type": "object", "required": ["adult_confirmed_at"],
    "properties": {"adult_confirmed_at": {
        "type": "string", "format": "date-time",
        "description": "When the user first confirmed being 18 or older."}},
})


@bp.post("/me/adult-confirmation")
@operation(summary="Confirm you are 18 or older", tags=["auth"],
           responses={200: ADULT_CONFIRMATION, 401: None, 403: None},
           description=(
               "Notes a moderator marked for adults only answer `403` "
               "`age_confirmation_required` until the caller has confirmed being 18 or "
               "older; the confirmation is kept on the account with its date (a second "
               "call keeps the first date)."))
@token_required("write")
def confirm_adult_age():
    """Record that the authenticated user is 18 or older."""
    confirmed = confirm_adult(api_user())
    commit()
    return {"adult_confirmed_at": timestamp(confirmed)}


@bp.post("/me/email")
@limiter.limit("10 per hour")
@operation(summary="Change your e-mail address", tags=["auth"], request=EMAIL_CHANGE_REQUEST,
           responses={202: EMAIL_CHANGE_RESPONSE, 400: None, 401: None, 403: None,
                      422: None, 429: None},
           description=(
               "Sends a confirmation link to the new address; the account moves when it is "
               "opened, and the current address is told of the request.\n\n"
               "The answer does not say whether the new address belongs to another account: "
               "such an address also answers `202` with the same body, its owner is told of "
               "the attempt and nothing changes. `422` is a wrong password, an invalid "
               "address or the account's own address."))
@token_required("write")
def change_email():
    """Ask to move the account to another address (confirmed from that address)."""
    fields = string_fields(json_body(), ["email", "password"])
    new_email = accounts.request_email_change(api_user(), fields["email"], fields["password"],
                                              links=site_links)
    commit()
    return {"email": new_email,
            "message": _("We sent a confirmation link to %(email)s. Your address changes "
                         "when you open it.", email=new_email)}, 202
