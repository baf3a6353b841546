"""Forms of the admin area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional


class GrantRoleForm(FlaskForm):
    """Give a platform role; moderators are scoped to markets and languages."""

    role = SelectField(_l("Role"), choices=[("moderator", _l("Moderator")),
                                            ("admin", _l("Admin"))])
    markets = StringField(_l("Markets (moderators)"), validators=[Optional(), Length(max=500)],
                          description=_l("ISO country codes separated by commas, such as "
                                         "CN, US, GB. Empty: every market."))
    languages = StringField(_l("Languages (moderators)"),
                            validators=[Optional(), Length(max=500)],
                            description=_l("ISO language codes separated by commas, such as "
                                           "zh, en. Empty: every language."))
