"""The author's side of moderation: a decision about their content, and their one appeal."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback_and_keep
from app.notes import bp
from app.notes.forms import AppealForm
from app.services import moderation
from app.services.errors import DomainError
from app.web.forms import show_errors_on_form


def _decision_page(case_id: int, form: AppealForm | None = None, status: int = 200):
    case = moderation.own_case(current_user, case_id)
    return render_template(
        "notes/moderation_decision.html", case=case,
        decision=moderation.latest_decision(case),
        legal=moderation.legal_requests_for(case.target_type, case.target_id),
        form=form or AppealForm()), status


@bp.get("/moderation/decisions/<int:case_id>")
@login_required
def moderation_decision(case_id: int):
    """What was decided about the author's item, why (in their language), where; appeal."""
    return _decision_page(case_id)


@bp.post("/moderation/decisions/<int:case_id>/appeal")
@login_required
def moderation_appeal(case_id: int):
    """Appeal the decision, once; another moderator decides, finally."""
    form = AppealForm()
    if not form.validate_on_submit():
        return _decision_page(case_id, form, 422)
    try:
        moderation.appeal_decision(current_user, case_id, form.statement.data or "")
    except DomainError as exc:
        rollback_and_keep(exc)
        if exc.status == 404:
            raise
        show_errors_on_form(form, exc)
        return _decision_page(case_id, form, exc.status)
    commit()
    flash(_("Your appeal is in. Another moderator will review the decision."), "success")
    return redirect(url_for("notes.moderation_decision", case_id=case_id), code=303)
