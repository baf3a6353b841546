"""Personal access tokens in the web UI: create (secret shown once), list, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional

from app.account import bp
from app.account.forms import CheckboxListField
from app.core.transaction import commit
from app.models import TOKEN_SCOPES
from app.services.accounts import api_tokens
from app.services.errors import DomainError
from app.web.forms import reject_form


class TokenForm(FlaskForm):
    """A new personal access token."""

    name = StringField(_l("Name"), validators=[DataRequired(_l("Name the token."))])
    scopes = CheckboxListField(_l("Scopes"), choices=[SelectChoice(s, s) for s in TOKEN_SCOPES],
                               default=["read"])
    expires_in_days = IntegerField(_l("Expires after (days, empty for never)"),
                                   validators=[Optional(), NumberRange(1, 366)])


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List tokens and create a new one; its secret is shown on this response only."""
    form = TokenForm()
    created_secret = None
    status = 200
    if form.validate_on_submit():
        try:
            _token, created_secret = api_tokens.create_personal_token(
                current_user, form.name.data, form.scopes.data or [], form.expires_in_days.data)
        except DomainError as exc:
            reject_form(form, exc)
            status = 422
        else:
            commit()
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 422
    return render_template("account/tokens.html", form=form, created_secret=created_secret,
                           tokens=api_tokens.list_tokens(current_user)), status


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of your tokens."""
    token = api_tokens.revoke_token(current_user, token_id)
    commit()
    flash(_("Token %(name)s revoked.", name=token.name), "success")
    return redirect(url_for("account.tokens"))
