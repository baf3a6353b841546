"""Interactions API: likes, collects and boards, comment likes, follows, reports, notices."""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.fields import id_field, optional_body
from app.api.notes import AUTHOR_SCHEMA, NOTE_SCHEMA, author_json, notes_json
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import EVENT_STAGES, NOTIFICATION_KINDS, Board, Notification
from app.services import moderation
from app.services.errors import ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import feed, notifications
from app.web.cursors import decode_cursor, encode_cursor

LIKE_STATE = schema("LikeState", {
    "type": "object", "required": ["liked", "like_count"],
    "properties": {"liked": {"type": "boolean"}, "like_count": {"type": "integer"}},
})
BOARD_SCHEMA = schema("Board", {
    "type": "object", "required": ["id", "name", "is_private", "note_count"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string", "maxLength": 60},
                   "is_private": {"type": "boolean"}, "note_count": {"type": "integer"},
                   "owner_id": {"type": "integer"},
                   "created_at": {"type": "string", "format": "date-time"}},
})
COLLECT_STATE = schema("CollectState", {
    "type": "object", "required": ["collected", "collect_count"],
    "properties": {"collected": {"type": "boolean"}, "collect_count": {"type": "integer"},
                   "board": {"oneOf": [BOARD_SCHEMA, {"type": "null"}]}},
})
COLLECT_REQUEST = schema("CollectRequest", {
    "type": "object",
    "properties": {"board_id": {"type": ["integer", "null"],
                                "description": "One of your boards; omitted: your default "
                                               "\"Saved\" board (on DELETE: every board)."}},
})
BOARD_REQUEST = schema("BoardRequest", {
    "type": "object",
    "properties": {"name": {"type": "string", "maxLength": 60},
                   "is_private": {"type": "boolean", "default": True}},
})
FOLLOW_STATE = schema("FollowState", {
    "type": "object", "required": ["following", "follower_count"],
    "properties": {"following": {"type": "boolean"}, "follower_count": {"type": "integer"},
                   "user": AUTHOR_SCHEMA},
})
REPORT_REQUEST = schema("ReportRequest", {
    "type": "object", "required": ["target_type", "target_id", "reason"],
    "properties": {"target_type": {"type": "string",
                                   "enum": ["note", "comment", "user", "product"]},
                   "target_id": {"type": "integer"},
                   "reason": {"type": "string", "enum": ["spam", "counterfeit", "offensive",
                                                         "misleading", "other"]},
                   "details": {"type": "string", "maxLength": 1000}},
})
REPORT_SCHEMA = schema("Report", {
    "type": "object", "required": ["id", "target_type", "target_id", "reason", "status"],
    "properties": {"id": {"type": "integer"}, "target_type": {"type": "string"},
                   "target_id": {"type": "integer"}, "reason": {"type": "string"},
                   "details": {"type": "string"}, "status": {"type": "string"},
                   "created_at": {"type": "string", "format": "date-time"}},
})
NOTIFICATION_SCHEMA = schema("Notification", {
    "type": "object", "required": ["id", "kind", "actor", "read"],
    "properties": {"id": {"type": "integer"},
                   "kind": {"type": "string", "enum": list(NOTIFICATION_KINDS)},
                   "actor": {"oneOf": [AUTHOR_SCHEMA, {"type": "null"}],
                             "description": "null for platform notices (shipments)"},
                   "note_id": {"type": ["integer", "null"]},
                   "note_title": {"type": ["string", "null"]},
                   "comment_id": {"type": ["integer", "null"]},
                   "shipment_id": {"type": ["integer", "null"]},
                   "shipment_status": {"type": ["string", "null"],
                                       "description": "A tracking status, or customs_held"},
                   "return_id": {"type": ["integer", "null"]},
                   "return_status": {"type": ["string", "null"], "description":
                                     "requested, approved, refused, received or refunded"},
                   "event_id": {"type": ["integer", "null"],
                                "description": "The event an `event` notice is about"},
                   "event_stage": {"type": ["string", "null"], "enum": [*EVENT_STAGES, None],
                                   "description": "started, ended, or placed (note_id: "
                                                  "the entry that placed)"},
                   "read": {"type": "boolean"},
                   "created_at": {"type": "string", "format": "date-time"}},
})
NOTIFICATION_LIST = {**list_of(NOTIFICATION_SCHEMA)}
NOTIFICATION_LIST["properties"] = {**NOTIFICATION_LIST["properties"],
                                   "unread_count": {"type": "integer"}}
