"""Admin pages for destination-market rules: list, edit, new rules and new dated versions.

Platform admins only (the blueprint's before_request check). The service
checks every value; a rejected form writes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.admin.forms import MarketRuleForm
from app.admin.routes import _page
from app.core.transaction import commit, rollback
from app.models.markets import MarketRule
from app.services.errors import ValidationFailed
from app.services.markets import coverage
from app.services.markets import rules as market_rules
from app.services.regions import is_country

BLANK_DUTY_ROWS = 3
RULE_FIELDS = ("country", "name", "currency", "effective_from", "effective_to",
               "duty_free_threshold", "tax_free_threshold", "default_duty_rate", "vat_rate",
               "tax_includes_shipping", "tax_includes_duty",
               "duty_tax_refundable_on_return", "collection",
               "checkout_collection_limit", "checkout_limit_per_item", "max_consignment",
               "low_value_item_duty", "source", "source_url", "source_title", "verified_on",
               "notes")
ROW_FIELDS = ("hs_prefix", "rate", "description")
PREFERENCE_FIELDS = ("name", "origins", "shipped_from", "duty_rate", "duty_free_threshold",
                     "tax_free_threshold", "source")
# Country lists are typed as "US, MX" and sent to the service as lists of codes.
COUNTRY_LISTS = ("origins", "shipped_from")


@bp.get("/markets")
def market_rules_list():
    """Market rules by destination country, with their dates and sources."""
    country = request.args.get("country", "").strip().upper()
    country = country if is_country(country) else ""
    pagination, duty_counts = market_rules.market_rule_page(current_user, country or None,
                                                           page=_page())
    return render_template("admin/markets.html", pagination=pagination, country=country,
                           duty_counts=duty_counts, today=date.today(),
                           coverage=coverage.market_coverage_for_admin(current_user,
                                                                       date.today()),
                           region_taxes=market_rules.region_taxes_of(country) if country
                           else [],
                           amount=market_rules.amount_text,
                           percent=market_rules.percent_text,
                           mode=market_rules.collection_mode)


def _rule_form(data: dict[str, Any]) -> MarketRuleForm:
    """The form filled with `data`, plus blank rows for new duty rates and a preference."""
    preferences = [{**row, **{key: ", ".join(row.get(key) or []) for key in COUNTRY_LISTS}}
                   for row in data.get("preferences", [])]
    form = MarketRuleForm(formdata=None, data={**data, "preferences": preferences})
    for _blank in range(BLANK_DUTY_ROWS):
        form.duty_rates.append_entry()
    form.preferences.append_entry()
    return form


def _preference_rows(form: MarketRuleForm) -> list[tuple[int, dict[str, Any]]]:
    """(form row, values) of each preference kept: blank rows and removed ones are left out,
    the rest go to the service as typed (empty values as not given).
    """
    rows = []
    for index, row in enumerate(form.preferences):
        typed = {name: (getattr(row.form, name).data or "").strip()
                 for name in PREFERENCE_FIELDS}
        if row.form.remove.data or not any(typed.values()):
            continue
        values: dict[str, Any] = {name: value or None for name, value in typed.items()}
        for key in COUNTRY_LISTS:
            codes = re.split(r"[\s,]+", typed[key].upper())
            values[key] = [code for code in codes if code] or None
        rows.append((index, values))
    return rows


def _form_data(form: MarketRuleForm) -> dict[str, Any]:
    # row.form: a FormField has its own `description`, which would hide the subform's field.
    return {**{name: getattr(form, name).data for name in RULE_FIELDS},
            "duty_rates": [{**{name: (getattr(row.form, name).data or "")
                               for name in ROW_FIELDS},
                            "remove": row.form.remove.data} for row in form.duty_rates],
            "preferences": [values for _index, values in _preference_rows(form)]}


def _show_errors(form: MarketRuleForm, exc: ValidationFailed) -> None:
    """Service errors onto the inputs: `duty_rates.<n>.<field>` onto that row, and
    `preferences.<n>.<field>` onto the form row the n-th preference sent came from.
    """
    sent = [index for index, _values in _preference_rows(form)]
    for name, messages in exc.fields.items():
        parts = name.split(".")
        if parts[0] == "duty_rates" and len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(form.duty_rates):
            getattr(form.duty_rates[int(parts[1])].form, parts[2]).errors = list(messages)
        elif parts[0] == "preferences" and len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(sent) and parts[2] in PREFERENCE_FIELDS:
            getattr(form.preferences[sent[int(parts[1])]].form, parts[2]).errors = \
                list(messages)
        elif name in RULE_FIELDS:
            getattr(form, name).errors = list(messages)
        else:
            form.form_errors.extend(messages)
    form.form_errors.insert(0, _("Nothing was saved: fix the fields marked below."))


def _rule_page(form: MarketRuleForm, *, rule: MarketRule | None = None,
               replaces: MarketRule | None = None, status: int = 200):
    return render_template("admin/market_rule.html", form=form, rule=rule, replaces=replaces,
                           percent=market_rules.percent_text), status


def _save(rule: MarketRule | None, replaces: MarketRule | None):
    """Validate and write the posted form: an edit, a new rule or a new version."""
    form = MarketRuleForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form expired. Please try again."))
        return _rule_page(form, rule=rule, replaces=replaces, status=400)
    try:
        if replaces is not None:
            saved = market_rules.add_market_rule_version(current_user, replaces.id,
                                                         _form_data(form))
        else:
            saved = market_rules.save_market_rule(current_user, _form_data(form),
                                                  rule_id=rule.id if rule else None)
    except ValidationFailed as exc:
        rollback()
        _show_errors(form, exc)
        return _rule_page(form, rule=rule, replaces=replaces, status=exc.status)
    commit()
    flash(_("Saved “%(name)s” (%(country)s, from %(start)s).", name=saved.name,
            country=saved.country, start=saved.effective_from.isoformat()), "success")
    return redirect(url_for("admin.market_rules_list", country=saved.country), code=303)


@bp.route("/markets/new", methods=["GET", "POST"])
def new_market_rule():
    """Add a rule for a destination (e.g. a country Qiao has no rule for yet)."""
    if request.method == "POST":
        return _save(None, None)
    country = request.args.get("country", "").strip().upper()
    return _rule_page(_rule_form({"country": country if is_country(country) else "",
                                  "collection": "ddp", "duty_rates": []}))


@bp.route("/markets/<int:rule_id>", methods=["GET", "POST"])
def edit_market_rule(rule_id: int):
    """Correct a rule in place: thresholds, rates, DDP/DDU, dates, source, duty rates."""
    rule = market_rules.get_market_rule(current_user, rule_id)
    if request.method == "POST":
        return _save(rule, None)
    return _rule_page(_rule_form(market_rules.rule_form_data(rule)), rule=rule)


@bp.route("/markets/<int:rule_id>/new-version", methods=["GET", "POST"])
def new_market_rule_version(rule_id: int):
    """A new dated version of a rule (a law changes from a date on); the old one then ends."""
    previous = market_rules.get_market_rule(current_user, rule_id)
    if request.method == "POST":
        return _save(None, previous)
    data = {**market_rules.rule_form_data(previous), "effective_from": ""}
    return _rule_page(_rule_form(data), replaces=previous)
