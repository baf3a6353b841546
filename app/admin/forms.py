"""Forms of the admin area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.services.markets.rule_input import MAX_DUTY_RATES


class GrantRoleForm(FlaskForm):
    """Give a platform role; moderators are scoped to markets and languages."""

    role = SelectField(_l("Role"), choices=[SelectChoice("moderator", _l("Moderator")),
                                            SelectChoice("community", _l("Community team")),
                                            SelectChoice("admin", _l("Admin"))])
    markets = StringField(_l("Markets (moderators)"), validators=[Optional(), Length(max=500)],
                          description=_l("ISO country codes separated by commas, such as "
                                         "CN, US, GB. Empty: every market."))
    languages = StringField(_l("Languages (moderators)"),
                            validators=[Optional(), Length(max=500)],
                            description=_l("ISO language codes separated by commas, such as "
                                           "zh, en. Empty: every language."))


class TopicLinkForm(FlaskForm):
    """Link a hashtag (often the same topic in the other language) to a topic's page."""

    topic = StringField(_l("Topic"), validators=[DataRequired(_l("Name the topic.")),
                                                 Length(max=41)],
                        description=_l("The topic whose page both hashtags will open, "
                                       "such as #tea."))
    alias = StringField(_l("Linked hashtag"), validators=[
        DataRequired(_l("Name the hashtag to link.")), Length(max=41)],
        description=_l("The hashtag that will open that page, such as #茶."))


class TopicSplitForm(FlaskForm):
    """Split a linked hashtag from its topic (the CSRF token is the whole form)."""


class ImportRatesForm(FlaskForm):
    """Import the ECB reference rates now (the CSRF token is the whole form)."""


class ManualRateForm(FlaskForm):
    """An admin's own rate for one currency pair; app.services.fx.conversion checks the values."""

    from_currency = StringField(_l("From currency"), validators=[
        DataRequired(_l("Enter the currency you convert from, such as USD.")),
        Length(max=10)])
    to_currency = StringField(_l("To currency"), validators=[
        DataRequired(_l("Enter the currency you convert to, such as JPY.")),
        Length(max=10)])
    rate = StringField(_l("Rate"), validators=[
        DataRequired(_l("Enter the rate, e.g. 150.25.")),
        Length(max=30, message=_l("Enter at most 30 characters."))],
        description=_l("Units of the second currency for one unit of the first, before the "
                       "conversion fee."))
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)],
                       description=_l("Why this rate, e.g. “bank desk rate, ECB down”."))


class DutyRateRowForm(Form):
    """One duty rate of a market rule; app.services.markets.rules checks the values."""

    hs_prefix = StringField(_l("HS prefix"))
    rate = StringField(_l("Duty (%)"))
    description = StringField(_l("Goods"))
    remove = BooleanField(_l("Remove"))


# Rules carry a handful of preferences (CUSMA's rate and thresholds, KORUS's limit).
MAX_PREFERENCE_ROWS = 30


class PreferenceRowForm(Form):
    """One preference of a market rule: a duty rate by the goods' origins, or thresholds by
    where the parcel ships from (or the origin of every item); the service checks which.
    """

    name = StringField(_l("Name"))
    origins = StringField(_l("Origins"))
    shipped_from = StringField(_l("Shipped from"))
    duty_rate = StringField(_l("Duty (%)"))
    duty_free_threshold = StringField(_l("No duty up to"))
    tax_free_threshold = StringField(_l("No VAT/GST up to"))
    source = TextAreaField(_l("Source"))
    remove = BooleanField(_l("Remove"))