MARK_READ = schema("MarkReadRequest", {
    "type": "object",
    "properties": {"ids": {"type": ["array", "null"], "items": {"type": "integer"},
                           "description": "Omitted or null: mark every notification read."}},
})
COUNTS = schema("UnreadCount", {"type": "object", "required": ["unread_count"],
                                "properties": {"marked": {"type": "integer"},
                                               "unread_count": {"type": "integer"}}})
WRITE_ERRORS = {400: None, 401: None, 403: None, 404: None, 422: None}


def board_json(board: Board) -> dict[str, Any]:
    """A board."""
    return {"id": board.id, "name": board.name, "is_private": board.is_private,
            "note_count": board.note_count, "owner_id": board.owner_id,
            "created_at": timestamp(board.created_at)}


# Likes --------------------------------------------------------------------------------------
@bp.post("/notes/<int:note_id>/like")
@operation(summary="Like a note", tags=["interactions"], responses={200: LIKE_STATE,
                                                                     **WRITE_ERRORS})
@token_required("write")
def like_note(note_id: int):
    """Like (liking twice changes nothing); the author gets a notification."""
    note = interactions.like_note(api_user(), note_id)
    commit()
    return {"liked": True, "like_count": note.like_count}


@bp.delete("/notes/<int:note_id>/like")
@operation(summary="Unlike a note", tags=["interactions"], responses={200: LIKE_STATE,
                                                                       **WRITE_ERRORS})
@token_required("write")
def unlike_note(note_id: int):
    """Take the like back (no-op if there was none)."""
    note = interactions.unlike_note(api_user(), note_id)
    commit()
    return {"liked": False, "like_count": note.like_count}


@bp.post("/comments/<int:comment_id>/like")
@operation(summary="Like a comment", tags=["interactions"], responses={200: LIKE_STATE,
                                                                        **WRITE_ERRORS})
@token_required("write")
def like_comment(comment_id: int):
    """Like a comment."""
    comment = interactions.like_comment(api_user(), comment_id)
    commit()
    return {"liked": True, "like_count": comment.like_count}


@bp.delete("/comments/<int:comment_id>/like")
@operation(summary="Unlike a comment", tags=["interactions"], responses={200: LIKE_STATE,
                                                                          **WRITE_ERRORS})
@token_required("write")
def unlike_comment(comment_id: int):
    """Take back a comment like."""
    comment = interactions.unlike_comment(api_user(), comment_id)
    commit()
    return {"liked": False, "like_count": comment.like_count}


# Collecting and boards ----------------------------------------------------------------------
@bp.post("/notes/<int:note_id>/collect")
@operation(summary="Collect a note into a board", tags=["interactions"], body_required=False,
           request=COLLECT_REQUEST, responses={200: COLLECT_STATE, **WRITE_ERRORS})
@token_required("write")
def collect_note(note_id: int):
    """Save into `board_id` (one of yours) or your default "Saved" board."""
    board_id = id_field(optional_body().get("board_id"), "board_id")
    board = interactions.collect_note(api_user(), note_id, board_id)
    note = interactions.published_note(note_id)
    commit()
    return {"collected": True, "collect_count": note.collect_count, "board": board_json(board)}


