"""Profile and security settings of the signed-in user."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.account import bp
from app.account.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ProfileForm,
    TimeZoneForm,
    TranslationSettingsForm,
    time_zone_choices,
)
from app.core.transaction import commit, rollback
from app.services.accounts import users as accounts
from app.services.accounts.preferences import set_always_translate
from app.services.accounts.profiles import update_profile
from app.services.accounts.time_zones import set_time_zone
from app.services.errors import DomainError
from app.services.regions import country_names
from app.services.signed_links import InvalidLink
from app.services.social import translation
from app.web.forms import reject_form, select_choices
from app.web.links import site_links
from app.web.viewer import browser_time_zone


def _profile_form(**kwargs) -> ProfileForm:
    form = ProfileForm(obj=current_user, **kwargs)
    form.home_country.choices = select_choices(
        [("", "—"), *country_names(str(get_locale())).items()])
    return form


def _time_zone_form(**kwargs) -> TimeZoneForm:
    form = TimeZoneForm(data={"time_zone": current_user.time_zone or ""},
                        **kwargs)
    form.time_zone.choices = time_zone_choices(str(get_locale()))
    return form


def _render_profile(form: ProfileForm, zone_form: TimeZoneForm, status: int = 200):
    translation_form = TranslationSettingsForm(
        formdata=None, data={"always_translate": current_user.always_translate})
    return render_template("account/profile.html", form=form, zone_form=zone_form,
                           translation_form=translation_form,
                           translation_available=translation.translation_enabled(),
                           browser_zone=browser_time_zone()), status


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit display name, avatar, bio, home country and languages."""
    form = _profile_form()
    zone_form = _time_zone_form(formdata=None)
    if form.validate_on_submit():
        upload = form.avatar.data
        try:
            update_profile(
                current_user,
                display_name=form.display_name.data,
                bio=form.bio.data or "",
                home_country=form.home_country.data or None,
                languages=form.languages.data or [],
                avatar=upload.read() if upload else None,
            )
        except DomainError as exc:
            reject_form(form, exc)
            return _render_profile(form, zone_form, 422)
        commit()
        flash(_("Profile saved."), "success")
        return redirect(url_for("account.profile"))
    return _render_profile(form, zone_form, 422 if form.is_submitted() else 200)


@bp.post("/time-zone")
@login_required
def time_zone():
    """Choose the zone times are shown in, or go back to the browser's."""
    zone_form = _time_zone_form()
    if zone_form.validate_on_submit():
        try:
            set_time_zone(current_user, zone_form.time_zone.data)
        except DomainError as exc:
            reject_form(zone_form, exc)
        else:
            commit()
            flash(_("Time zone saved."), "success")
            return redirect(url_for("account.profile"))
    return _render_profile(_profile_form(formdata=None), zone_form, 422)


@bp.post("/translation")
@login_required
def translation_settings():
    """Turn "always translate" on or off."""
    form = TranslationSettingsForm()
    if not form.validate_on_submit():
        return _render_profile(_profile_form(formdata=None), _time_zone_form(formdata=None), 400)
    set_always_translate(current_user, form.always_translate.data)
    commit()
    flash(_("Translation setting saved."), "success")
    return redirect(url_for("account.profile") + "#translation")


@bp.get("/security")
@login_required
def security():
    """Change password or e-mail address."""
    password_form = ChangePasswordForm(prefix="pw")
    email_form = ChangeEmailForm(prefix="em")
    return render_template("account/security.html", password_form=password_form,
                           email_form=email_form)


@bp.post("/security/password")
@login_required
def change_password():
    """Change the password; every other session ends."""
    password_form = ChangePasswordForm(prefix="pw")
    email_form = ChangeEmailForm(prefix="em", formdata=None)
    if password_form.validate_on_submit():
        try:
            accounts.change_password(current_user, password_form.current_password.data,
                                     password_form.password.data)
        except DomainError as exc:
            reject_form(password_form, exc)
        else:
            commit()
            logout_user()
            flash(_("Password changed. Every session has ended; log in with the new password."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("account/security.html", password_form=password_form,
                           email_form=email_form), 422


@bp.post("/security/email")
@login_required
def change_email():
    """Start an e-mail change: a confirmation link goes to the new address."""
    password_form = ChangePasswordForm(prefix="pw", formdata=None)
    email_form = ChangeEmailForm(prefix="em")
    if email_form.validate_on_submit():
        try:
            new_email = accounts.request_email_change(current_user, email_form.email.data,
                                                      email_form.password.data,
                                                      links=site_links)
        except DomainError as exc:
            reject_form(email_form, exc)
        else:
            commit()
            flash(_("We sent a confirmation link to %(email)s. Your address changes when you "
                    "open it.", email=new_email), "info")
            return redirect(url_for("account.security"))
    return render_template("account/security.html", password_form=password_form,
                           email_form=email_form), 422


@bp.get("/email/confirm/<token>")
def confirm_email_change(token: str):
    """Apply an e-mail change from the link sent to the new address."""
    try:
        user = accounts.confirm_email_change(token)
    except (InvalidLink, DomainError) as exc:
        rollback()
        return render_template("auth/link_problem.html", message=exc.message,
                               kind="email_change"), exc.status
    commit()
    flash(_("Your e-mail address is now %(email)s.", email=user.email), "success")
    return redirect(url_for("account.profile") if current_user.is_authenticated
                    else url_for("auth.login"))
