"""Forms of the brand portal. They parse; the ads services validate and name each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.services.regions import SUPPORTED_CURRENCIES

OBJECTIVE_CHOICES = [
    SelectChoice("awareness", _l("Awareness — pay per 1,000 impressions (CPM)")),
    SelectChoice("traffic", _l("Traffic — pay per click (CPC)")),
    SelectChoice("sales", _l("Sales — pay per click (CPC)")),
]
AUDIENCE_CHOICES = [
    SelectChoice("all", _l("Everyone")),
    SelectChoice("new", _l("New shoppers (no order yet)")),
    SelectChoice("returning", _l("Returning shoppers")),
    SelectChoice("engaged", _l("Shoppers who engaged with our notes")),
]
PACING_CHOICES = [SelectChoice("even", _l("Even — spread over the flight")),
                  SelectChoice("asap", _l("As fast as possible"))]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class OpenAccountForm(FlaskForm):
    """Open the brand's ad account: billing currency (fixed) and time zone."""

    currency = SelectField(_l("Billing currency"),
                           choices=[SelectChoice(c, c) for c in SUPPORTED_CURRENCIES])
    time_zone = StringField(_l("Time zone for flight dates"),
                            validators=[DataRequired(), Length(max=64)])


class TopUpForm(FlaskForm):
    """Add money to the balance by card."""

    amount = StringField(_l("Amount"), validators=[DataRequired(_l("Enter an amount."))])


class CampaignForm(FlaskForm):
    """Create or edit a draft campaign; date-times are in the brand's time zone."""

    name = StringField(_l("Campaign name"), validators=[DataRequired(), Length(max=120)])
    objective = SelectField(_l("Objective"), choices=OBJECTIVE_CHOICES)
    bid = StringField(_l("Bid"), validators=[DataRequired(_l("Enter a bid."))])
    budget = StringField(_l("Total budget"), validators=[DataRequired(_l("Enter a budget."))])
    daily_cap = StringField(_l("Daily cap (optional)"))
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Choose when it starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Choose when it ends."))])
    pacing = SelectField(_l("Pacing"), choices=PACING_CHOICES)
    frequency_cap_per_day = IntegerField(_l("Times one person sees it per day (optional)"),
                                         validators=[Optional(), NumberRange(min=1, max=100)])
    countries = StringField(_l("Destination countries"))
    languages = StringField(_l("App languages"))
    topics = StringField(_l("Topics"))
    audience = SelectField(_l("Audience"), choices=AUDIENCE_CHOICES)
    note_ids = MultiCheckboxField(_l("Notes to promote"), coerce=int, validate_choice=False)

    def as_input(self) -> dict:
        """What the campaign service reads."""
        return {
            "name": self.name.data, "objective": self.objective.data, "bid": self.bid.data,
            "budget": self.budget.data, "daily_cap": self.daily_cap.data or None,
            "starts_at": self.starts_at.data, "ends_at": self.ends_at.data,
            "pacing": self.pacing.data, "audience": self.audience.data,
            "frequency_cap_per_day": self.frequency_cap_per_day.data,
            "note_ids": list(self.note_ids.data or []),
            "targeting": {"countries": self.countries.data or "",
                          "languages": self.languages.data or "",
                          "topics": self.topics.data or ""},
        }


class PartnershipForm(FlaskForm):
    """A brief and a fee for one creator (found by their e-mail address)."""

    creator = StringField(_l("Creator's e-mail address"),
                          validators=[DataRequired(_l("Say which creator."))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    brief = TextAreaField(_l("Brief"), validators=[DataRequired(), Length(max=5000)])
    fee = StringField(_l("Fee"), validators=[DataRequired(_l("Enter the fee."))])
