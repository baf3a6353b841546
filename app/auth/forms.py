"""Forms for signing up, logging in and resetting a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


def strip(value: str | None) -> str | None:
    """Drop the spaces a paste or an autofill leaves around an address."""
    return value.strip() if isinstance(value, str) else value


class SignupForm(FlaskForm):
    """A new account."""

    display_name = StringField(_l("Display name"), validators=[
        DataRequired(_l("Enter the name other people will see.")), Length(max=80)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[
        DataRequired(_l("Enter your e-mail address.")),
        Email(_l("Enter a valid e-mail address, such as name@example.com."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    """Where to send the reset link."""

    email = EmailField(_l("E-mail"), filters=[strip],
                       validators=[DataRequired(_l("Enter your e-mail address."))])


class ResetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords differ."))])
