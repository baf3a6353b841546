"""Forms for creating organisations and managing their teams."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from app.web.forms import country_choices, currency_choices


class CreateOrganizationForm(FlaskForm):
    """A new merchant store or brand account."""

    kind = RadioField(_l("Kind"), choices=[
        SelectChoice("merchant", _l("Merchant — I sell products in a store")),
        SelectChoice("brand", _l("Brand — I run ad campaigns")),
    ], validators=[DataRequired(_l("Choose merchant or brand."))])
    name = StringField(_l("Organisation name"), validators=[
        DataRequired(_l("Enter the organisation's name.")), Length(max=120)])
    store_name = StringField(_l("Store name"), validators=[Optional(), Length(max=120)])
    base_currency = SelectField(_l("Base currency"), validate_choice=False)
    origin_country = SelectField(_l("Ships from"), validate_choice=False)
    store_description = TextAreaField(_l("Store description"),
                                      validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.base_currency.choices = currency_choices()
        self.origin_country.choices = country_choices()


class InviteForm(FlaskForm):
    """Invite someone by e-mail."""

    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter the address to invite.")),
        Email(_l("Enter a valid e-mail address, such as name@example.com."))])
    role = SelectField(_l("Role"), choices=[SelectChoice("staff", _l("Staff")),
                                            SelectChoice("admin", _l("Admin"))],
                       default="staff")


class RoleForm(FlaskForm):
    """Change one member's role."""

    role = SelectField(_l("Role"), choices=[SelectChoice("staff", _l("Staff")),
                                            SelectChoice("admin", _l("Admin"))])


class TransferForm(FlaskForm):
    """Hand the organisation to another member, confirmed by typing its name."""

    new_owner = SelectField(_l("New owner"), validators=[
        DataRequired(_l("Choose the member who will own the organisation."))])
    confirm_name = StringField(_l("Type the organisation's name to confirm"), validators=[
        DataRequired(_l("Type the organisation's name to confirm."))])
