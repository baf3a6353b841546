"""Cart and checkout forms; the services check everything that depends on the country."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.services.checkout.cart import MAX_QUANTITY


class AddToCartForm(FlaskForm):
    """Add a variant to the cart ("Buy now" also goes straight to checkout)."""

    variant_id = IntegerField(_l("Variant"), validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), default=1,
                            validators=[InputRequired(), NumberRange(1, MAX_QUANTITY)])
    note_id = IntegerField(validators=[Optional()])
    next = HiddenField()
    add = SubmitField(_l("Add to cart"))
    buy_now = SubmitField(_l("Buy now"))


class QuantityForm(FlaskForm):
    """Change a line's quantity (0 removes it)."""

    quantity = IntegerField(_l("Quantity"),
                            validators=[InputRequired(), NumberRange(0, MAX_QUANTITY)])


class RemoveForm(FlaskForm):
    """Remove a line (the CSRF token is the whole form)."""


class CheckoutForm(FlaskForm):
    """Where to ship and in which currency to pay.

    Which address fields a country requires is checked by the quote service, so the
    errors are the same here and in the API; the selects accept any value for the
    same reason (a tampered one gets the service's message).
    """

    name = StringField(_l("Full name"))
    line1 = StringField(_l("Address"))
    line2 = StringField(_l("Apartment, suite, etc. (optional)"))
    city = StringField(_l("City"))
    region = StringField(_l("State / province / region"))
    postal_code = StringField(_l("Postal code"))
    country = SelectField(_l("Country"), validate_choice=False)
    phone = StringField(_l("Phone"))
    currency = SelectField(_l("Pay in"), validate_choice=False)
    submit = SubmitField(_l("Calculate total"))
