"""The shipping zone form; app.services.checkout.shipping_rates checks amounts and numbers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, StringField


class RateForm(Form):
    """One weight tier: up to this many grams (blank: any weight) costs this much."""

    max_weight_grams = StringField(_l("Up to (grams)"))
    price = StringField(_l("Price"))
    transit_days_min = StringField(_l("Transit at least (days)"))
    transit_days_max = StringField(_l("Transit at most (days)"))


class ZoneForm(FlaskForm):
    """A zone: its countries, delivery estimate, free-shipping threshold and tiers."""

    name = StringField(_l("Zone name"))
    countries = StringField(_l("Countries"))
    free_over = StringField(_l("Free shipping from (item subtotal)"))
    delivery_days_min = StringField(_l("Delivery in at least (days)"))
    delivery_days_max = StringField(_l("and at most (days)"))
    rates = FieldList(FormField(RateForm), min_entries=1)


class DeleteZoneForm(FlaskForm):
    """Delete a zone (the CSRF token is the whole form)."""
