"""Forms of the merchant order pages (per-line refund quantities are read by the route)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, Regexp


class RefundForm(FlaskForm):
    """Shipping, restock, an optional exact amount and a reason; lines come as qty-<id>."""

    shipping = BooleanField(_l("Refund shipping"))
    restock = BooleanField(_l("Put the units back in stock"))
    amount = StringField(_l("Exact amount (optional)"), validators=[
        Optional(), Regexp(r"^\d{1,12}(\.\d{1,3})?$", message=_l("Use a number like 12.50."))])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class CancelForm(FlaskForm):
    """Cancelling an order before it ships."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class ShipForm(FlaskForm):
    """A parcel: warehouse, carrier, tracking number, weight and size; units per line come
    as ship-<line id> and are read by the route.
    """

    warehouse_id = SelectField(_l("Ship from"), coerce=int, validate_choice=False)
    carrier = SelectField(_l("Carrier"), validate_choice=False)
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=60)])
    weight_grams = IntegerField(_l("Weight (g)"), validators=[Optional(), NumberRange(min=1)])
    length_mm = IntegerField(_l("Length (mm)"), validators=[Optional(), NumberRange(min=1)])
    width_mm = IntegerField(_l("Width (mm)"), validators=[Optional(), NumberRange(min=1)])
    height_mm = IntegerField(_l("Height (mm)"), validators=[Optional(), NumberRange(min=1)])


LEG_KIND_LABELS = {"first_mile": _l("First mile"), "line_haul": _l("Line haul"),
                   "customs": _l("Customs"), "last_mile": _l("Last mile")}


class LegForm(FlaskForm):
    """Another stretch of a shipment's journey under its own carrier and number."""

    kind = SelectField(_l("Leg"), choices=list(LEG_KIND_LABELS.items()))
    carrier = SelectField(_l("Carrier"), validate_choice=False)
    tracking_number = StringField(_l("Tracking number"), validators=[Length(max=60)])