@bp.delete("/notes/<int:note_id>/collect")
@operation(summary="Remove a note from your boards", tags=["interactions"], body_required=False,
           request=COLLECT_REQUEST, responses={200: COLLECT_STATE, **WRITE_ERRORS})
@token_required("write")
def uncollect_note(note_id: int):
    """Remove from `board_id`, or from every one of your boards."""
    board_id = id_field(optional_body().get("board_id"), "board_id")
    note = interactions.uncollect_note(api_user(), note_id, board_id)
    still = note.id in interactions.collected_note_ids(api_user(), [note.id])
    commit()
    return {"collected": still, "collect_count": note.collect_count, "board": None}


@bp.get("/boards")
@operation(summary="Your boards", tags=["interactions"],
           responses={200: list_of(BOARD_SCHEMA), 401: None})
@token_required("read")
def list_boards():
    """All of your boards, private and public, by name (one page)."""
    boards = interactions.boards_of(api_user(), api_user())
    commit()
    return {"items": [board_json(b) for b in boards], "next_cursor": None}


@bp.post("/boards")
@operation(summary="Create a board", tags=["interactions"], request=BOARD_REQUEST,
           idempotent=True, responses={201: BOARD_SCHEMA, 409: None, **WRITE_ERRORS})
@token_required("write")
@idempotent()
def create_board():
    """A named board; private unless `is_private` is false. Names are unique per user."""
    data = json_body()
    is_private = data.get("is_private", True)
    if not isinstance(is_private, bool):
        raise ValidationFailed("is_private must be true or false.",
                               fields={"is_private": ["Must be true or false."]})
    name = data.get("name")
    board = interactions.create_board(api_user(), name if isinstance(name, str) else "",
                                      is_private=is_private)
    commit()
    return board_json(board), 201


@bp.patch("/boards/<int:board_id>")
@operation(summary="Rename a board or change its privacy", tags=["interactions"],
           request=BOARD_REQUEST, responses={200: BOARD_SCHEMA, 409: None, **WRITE_ERRORS})
@token_required("write")
def update_board(board_id: int):
    """Change `name` and/or `is_private`."""
    data = json_body()
    is_private = data.get("is_private")
    if is_private is not None and not isinstance(is_private, bool):
        raise ValidationFailed("is_private must be true or false.",
                               fields={"is_private": ["Must be true or false."]})
    name = data.get("name")
    board = interactions.update_board(api_user(), board_id,
                                      name=name if isinstance(name, str) else None,
                                      is_private=is_private)
    commit()
    return board_json(board)


@bp.delete("/boards/<int:board_id>")
@operation(summary="Delete a board", tags=["interactions"],
           responses={204: None, 401: None, 404: None})
@token_required("write")
def delete_board(board_id: int):
    """Delete one of your boards (the notes stay)."""
    interactions.delete_board(api_user(), board_id)
    commit()
    return "", 204


@bp.get("/boards/<int:board_id>/notes")
@operation(summary="Notes in a board", tags=["interactions"], params=PAGE_PARAMS,
           responses={200: list_of(NOTE_SCHEMA), 400: None, 401: None, 404: None, 422: None})
@token_required("read")
def board_notes(board_id: int):
    """A public board's notes, or your private board's; most recently collected first."""
    board = interactions.visible_board(api_user(), board_id)
    page = feed.board_feed(board, decode_cursor(1), page_limit())
    body = {"items": notes_json(page.notes, api_user()),
            "next_cursor": encode_cursor(page.next_cursor) if page.next_cursor else None}
    commit()
    return body


# Follows ------------------------------------------------------------------------------------
def _follow_state(user_id: int, following: bool) -> dict[str, Any]:
    followers, _ = interactions.follow_counts(user_id)
    return {"following": following, "follower_count": followers}


@bp.post("/users/<int:user_id>/follow")
@operation(summary="Follow a user", tags=["interactions"],
           responses={200: FOLLOW_STATE, **WRITE_ERRORS})
