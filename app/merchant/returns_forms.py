"""The merchant's return decisions; per-line receipt choices come as fields the route reads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length


class ApproveReturnForm(FlaskForm):
    """Accept the return."""


class RefuseReturnForm(FlaskForm):
    """Refuse the return; the shopper reads the reason."""

    reason = TextAreaField(_l("Why is the return refused?"),
                           validators=[InputRequired(), Length(max=2000)])


class ReceiveReturnForm(FlaskForm):
    """The parcel arrived; per line: received-<id>, restock-<id>, warehouse-<id>."""


class ReturnParcelForm(FlaskForm):
    """The return parcel's carrier and number, when the store books the pickup itself."""

    carrier = SelectField(_l("Carrier"), validators=[InputRequired()])
    tracking_number = StringField(_l("Tracking number"),
                                  validators=[InputRequired(), Length(max=40)])
