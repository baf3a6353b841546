"""Forms of the moderation pages: queue filters, decisions, legal requests."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.services.moderation import (
    ACTION_LABELS,
    DECISION_REASON_LABELS,
    REASON_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
)
from app.web.forms import select_choices


def _reason_choices():
    return select_choices([("", "—"), *REASON_LABELS.items()])


class QueueFilterForm(FlaskForm):
    """Filters of the queue (a GET form: no CSRF token)."""

    class Meta:
        """Filters only read; there is nothing to forge."""

        csrf = False

    status = SelectField(_l("Status"), choices=select_choices([
        ("pending", _l("Needs a decision")), *STATUS_LABELS.items(), ("all", _l("All"))]),
        default="pending")
    market = StringField(_l("Market"), validators=[Optional(), Length(max=2)])
    language = StringField(_l("Language"), validators=[Optional(), Length(max=8)])
    kind = SelectField(_l("Source"), choices=select_choices([
        ("", _l("Any")), ("reported", _l("Reported by users")),
        ("screened", _l("Found by screening"))]), default="")
    target_type = SelectField(_l("Item"), choices=select_choices([
        ("", _l("Any")), *TARGET_LABELS.items()]), default="")
    reason = SelectField(_l("Reason"), choices=_reason_choices(), default="")
    min_severity = SelectField(_l("Severity at least"), choices=select_choices([
        ("", _l("Any")), *[(str(k), v) for k, v in SEVERITY_LABELS.items() if k]]),
        default="")
    older_than_hours = IntegerField(_l("Waiting longer than (hours)"),
                                    validators=[Optional(), NumberRange(min=1, max=10000)])


class DecisionForm(FlaskForm):
    """A moderator's decision on one item (or, with `case_ids`, several)."""

    action = SelectField(_l("Decision"), choices=select_choices(ACTION_LABELS.items()),
                         validators=[DataRequired()])
    reason_code = SelectField(_l("Reason"),
                              choices=select_choices(DECISION_REASON_LABELS.items()),
                              validators=[DataRequired()])
    markets = StringField(_l("Markets (for restrict)"), validators=[Optional(), Length(max=200)],
                          description=_l("Country codes separated by commas, such as CN, GB: "
                                         "the item is not shown there."))
    note = TextAreaField(_l("Note for the log (optional)"),
                         validators=[Optional(), Length(max=2000)])


class ClaimForm(FlaskForm):
    """Claim or release an item (the CSRF token is the whole form)."""


class LegalRequestForm(FlaskForm):
    """A takedown order from a jurisdiction."""

    target_type = SelectField(_l("Item"), choices=select_choices(
        [(k, v) for k, v in TARGET_LABELS.items() if k != "campaign"]),
        validators=[DataRequired()])
    target_id = IntegerField(_l("Item number"), validators=[
        DataRequired(_l("Enter the item's number.")), NumberRange(min=1)])
    country = StringField(_l("Country"), validators=[
        DataRequired(_l("Enter a two-letter country code.")), Length(min=2, max=2)],
        description=_l("The item is hidden in this country only."))
    legal_basis = StringField(_l("Legal basis"), validators=[
        DataRequired(_l("Name the law or order.")), Length(max=300)])
    authority = StringField(_l("Issuing authority"), validators=[Optional(), Length(max=200)])
    reference = StringField(_l("Reference"), validators=[Optional(), Length(max=100)])
