"""Forms for the profile and security pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.accounts.profiles import MAX_BIO, PROFILE_LANGUAGES
from app.web.forms import select_choices


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    """What other people see about you."""

    display_name = StringField(_l("Display name"), validators=[
        DataRequired(_l("Enter the name other people will see.")), Length(max=80)])
    bio = TextAreaField(_l("Bio"), validators=[Optional(), Length(max=MAX_BIO)])
    home_country = SelectField(_l("Home country"), validators=[Optional()])
    languages = CheckboxListField(_l("Languages you read"),
                                  choices=select_choices(PROFILE_LANGUAGES.items()))
    avatar = FileField(_l("Avatar"), validators=[
        FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Upload a JPEG, PNG or WebP image."))])


class ChangePasswordForm(FlaskForm):
    """Current password plus the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password."))])
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a password."))])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", _l("The two passwords differ."))])


class ChangeEmailForm(FlaskForm):
    """The new address, confirmed with the password."""

    email = EmailField(_l("New e-mail address"), validators=[
        DataRequired(_l("Enter the new address."))])
    password = PasswordField(_l("Your password"), validators=[
        DataRequired(_l("Enter your password."))])
