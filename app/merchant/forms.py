"""Forms of the merchant portal.

Fields that a service validates (prices, quantities, HS codes, countries) are plain
text here, so the service's specific message is the one the merchant reads.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.services.fields import CATEGORIES, MAX_OPTIONS, MAX_VARIANTS
from app.web.forms import country_choices, currency_choices, select_choices

STATUS_CHOICES = [("draft", _l("Draft")), ("active", _l("Active")),
                  ("archived", _l("Archived"))]
CATEGORY_LABELS = {
    "tea_coffee": _l("Tea & coffee"), "food_snacks": _l("Food & snacks"),
    "beauty": _l("Beauty & skincare"), "fashion": _l("Fashion & accessories"),
    "home": _l("Home & kitchen"), "health": _l("Health"), "baby_kids": _l("Baby & kids"),
    "electronics": _l("Electronics"), "sports_outdoors": _l("Sports & outdoors"),
    "books_stationery": _l("Books & stationery"), "other": _l("Other"),
}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


def category_choices(blank_label) -> list[SelectChoice]:
    """The storefront categories (translated), after a blank choice."""
    return select_choices([("", blank_label), *[(slug, CATEGORY_LABELS.get(slug, label))
                                                for slug, label in CATEGORIES.items()]])


# Products ---------------------------------------------------------------------------------
class ProductFilterForm(Form):
    """The product list's search and filters (GET parameters, so no CSRF token)."""

    q = StringField(_l("Search title or SKU"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    low_stock = BooleanField(_l("Low stock only"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = select_choices([("", _l("Any status")), *STATUS_CHOICES])
        self.category.choices = category_choices(_l("Any category"))


class BulkActionForm(FlaskForm):
    """Change the status of the ticked products."""

    action = SelectField(_l("With the selected products"), choices=[
        SelectChoice("active", _l("Activate")), SelectChoice("draft", _l("Set to draft")),
        SelectChoice("archived", _l("Archive"))])
    product_ids = SelectMultipleField(_l("Products"), coerce=int, validate_choice=False,
                                      validators=[DataRequired(_l("Tick at least one product."))])


class OptionRowForm(Form):
    """One option of a product, e.g. Size: S, M, L."""

    name = StringField(_l("Option"), validators=[Optional(), Length(max=60)])
    values = StringField(_l("Values, separated by commas"))


class VariantRowForm(Form):
    """One row of the variant matrix: a combination of option values and its SKU."""

    id = HiddenField()
    # The row's option values as JSON, e.g. {"Colour": "Red", "Size": "M"}.
    options = HiddenField()
    sku = StringField(_l("SKU"))
    barcode = StringField(_l("Barcode"))
    price = StringField(_l("Price"))
    compare_at = StringField(_l("Compare-at price"))
    weight_grams = StringField(_l("Weight (g)"))
    fixed_prices = StringField(_l("Fixed prices"))
    is_active = BooleanField(_l("On sale"), default=True)


class ProductForm(FlaskForm):
    """The product editor: details, shipping data, options, the variant matrix, images."""

    title = StringField(_l("Title"))
    title_en = StringField(_l("Title in English (optional)"))
    title_zh = StringField(_l("Title in Chinese (optional)"))
    description = TextAreaField(_l("Description"))
    description_en = TextAreaField(_l("Description in English (optional)"))
    description_zh = TextAreaField(_l("Description in Chinese (optional)"))
    category = SelectField(_l("Category"), validate_choice=False)
    brand_name = StringField(_l("Brand"))
    status = SelectField(_l("Status"), choices=select_choices(STATUS_CHOICES),
                         validate_choice=False)
    hs_code = StringField(_l("HS code"))
    origin_country = SelectField(_l("Country of origin"), validate_choice=False)
    weight_grams = StringField(_l("Weight (g)"))
    length_mm = StringField(_l("Length (mm)"))
    width_mm = StringField(_l("Width (mm)"))
    height_mm = StringField(_l("Height (mm)"))
    restricted_countries = StringField(_l("Cannot be shipped to"))
    low_stock_threshold = StringField(_l("Low-stock threshold"), default="5")
    options = FieldList(FormField(OptionRowForm), min_entries=MAX_OPTIONS,
                        max_entries=MAX_OPTIONS)
    variants = FieldList(FormField(VariantRowForm), max_entries=MAX_VARIANTS)
    images = MultipleFileField(_l("Add images"))
    save = SubmitField(_l("Save product"))
    update_matrix = SubmitField(_l("Update variant rows"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(_l("No category"))
        self.origin_country.choices = country_choices()


class ThresholdForm(FlaskForm):
    """A product's low-stock threshold."""

    low_stock_threshold = StringField(_l("Threshold"))


class ImageMoveForm(FlaskForm):
    """Move an image: to the front (the cover), one place earlier or later."""

    to = SelectField(choices=[SelectChoice("first", _l("Make cover")),
                              SelectChoice("earlier", _l("Move earlier")),
                              SelectChoice("later", _l("Move later"))])


# Inventory --------------------------------------------------------------------------------
class CountRowForm(Form):
    """One SKU's new count (or change) on the warehouse page."""

    sku = HiddenField()
    quantity = StringField(_l("New quantity"))


class StockCountForm(FlaskForm):
    """Set or adjust several on-hand counts of one warehouse at once."""

    mode = SelectField(_l("Apply the numbers as"), choices=[
        SelectChoice("set", _l("New on-hand counts")),
        SelectChoice("adjust", _l("Changes (+ received, − removed)"))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    rows = FieldList(FormField(CountRowForm), max_entries=200)


class AdjustForm(FlaskForm):
    """Add or remove units of one SKU in one warehouse, saying why."""

    warehouse_id = SelectField(_l("Warehouse"), coerce=int)
    quantity = StringField(_l("Change (+ or −)"))
    reason = StringField(_l("Reason"))

    def __init__(self, *args, **kwargs) -> None:
        # Prefixed: the transfer form on the same page has fields of the same names.
        super().__init__(*args, prefix="adjust", **kwargs)


class TransferForm(FlaskForm):
    """Move units of one SKU between two warehouses of the store."""

    from_warehouse_id = SelectField(_l("From"), coerce=int)
    to_warehouse_id = SelectField(_l("To"), coerce=int)
    quantity = StringField(_l("Units"))
    reason = StringField(_l("Note (optional)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="transfer", **kwargs)


# Store ------------------------------------------------------------------------------------
class StoreSettingsForm(FlaskForm):
    """The store's public details and trading terms."""

    name = StringField(_l("Store name"))
    slug = StringField(_l("Store address"))
    description = TextAreaField(_l("Description"))
    base_currency = SelectField(_l("Base currency"), validate_choice=False)
    origin_country = SelectField(_l("Ships from"), validate_choice=False)
    sells_to = StringField(_l("Sells to"))
    return_policy = TextAreaField(_l("Return policy"))
    # Text, not IntegerField: the route sends every field as text and the service checks it.
    return_window_days = StringField(_l("Return window (days after delivery)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.base_currency.choices = currency_choices()
        self.origin_country.choices = country_choices()


class LogoForm(FlaskForm):
    """Upload a new store logo."""

    logo = FileField(_l("Logo"))


class WarehouseForm(FlaskForm):
    """A warehouse's name and address."""

    name = StringField(_l("Name"))
    address_line1 = StringField(_l("Address line 1"))
    address_line2 = StringField(_l("Address line 2"))
    city = StringField(_l("City"))
    region = StringField(_l("Region or state"))
    postal_code = StringField(_l("Postal code"))
    country = SelectField(_l("Country"), validate_choice=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class BulkShippingForm(FlaskForm):
    """A CSV of order, sku, quantity, carrier, tracking_number (and warehouse) to ship."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    valid_only = BooleanField(_l("Ship the parcels whose rows are all valid, and list the "
                                 "others"))