class MarketRuleForm(FlaskForm):
    """A destination's duty and import-tax rule; app.services.markets.rules checks it."""

    country = StringField(_l("Destination country"))
    name = StringField(_l("Name"))
    currency = StringField(_l("Currency of the thresholds"))
    effective_from = StringField(_l("In force from"))
    effective_to = StringField(_l("Until (inclusive)"))
    duty_free_threshold = StringField(_l("No duty up to (de minimis)"))
    tax_free_threshold = StringField(_l("No import VAT/GST up to"))
    default_duty_rate = StringField(_l("Default duty rate (%)"))
    vat_rate = StringField(_l("Import VAT/GST rate (%)"))
    tax_includes_shipping = BooleanField(_l("VAT/GST is also charged on shipping"))
    tax_includes_duty = BooleanField(_l("VAT/GST is also charged on the duty"))
    duty_tax_refundable_on_return = BooleanField(
        _l("Duty and VAT/GST are refunded with a returned item"))
    collection = SelectField(_l("Duties and taxes are paid"), validate_choice=False, choices=[
        SelectChoice("ddp", _l("At checkout (DDP)")),
        SelectChoice("ddu", _l("On delivery (DDU)")),
        SelectChoice("limit", _l("At checkout up to a limit, on delivery above it")),
    ])
    checkout_collection_limit = StringField(_l("Collected at checkout up to"))
    checkout_limit_per_item = BooleanField(_l("The limit applies to each item, not the "
                                              "parcel"))
    max_consignment = StringField(_l("Largest value allowed per parcel"))
    low_value_item_duty = StringField(_l("Flat duty per tariff subheading, up to the "
                                         "no-duty threshold"))
    source = TextAreaField(_l("Source"))
    source_url = StringField(_l("Official page (https://)"))
    source_title = StringField(_l("Title of the page"))
    verified_on = StringField(_l("Checked against the page on"))
    notes = TextAreaField(_l("Notes"))
    duty_rates = FieldList(FormField(DutyRateRowForm), max_entries=MAX_DUTY_RATES + 10)
    preferences = FieldList(FormField(PreferenceRowForm), max_entries=MAX_PREFERENCE_ROWS)


class ModerationRuleForm(FlaskForm):
    """One moderation rule; app.services.moderation.rules checks every field."""

    market = StringField(_l("Market"))
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice("keyword", _l("Keyword or phrase")),
        SelectChoice("pattern", _l("Pattern (regular expression)")),
        SelectChoice("prohibited_good", _l("Prohibited good (listings)")),
        SelectChoice("ad_rule", _l("Ad rule (creatives)"))])
    term = StringField(_l("Word, phrase or pattern"))
    hs_prefixes = StringField(_l("HS code prefixes"))
    language = SelectField(_l("Language"), choices=[
        SelectChoice("any", _l("Any language")), SelectChoice("en", _l("English")),
        SelectChoice("zh", _l("Chinese"))])
    severity = SelectField(_l("Severity"), choices=[
        SelectChoice("low", _l("Low: record only")),
        SelectChoice("medium", _l("Medium: hold for review")),
        SelectChoice("high", _l("High: hold for review (CN: block)")),
        SelectChoice("critical", _l("Critical: block"))])
    reason_code = SelectField(_l("Reason"))
    match_pinyin = BooleanField(_l("Also match its pinyin and homophones"))
    match_variants = BooleanField(_l("Match traditional and simplified characters alike"),
                                  default=True)
    match_leet = BooleanField(_l("Read digits and symbols as letters (5 = s, @ = a)"))


class ModerationRuleImportForm(FlaskForm):
    """A CSV list of rules to add (the file field is read from request.files)."""


class GlossaryTermForm(FlaskForm):
    """A name translation keeps intact; app.services.social.glossary checks the values."""

    term = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter the name to keep, such as Hangzhou.")),
        Length(max=120, message=_l("Enter at most 120 characters."))])
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice("brand", _l("Brand")), SelectChoice("product", _l("Product")),
        SelectChoice("place", _l("Place")), SelectChoice("other", _l("Other name"))])
    rendering_en = StringField(_l("Written in English as"), validators=[
        Optional(), Length(max=120, message=_l("Enter at most 120 characters."))],
        description=_l("Leave empty to keep the name as written."))
    rendering_zh = StringField(_l("Written in Chinese as"), validators=[
        Optional(), Length(max=120, message=_l("Enter at most 120 characters."))],
        description=_l("Leave empty to keep the name as written."))
