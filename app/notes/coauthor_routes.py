"""Co-created notes: invite a co-author, answer, write one's part, agree, leave (HTML)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.notes import bp
from app.notes.forms import ActionForm, CoauthorInviteForm, ContributionForm
from app.services.errors import DomainError
from app.services.social import coauthoring, notes
from app.web.forms import reject_form


def _back_to(note_id: int):
    return redirect(url_for("notes.show", note_id=note_id) + "#coauthor", code=303)


def _refused(note_id: int, error: DomainError):
    rollback()
    flash(error.message, "error")
    return _back_to(note_id)


@bp.post("/notes/<int:note_id>/coauthor/invite")
@login_required
def invite_coauthor(note_id: int):
    """The author invites a creator, by @handle, to co-author their draft."""
    form = CoauthorInviteForm()
    if not form.validate_on_submit():
        flash(next(iter(form.handle.errors), _("Enter the @handle of the creator to invite.")),
              "error")
        return _back_to(note_id)
    creator = coauthoring.find_creator(form.handle.data)
    try:
        link = coauthoring.invite_coauthor(current_user, note_id,
                                           creator.id if creator else None)
    except DomainError as exc:
        return _refused(note_id, exc)
    name = link.coauthor.display_name
    commit()
    flash(_("Invitation sent to %(name)s.", name=name), "success")
    return _back_to(note_id)


@bp.post("/notes/<int:note_id>/coauthor/<any(accept, decline):answer>")
@login_required
def answer_coauthor_invitation(note_id: int, answer: str):
    """The invited creator accepts or declines."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        coauthoring.respond_to_invitation(current_user, note_id, accept=answer == "accept")
    except DomainError as exc:
        return _refused(note_id, exc)
    commit()
    if answer == "decline":
        flash(_("Invitation declined."), "success")
        return redirect(url_for("notes.notification_list"), code=303)
    flash(_("You are a co-author now: add your images and text in your language."), "success")
    return redirect(url_for("notes.coauthor_contribution", note_id=note_id), code=303)


@bp.post("/notes/<int:note_id>/coauthor/agree")
@login_required
def agree_to_publish(note_id: int):
    """The author or the co-author agrees to publish the draft as it is."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        link = coauthoring.agree_to_publish(current_user, note_id)
    except DomainError as exc:
        return _refused(note_id, exc)
    published = link.note.status == "published"
    commit()
    flash(_("Both of you agreed: the note is live.") if published
          else _("Your agreement is recorded; the note goes live when the other author "
                 "agrees too."), "success")
    return _back_to(note_id)


@bp.post("/notes/<int:note_id>/coauthor/leave")
@login_required
def leave_coauthored_note(note_id: int):
    """The co-author removes themselves, or the author withdraws the invitation."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        link = coauthoring.leave_note(current_user, note_id)
    except DomainError as exc:
        return _refused(note_id, exc)
    by_author = link.status == "withdrawn"
    published = link.note.status == "published"
    commit()
    if by_author:
        flash(_("Invitation withdrawn: the draft is yours alone again."), "success")
        return _back_to(note_id)
    flash(_("You are no longer credited on this note."), "success")
    if published:
        return _back_to(note_id)
    return redirect(url_for("notes.profile", user_id=current_user.id), code=303)


@bp.route("/notes/<int:note_id>/coauthor/contribution", methods=["GET", "POST"])
@login_required
def coauthor_contribution(note_id: int):
    """The co-author's part: their own title, text and images, in their language."""
    link = coauthoring.get_coauthorship(current_user, note_id)
    if link.coauthor_id != current_user.id or link.status != "accepted":
        return _back_to(note_id)
    form = ContributionForm(obj=link)
    if form.validate_on_submit():
        files = [f for f in (form.images.data or []) if f and getattr(f, "filename", "")]
        uploads = [notes.ImageUpload(data=f.read(), filename=f.filename) for f in files]
        try:
            coauthoring.update_contribution(current_user, note_id, title=form.title.data or "",
                                            body=form.body.data or "",
                                            images=uploads or None)
        except DomainError as exc:
            reject_form(form, exc)
            return render_template("notes/coauthor_contribution.html", form=form,
                                   link=coauthoring.get_coauthorship(current_user, note_id)), 422
        commit()
        flash(_("Your part is saved. Agree to publish when you are happy with the note."),
              "success")
        return _back_to(note_id)
    status = 422 if form.is_submitted() else 200
    return render_template("notes/coauthor_contribution.html", form=form, link=link), status
