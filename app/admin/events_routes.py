"""The community team's events: list, create and edit (app.services.social.events)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.event_forms import EventForm
from app.core.transaction import commit
from app.models import Event
from app.services.errors import DomainError
from app.services.social import events
from app.web.forms import reject_form
from app.web.times import to_viewer_clock, zone_label


def _form(event: Event | None = None) -> EventForm:
    form = EventForm(obj=None) if event is None else EventForm(data={
        "title_en": event.title_en, "title_zh": event.title_zh, "prompt_en": event.prompt_en,
        "prompt_zh": event.prompt_zh, "topic": f"#{event.topic.name}", "rules": event.rules,
        "prizes": event.prizes, "sponsor_id": event.sponsor_id or 0,
        "starts_at": to_viewer_clock(event.starts_at), "ends_at": to_viewer_clock(event.ends_at)})
    form.sponsor_id.choices = [(0, _("No sponsor"))] + [
        (brand.id, brand.name) for brand in events.sponsor_brands()]
    return form


def _render(form: EventForm, event: Event | None, status: int = 200):
    return render_template("admin/event_form.html", form=form, event=event,
                           zone=zone_label()), status


@bp.get("/events")
def events_admin():
    """Every event, running and upcoming first, with links to edit."""
    listed = events.list_events(past_limit=50)
    body = render_template("admin/events.html", listed=listed)
    commit()
    return body


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    """Create an event (times on the viewer's clock)."""
    form = _form()
    if not form.validate_on_submit():
        return _render(form, None, 422 if form.is_submitted() else 200)
    try:
        event = events.create_event(current_user, form.as_input())
    except DomainError as exc:
        reject_form(form, exc)
        return _render(form, None, exc.status)
    commit()
    flash(_("Event saved."), "success")
    return redirect(url_for("notes.event_page", event_id=event.id), code=303)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id: int):
    """Edit an event until it closes."""
    event = events.get_event(event_id)
    form = _form(event)  # a POST's own values win over the stored ones
    if not form.validate_on_submit():
        return _render(form, event, 422 if form.is_submitted() else 200)
    try:
        events.update_event(current_user, event_id, form.as_input())
    except DomainError as exc:
        reject_form(form, exc)
        return _render(form, events.get_event(event_id), exc.status)
    commit()
    flash(_("Event saved."), "success")
    return redirect(url_for("notes.event_page", event_id=event_id), code=303)
