"""Forms for the profile and security pages."""

from __future__ import annotations

from functools import cache

from babel.dates import get_timezone_location
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.accounts.profiles import MAX_BIO, PROFILE_LANGUAGES
from app.services.accounts.time_zones import time_zone_groups
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


AREA_NAMES = {"Africa": _l("Africa"), "America": _l("Americas"), "Antarctica": _l("Antarctica"),
              "Arctic": _l("Arctic"), "Asia": _l("Asia"), "Atlantic": _l("Atlantic Ocean"),
              "Australia": _l("Australia"), "Europe": _l("Europe"),
              "Indian": _l("Indian Ocean"), "Pacific": _l("Pacific Ocean"),
              "UTC": _l("Coordinated Universal Time")}


@cache
def _zone_labels(locale: str) -> dict[str, str]:
    labels = {}
    for zones in time_zone_groups().values():
        for name in zones:
            try:
                labels[name] = get_timezone_location(name, locale=locale)
            except LookupError:  # a zone newer than Babel's CLDR data
                labels[name] = name
    return labels


def time_zone_choices(locale: str) -> list[SelectChoice]:
    """"Follow this browser", then every zone named in `locale`, grouped by area."""
    labels = _zone_labels(locale)
    choices = [SelectChoice("", str(_l("Follow this browser’s time zone")))]
    for area, zones in time_zone_groups().items():
        group = str(AREA_NAMES[area])
        choices += [SelectChoice(name, labels[name], optgroup=group) for name in zones]
    return choices


class TimeZoneForm(FlaskForm):
    """Where times are shown for: a zone, or whatever the browser says."""

    # The choices come from the service's list; the service also rejects unknown names
    # with its own message, so the field itself does not check membership.
    time_zone = SelectField(_l("Time zone"), validate_choice=False)


class TranslationSettingsForm(FlaskForm):
    """Whether text in other languages shows translated without a tap."""

    always_translate = BooleanField(_l("Always translate posts, comments and bios written "
                                       "in another language"))


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
