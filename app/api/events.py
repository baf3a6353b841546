"""Events API: list events, read one with its leaderboards and winners, read its entries,
join it and enter a note (app.services.social.events).
"""

from __future__ import annotations

from typing import Any

from app.api import bp
from app.api.core import PAGE_PARAMS, api_user, json_body, page_limit, token_required
from app.api.fields import id_field
from app.api.notes import AUTHOR_SCHEMA, NOTE_SCHEMA, author_json, notes_json, optional_viewer
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import LEADERBOARDS, Event, EventEntry
from app.services.errors import ValidationFailed
from app.services.social import events
from app.web.cursors import decode_cursor, encode_cursor

EVENT_SCHEMA = schema("Event", {
    "type": "object",
    "required": ["id", "title", "prompt", "topic", "stage", "starts_at", "ends_at", "rules",
                 "prizes", "sponsor"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "object", "required": ["en", "zh"],
                  "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}},
        "prompt": {"type": "object", "required": ["en", "zh"],
                   "properties": {"en": {"type": "string"}, "zh": {"type": "string"}}},
        "topic": {"type": "string", "description": "Entries must carry #topic."},
        "stage": {"type": "string", "enum": ["upcoming", "running", "ended"]},
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "rules": {"type": "string"},
        "prizes": {"type": "string"},
        "sponsor": {"type": ["object", "null"], "description": "The sponsoring brand.",
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
    },
})
STANDING_SCHEMA = schema("EventStanding", {
    "type": "object", "required": ["rank", "score", "note_id", "note_title", "side", "author"],
    "properties": {"rank": {"type": "integer"},
                   "score": {"type": "integer", "description": "Likes plus collects."},
                   "note_id": {"type": "integer"}, "note_title": {"type": "string"},
                   "side": {"type": "string", "enum": ["china", "abroad"]},
                   "author": AUTHOR_SCHEMA},
})
BOARDS = {"type": "object", "required": list(LEADERBOARDS),
          "properties": {board: {"type": "array", "items": STANDING_SCHEMA}
                         for board in LEADERBOARDS}}
EVENT_DETAIL = schema("EventDetail", {
    "allOf": [EVENT_SCHEMA, {
        "type": "object",
        "required": ["participant_count", "joined", "leaderboards", "winners"],
        "properties": {
            "participant_count": {"type": "integer"},
            "joined": {"type": "boolean", "description": "Whether the token's user joined."},
            "leaderboards": {**BOARDS, "description": "Top 10 of each: live while the "
                                                      "event runs, final once it closed."},
            "winners": {"oneOf": [BOARDS, {"type": "null"}],
                        "description": "The podium of each leaderboard once the event "
                                       "closed; null before."},
        }}],
})
PARTICIPATION = schema("EventParticipation", {
    "type": "object", "required": ["joined", "participant_count"],
    "properties": {"joined": {"type": "boolean"}, "participant_count": {"type": "integer"}},
})
ENTRY_REQUEST = schema("EventEntryRequest", {
    "type": "object", "required": ["note_id"],
    "properties": {"note_id": {"type": "integer", "description": "One of your published "
                                                                 "notes carrying the topic."}},
})
ENTRY_SCHEMA = schema("EventEntry", {
    "type": "object", "required": ["id", "event_id", "note_id", "side", "created_at"],
    "properties": {"id": {"type": "integer"}, "event_id": {"type": "integer"},
                   "note_id": {"type": "integer"},
                   "side": {"type": "string", "enum": ["china", "abroad"]},
                   "created_at": {"type": "string", "format": "date-time"}},
})


def event_json(event: Event) -> dict[str, Any]:
    """An event in both languages."""
    return {"id": event.id, "title": {"en": event.title_en, "zh": event.title_zh},
            "prompt": {"en": event.prompt_en, "zh": event.prompt_zh},
            "topic": event.topic.name, "stage": event.stage(),
            "starts_at": timestamp(event.starts_at), "ends_at": timestamp(event.ends_at),
            "rules": event.rules, "prizes": event.prizes,
            "sponsor": {"id": event.sponsor.id, "name": event.sponsor.name}
            if event.sponsor else None}


def _standings(rows: list[events.Standing]) -> list[dict[str, Any]]:
    return [{"rank": s.rank, "score": s.score, "note_id": s.entry.note_id,
             "note_title": s.entry.note.title, "side": s.entry.side,
             "author": author_json(s.entry.note.author)} for s in rows]


def _entry_json(entry: EventEntry) -> dict[str, Any]:
    return {"id": entry.id, "event_id": entry.event_id, "note_id": entry.note_id,
            "side": entry.side, "created_at": timestamp(entry.created_at)}


@bp.get("/events")
@operation(summary="Events and challenges", tags=["events"], auth=False,
           responses={200: list_of(EVENT_SCHEMA)})
def list_events():
    """Running events (ending soonest first), then upcoming, then the latest 20 past."""
    listed = events.list_events()
    body = {"items": [event_json(e) for e in
                      listed["running"] + listed["upcoming"] + listed["past"]],
            "next_cursor": None}
    commit()
    return body


@bp.get("/events/<int:event_id>")
@operation(summary="One event with its leaderboards", tags=["events"], auth=False,
           responses={200: EVENT_DETAIL, 401: None, 404: None})
def get_event(event_id: int):
    """The event, its leaderboards (combined, from China, from abroad) and its winners."""
    viewer = optional_viewer()
    event = events.get_event(event_id)
    winners = events.winners(event)
    body = {**event_json(event), "participant_count": events.participant_count(event),
            "joined": events.is_participant(viewer, event),
            "leaderboards": {board: _standings(events.leaderboard(event, board))
                             for board in LEADERBOARDS},
            "winners": {board: _standings(rows) for board, rows in winners.items()}
            if winners else None}
    commit()
    return body


@bp.get("/events/<int:event_id>/entries")
@operation(summary="An event's entries", tags=["events"], auth=False, params=PAGE_PARAMS,
           responses={200: list_of(NOTE_SCHEMA), 400: None, 401: None, 404: None,
                      422: None})
def event_entries(event_id: int):
    """The entered notes, newest entry first."""
    viewer = optional_viewer()
    event = events.get_event(event_id)
    position = decode_cursor(1)
    if position is not None and (not isinstance(position[0], int)
                                 or isinstance(position[0], bool)):
        raise ValidationFailed("The cursor is not valid; start again without it.",
                               code="invalid_cursor",
                               fields={"cursor": ["Start again without a cursor."]})
    limit = page_limit()
    found = events.entries(event, before_id=position[0] if position else None, limit=limit)
    page = found[:limit]
    body = {"items": notes_json([e.note for e in page], viewer),
            "next_cursor": encode_cursor([page[-1].id]) if len(found) > limit else None}
    commit()
    return body


@bp.post("/events/<int:event_id>/join")
@operation(summary="Join an event", tags=["events"], body_required=False,
           responses={200: PARTICIPATION, 401: None, 403: None, 404: None, 409: None})
@token_required("write")
def join_event(event_id: int):
    """Join an upcoming or running event (joining twice changes nothing). An ended event
    answers 409 `event_ended`.
    """
    events.join_event(api_user(), event_id)
    event = events.get_event(event_id)
    commit()
    return {"joined": True, "participant_count": events.participant_count(event)}


@bp.post("/events/<int:event_id>/entries")
@operation(summary="Enter a note into an event", tags=["events"], request=ENTRY_REQUEST,
           responses={201: ENTRY_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None})
@token_required("write")
def enter_event(event_id: int):
    """Enter one of your published notes into a running event (you join it too). The note
    must carry the event's topic (422 `event_topic_missing`); an ended event answers 409
    `event_ended`, an upcoming one 409 `event_not_started`.
    """
    note_id = id_field(json_body().get("note_id"), "note_id")
    if note_id is None:
        raise ValidationFailed("note_id is required.", fields={"note_id": ["Send a note id."]})
    entry = events.enter_note(api_user(), event_id, note_id)
    commit()
    return _entry_json(entry), 201
