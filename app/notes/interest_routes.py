"""A personal Discover's own buttons: "not interested" on a card (and undo), and the topics a
new person picks after signing up.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.notes import bp
from app.notes.forms import ActionForm, TopicPickForm
from app.services.errors import DomainError
from app.services.social import interests
from app.web.forms import reject_form, safe_next_url


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _change_dismissal(change, note_id: int, done_message: str, *, say_it: bool):
    """Dismiss or bring back a note: JSON for the card's script, a redirect otherwise."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        change(current_user, note_id)
    except DomainError as exc:
        rollback()
        if _wants_json():
            return {"error": {"code": exc.code, "message": exc.message}}, exc.status
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("main.index"), code=303)
    commit()
    if _wants_json():
        return {"note_id": note_id, "message": done_message}
    if say_it:
        flash(done_message, "success")
    return None


@bp.post("/notes/<int:note_id>/not-interested")
@login_required
def not_interested(note_id: int):
    """Hide a note from the viewer's Discover and show fewer like it (its creator, topics)."""
    answer = _change_dismissal(interests.dismiss_note, note_id,
                               _("Hidden. You will see fewer notes like this."), say_it=False)
    # Without the card's script: back to Discover, which says so and offers to undo.
    return answer or redirect(url_for("main.index", dismissed=note_id), code=303)


@bp.post("/notes/<int:note_id>/not-interested/undo")
@login_required
def undo_not_interested(note_id: int):
    """Take "not interested" back: the note returns, its creator and topics their weight."""
    answer = _change_dismissal(interests.undo_dismissal, note_id,
                               _("Undone. The note is back in your feed."), say_it=True)
    return answer or redirect(safe_next_url(request.form.get("next")), code=303)


@bp.route("/welcome/topics", methods=["GET", "POST"])
@login_required
def pick_topics():
    """After signing up: pick a few topics to start Discover with (or skip)."""
    form = TopicPickForm()
    choices = interests.topic_choices()
    if request.method == "GET":
        form.topics.data = [str(i) for i in sorted(interests.picked_topic_ids(current_user))]
    if form.validate_on_submit():
        # Anything that is not a topic id becomes one that cannot exist (the service says so).
        chosen = [int(v) if v.isdigit() and len(v) < 10 else 0 for v in form.topics.data or []]
        try:
            interests.pick_topics(current_user, chosen)
        except DomainError as exc:
            reject_form(form, exc)
        else:
            commit()
            flash(_("Your Discover now starts from the topics you picked."), "success")
            return redirect(url_for("main.index"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("notes/pick_topics.html", form=form, topics=choices), status
