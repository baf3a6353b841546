"""Cart and checkout forms; the services check everything that depends on the country."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import Choice
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import Select, html_params

from app.services.checkout.cart import MAX_QUANTITY
from app.services.regions import country_names


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


@lru_cache(maxsize=1024)
def country_options(names_locale: str, selected: str | None) -> Markup:
    """Every country as WTForms renders a <select>'s options, `selected` marked.

    The names come from Babel's fixed data, so the markup never goes stale; 250 countries
    x 2 languages bound the cache.
    """
    return Markup("".join(Select.render_option(Choice(code, name, code == selected, None))
                          for code, name in country_names(names_locale).items()))


class CountrySelect(Select):
    """The country <select>, its ~250 <option>s rendered once per language and chosen
    country instead of one by one on every page (~6 ms of the address form); the same
    markup as WTForms' Select, the countries named in the page's language.
    """

    def __call__(self, field, **kwargs) -> Markup:
        """The <select> with Select's attributes around the kept options."""
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        names_locale = "zh" if str(get_locale() or "en") == "zh" else "en"
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"
                      f"{country_options(names_locale, field.data)}</select>")


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
    country = SelectField(_l("Country"), validate_choice=False, widget=CountrySelect())
    phone = StringField(_l("Phone"))
    currency = SelectField(_l("Pay in"), validate_choice=False)
    submit = SubmitField(_l("Calculate total"))
