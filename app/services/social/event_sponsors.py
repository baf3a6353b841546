"""What a sponsoring brand gets from an event: its name on the event page, and in its
portal the events it sponsors with their participants, entries and page views.

Views are counted by the event page itself (a beacon after it loads, since GET requests
write nothing), one conditional `+ 1` per page load.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Event, EventEntry, EventParticipant, Note, User
from app.services.errors import NotFound
from app.services.permissions import require_membership


@dataclass(frozen=True)
class SponsoredEvent:
    """One event a brand sponsors, with how far it reached."""

    event: Event
    participants: int
    entries: int
    views: int


def record_event_view(event_id: int) -> None:
    """Count one view of the event's page; an unknown event: NotFound."""
    counted = db.session.execute(
        update(Event).where(Event.id == event_id).values(view_count=Event.view_count + 1),
        execution_options={"synchronize_session": False})
    if not counted.rowcount:
        raise NotFound(_("No such event."), code="event_not_found")


def sponsored_events(actor: User, organization_id: int, *, limit: int = 100
                     ) -> list[SponsoredEvent]:
    """The events the brand sponsors, latest start first (its staff only; others 404),
    with participants, shown entries and page views. Four statements.
    """
    require_membership(actor, organization_id, kind="brand")
    events = list(db.session.scalars(
        select(Event).options(selectinload(Event.topic))
        .where(Event.sponsor_id == organization_id)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)))
    ids = [event.id for event in events]
    joined = dict(db.session.execute(
        select(EventParticipant.event_id, func.count()).where(EventParticipant.event_id.in_(ids))
        .group_by(EventParticipant.event_id)).all()) if ids else {}
    entered = dict(db.session.execute(
        select(EventEntry.event_id, func.count()).join(Note, Note.id == EventEntry.note_id)
        .where(EventEntry.event_id.in_(ids), Note.shown_clause())
        .group_by(EventEntry.event_id)).all()) if ids else {}
    return [SponsoredEvent(event=event, participants=joined.get(event.id, 0),
                           entries=entered.get(event.id, 0), views=event.view_count)
            for event in events]