@token_required("write")
def follow_user(user_id: int):
    """Follow (twice changes nothing); following yourself is 422 `cannot_follow_self`."""
    followee = interactions.follow_user(api_user(), user_id)
    body = {**_follow_state(user_id, True), "user": author_json(followee)}
    commit()
    return body


@bp.delete("/users/<int:user_id>/follow")
@operation(summary="Unfollow a user", tags=["interactions"],
           responses={200: FOLLOW_STATE, **WRITE_ERRORS})
@token_required("write")
def unfollow_user(user_id: int):
    """Stop following (no-op when not following)."""
    followee = interactions.unfollow_user(api_user(), user_id)
    body = {**_follow_state(user_id, False), "user": author_json(followee)}
    commit()
    return body


# Reports ------------------------------------------------------------------------------------
@bp.post("/reports")
@operation(summary="Report a note, comment, user or product", tags=["interactions"],
           request=REPORT_REQUEST, idempotent=True,
           responses={201: REPORT_SCHEMA, 409: None, **WRITE_ERRORS})
@token_required("write")
@idempotent()
def create_report():
    """Opens or joins the item's moderation case; the reporter is told the outcome.

    Reporting the same thing twice is 409 `already_reported`.
    """
    data = json_body()
    target_id = id_field(data.get("target_id"), "target_id")
    if target_id is None:
        raise ValidationFailed("target_id is required.",
                               fields={"target_id": ["This field is required."]})
    details = data.get("details") or ""
    entry = moderation.report_content(api_user(), str(data.get("target_type") or ""),
                                      target_id, str(data.get("reason") or ""),
                                      details if isinstance(details, str) else "")
    commit()
    return {"id": entry.id, "target_type": entry.target_type, "target_id": entry.target_id,
            "reason": entry.reason, "details": entry.details, "status": entry.status,
            "created_at": timestamp(entry.created_at)}, 201


# Notifications ------------------------------------------------------------------------------
def notification_json(item: Notification) -> dict[str, Any]:
    """A notification."""
    return {"id": item.id, "kind": item.kind,
            "actor": author_json(item.actor) if item.actor else None,
            "note_id": item.note_id, "note_title": item.note.title if item.note else None,
            "comment_id": item.comment_id, "shipment_id": item.shipment_id,
            "shipment_status": item.shipment_status, "return_id": item.return_request_id,
            "return_status": item.return_status, "event_id": item.event_id,
            "event_stage": item.event_stage, "read": item.read_at is not None,
            "created_at": timestamp(item.created_at)}


@bp.get("/notifications")
@operation(summary="Your notifications", tags=["notifications"], params=PAGE_PARAMS,
           responses={200: NOTIFICATION_LIST, 400: None, 401: None, 422: None})
@token_required("read")
def list_notifications():
    """Newest first, with the unread count."""
    cursor = decode_cursor(1)
    before = cursor[0] if cursor and isinstance(cursor[0], int) else None
    limit = page_limit()
    found = notifications.list_notifications(api_user(), before_id=before, limit=limit)
    page = found[:limit]
    body = {"items": [notification_json(n) for n in page],
            "next_cursor": encode_cursor([page[-1].id]) if len(found) > limit else None,
            "unread_count": notifications.unread_count(api_user())}
    commit()
    return body


@bp.post("/notifications/read")
@operation(summary="Mark notifications read", tags=["notifications"], request=MARK_READ,
           body_required=False, responses={200: COUNTS, 400: None, 401: None, 422: None})
@token_required("write")
def mark_notifications_read():
    """Mark the given `ids` (or all) read; returns how many changed and what is left."""
    ids = optional_body().get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids)):
        raise ValidationFailed("ids must be a list of notification ids.",
                               fields={"ids": ["Send a list of whole numbers."]})
    marked = notifications.mark_read(api_user(), ids)
    body = {"marked": marked, "unread_count": notifications.unread_count(api_user())}
    commit()
    return body
