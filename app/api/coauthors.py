"""Co-created notes API: invite a co-author, answer, write one's part, agree, leave."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import api_user, json_body, refuse_nul_characters, token_required
from app.api.fields import id_field
from app.api.notes import AUTHOR_SCHEMA, author_json
from app.api.openapi import operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import COAUTHOR_STATES, NoteCoauthor
from app.services.errors import ValidationFailed
from app.services.social import coauthoring
from app.services.social.notes import ImageUpload

COAUTHORSHIP_SCHEMA = schema("Coauthorship", {
    "type": "object",
    "required": ["note_id", "note_status", "coauthor", "status", "title", "body",
                 "author_agreed", "coauthor_agreed", "invited_at", "expires_at"],
    "properties": {
        "note_id": {"type": "integer"},
        "note_status": {"type": "string", "enum": ["draft", "published"]},
        "coauthor": AUTHOR_SCHEMA,
        "status": {"type": "string", "enum": list(COAUTHOR_STATES),
                   "description": "invited, accepted (credited on the note), declined, "
                                  "expired (not accepted within 14 days), withdrawn (by the "
                                  "author, before publication) or left (the co-author "
                                  "removed themselves)."},
        "title": {"type": "string", "description": "The co-author's own title."},
        "body": {"type": "string", "description": "The co-author's own text."},
        "language": {"type": ["string", "null"]},
        "author_agreed": {"type": "boolean"}, "coauthor_agreed": {"type": "boolean"},
        "invited_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time",
                       "description": "An invitation not accepted by then expires."},
        "responded_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
INVITE_REQUEST = schema("InviteCoauthorRequest", {
    "type": "object", "required": ["user_id"],
    "properties": {"user_id": {"type": "integer", "description": "The creator to invite."}},
})
CONTRIBUTION_REQUEST = schema("CoauthorContributionRequest", {
    "type": "object",
    "description": "JSON, or multipart/form-data with `images[]` to replace the images the "
                   "co-author added (they follow the author's; 9 in all at most).",
    "properties": {"title": {"type": "string", "maxLength": 100},
                   "body": {"type": "string", "maxLength": 2000}},
})
ERRORS = {400: None, 401: None, 403: None, 404: None, 409: None, 422: None}


def coauthorship_json(link: NoteCoauthor) -> dict[str, Any]:
    """A note's co-authoring as its two authors see it."""
    return {"note_id": link.note_id, "note_status": link.note.status,
            "coauthor": author_json(link.coauthor), "status": link.status,
            "title": link.title, "body": link.body, "language": link.language,
            "author_agreed": link.author_agreed_at is not None,
            "coauthor_agreed": link.coauthor_agreed_at is not None,
            "invited_at": timestamp(link.invited_at), "expires_at": timestamp(link.expires_at),
            "responded_at": timestamp(link.responded_at)}


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string.", fields={name: ["Must be a string."]})
    return value


def _answer(link: NoteCoauthor) -> dict[str, Any]:
    body = coauthorship_json(link)
    commit()
    return body


@bp.post("/notes/<int:note_id>/coauthor")
@operation(summary="Invite a co-author to your draft", tags=["notes"],
           request=INVITE_REQUEST, responses={201: COAUTHORSHIP_SCHEMA, **ERRORS})
@token_required("write")
def invite_coauthor(note_id: int):
    """The author invites one creator to co-author a draft; they have 14 days to accept.

    A published note answers 409 `note_not_draft`; a note with an open invitation 409
    `coauthor_already_invited`; an unknown user or oneself 422 `invalid_coauthor`.
    """
    data = json_body()
    link = coauthoring.invite_coauthor(api_user(), note_id,
                                       id_field(data.get("user_id"), "user_id"))
    return _answer(link), 201


@bp.get("/notes/<int:note_id>/coauthor")
@operation(summary="A note's co-authoring", tags=["notes"],
           responses={200: COAUTHORSHIP_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_coauthorship(note_id: int):
    """For the note's author or co-author; anyone else gets 404 `coauthor_not_found`."""
    return _answer(coauthoring.get_coauthorship(api_user(), note_id))


@bp.post("/notes/<int:note_id>/coauthor/accept")
@operation(summary="Accept an invitation to co-author", tags=["notes"],
           responses={200: COAUTHORSHIP_SCHEMA, **ERRORS})
@token_required("write")
def accept_coauthor_invitation(note_id: int):
    """An expired invitation answers 409 `coauthor_invitation_expired`."""
    return _answer(coauthoring.respond_to_invitation(api_user(), note_id, accept=True))


@bp.post("/notes/<int:note_id>/coauthor/decline")
@operation(summary="Decline an invitation to co-author", tags=["notes"],
           responses={200: COAUTHORSHIP_SCHEMA, **ERRORS})
@token_required("write")
def decline_coauthor_invitation(note_id: int):
    """The author is told; the draft stays theirs alone."""
    return _answer(coauthoring.respond_to_invitation(api_user(), note_id, accept=False))


@bp.patch("/notes/<int:note_id>/coauthor/contribution")
@operation(summary="Write your part of a co-created note", tags=["notes"],
           request=CONTRIBUTION_REQUEST,
           responses={200: COAUTHORSHIP_SCHEMA, 413: None, 429: None, **ERRORS})
@token_required("write")
def update_coauthor_contribution(note_id: int):
    """The co-author's title, text and images; saving a draft's part asks both authors to
    agree again.
    """
    if request.mimetype == "multipart/form-data":
        data: dict[str, Any] = request.form.to_dict()
        refuse_nul_characters(data)
        files = request.files.getlist("images[]") + request.files.getlist("images")
        images = [ImageUpload(data=f.read(), filename=f.filename or "") for f in files
                  if f and (f.filename or f.content_length)] or None
    else:
        data = json_body()
        images = None
    link = coauthoring.update_contribution(api_user(), note_id, title=_text(data, "title"),
                                           body=_text(data, "body"), images=images)
    return _answer(link)


@bp.post("/notes/<int:note_id>/coauthor/agree")
@operation(summary="Agree to publish a co-created draft", tags=["notes"],
           responses={200: COAUTHORSHIP_SCHEMA, **ERRORS})
@token_required("write")
def agree_to_publish(note_id: int):
    """The author's or co-author's agreement; with both, the note is published
    (`note_status` tells). Before the co-author accepts: 409 `coauthor_not_accepted`.
    """
    return _answer(coauthoring.agree_to_publish(api_user(), note_id))


@bp.delete("/notes/<int:note_id>/coauthor")
@operation(summary="Leave a co-created note, or withdraw the invitation", tags=["notes"],
           responses={200: COAUTHORSHIP_SCHEMA, **ERRORS})
@token_required("write")
def leave_coauthored_note(note_id: int):
    """The co-author removes themselves (a published note stays, credited to its author
    alone), or the author withdraws the invitation of a draft (403 `coauthor_published`
    once it is published). On a draft the co-author's images and text leave with them.
    """
    return _answer(coauthoring.leave_note(api_user(), note_id))
