"""The age gate's confirmation: "I am 18 or older", kept on the account or, for a guest, in
the session, then back to the note.
"""

from __future__ import annotations

from flask import abort, redirect, session
from flask_login import current_user

from app.core.transaction import commit
from app.models import utcnow
from app.notes import bp
from app.notes.forms import ActionForm
from app.services.social.age_gate import ADULT_SESSION_KEY, confirm_adult
from app.web.forms import safe_next_url


@bp.post("/age-confirmation")
def confirm_age():
    """Confirm being 18 or older, then go on to the page that asked."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        confirmed = confirm_adult(current_user)
        commit()
    else:
        confirmed = utcnow()
    session[ADULT_SESSION_KEY] = confirmed.date().isoformat()
    return redirect(safe_next_url(form.next.data), code=303)
