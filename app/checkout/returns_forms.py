"""The shopper's return forms: asking to return items, and the return parcel's number."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.web.returns import REASON_LABELS


class ReturnRequestForm(FlaskForm):
    """Reason and comment; the units per line come as qty-<order line id>."""

    reason = SelectField(_l("Reason"), choices=list(REASON_LABELS.items()),
                         validators=[InputRequired()])
    comment = TextAreaField(_l("Tell the store more (optional)"),
                            validators=[Optional(), Length(max=2000)])
    # Checked (type, size, count) by the returns service's image pipeline.
    photos = MultipleFileField(_l("Photos (optional, up to 5; JPEG, PNG or WebP)"))


class ReturnParcelForm(FlaskForm):
    """The carrier and tracking number of the parcel going back."""

    carrier = SelectField(_l("Carrier"), validators=[InputRequired()])
    tracking_number = StringField(_l("Tracking number"),
                                  validators=[InputRequired(), Length(max=40)])


class CancelReturnForm(FlaskForm):
    """Withdraw a return request."""
