"""Forms of the merchant order pages (per-line refund quantities are read by the route)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp


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
