"""Event pages: the list of events, one event (prompt, leaderboards, entries, winners), and
the join and enter buttons (app.services.social.events).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.extensions import limiter
from app.models import LEADERBOARDS
from app.notes import bp
from app.notes.routes import card_context, viewer
from app.services.errors import DomainError
from app.services.social import event_sponsors, events
from app.web.beacons import beacon
from app.web.times import zone_label

ENTRIES_PAGE_SIZE = 20


@bp.get("/events")
def events_list():
    """Running, upcoming and past events."""
    body = render_template("notes/events.html", listed=events.list_events())
    commit()
    return body


@bp.get("/events/<int:event_id>")
def event_page(event_id: int):
    """One event: its prompt and rules, leaderboards per side and combined, the entries,
    and the winners once it ended.
    """
    event = events.get_event(event_id)
    before = request.args.get("before", type=int)
    found = events.entries(event, before_id=before, limit=ENTRIES_PAGE_SIZE)
    page = found[:ENTRIES_PAGE_SIZE]
    user = viewer()
    body = render_template(
        "notes/event.html", event=event, stage=event.stage(), entries=page,
        next_url=url_for("notes.event_page", event_id=event.id, before=page[-1].id)
        if len(found) > ENTRIES_PAGE_SIZE else None,
        boards={board: events.leaderboard(event, board) for board in LEADERBOARDS},
        winners=events.winners(event), joined=events.is_participant(user, event),
        participants=events.participant_count(event),
        enterable=events.enterable_notes(user, event), zone=zone_label(),
        **card_context([entry.note for entry in page]))
    commit()
    return body


def _act(action, event_id: int, success: str):
    """Run a join or enter, then go back to the event with what happened."""
    try:
        action()
    except DomainError as exc:
        rollback()
        if exc.status == 404 and exc.code == "event_not_found":
            raise
        flash(exc.message, "error")
        return redirect(url_for("notes.event_page", event_id=event_id), code=303)
    commit()
    flash(success, "success")
    return redirect(url_for("notes.event_page", event_id=event_id), code=303)


@bp.post("/events/<int:event_id>/join")
@login_required
def join_event(event_id: int):
    """Join the event (to hear when it starts and ends)."""
    return _act(lambda: events.join_event(current_user, event_id), event_id,
                _("You joined the event."))


@bp.post("/events/<int:event_id>/entries")
@login_required
def enter_event(event_id: int):
    """Enter one of the viewer's notes carrying the event's topic."""
    note_id = request.form.get("note_id", type=int)
    if note_id is None:
        flash(_("Choose one of your published notes."), "error")
        return redirect(url_for("notes.event_page", event_id=event_id), code=303)
    return _act(lambda: events.enter_note(current_user, event_id, note_id), event_id,
                _("Your note is entered."))


@bp.post("/events/<int:event_id>/views")
@beacon
@limiter.limit("60 per minute")
def event_view(event_id: int):
    """Count one view of the event's page, which its sponsor sees (204)."""
    event_sponsors.record_event_view(event_id)
    commit()
    return "", 204
