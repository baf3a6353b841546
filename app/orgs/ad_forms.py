"""Forms of the brand portal's guaranteed placements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField
from wtforms.validators import DataRequired

from app.web.forms import country_choices


class HoldPlacementForm(FlaskForm):
    """Hold a slot for one of the brand's campaigns for a run of days."""

    slot = HiddenField()
    campaign_id = SelectField(_l("Campaign"), coerce=int, validate_choice=False,
                              validators=[DataRequired(_l("Choose a campaign."))])
    country = SelectField(_l("Country"), validate_choice=False,
                          validators=[DataRequired(_l("Choose a country."))])
    start = DateField(_l("First day"), validators=[DataRequired(_l("Give the first day."))])
    end = DateField(_l("Last day"), validators=[DataRequired(_l("Give the last day."))])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class BookingActionForm(FlaskForm):
    """Pay or cancel a booking (CSRF only)."""
