"""Editing the destination-market rules (duties, import VAT/GST, DDP or DDU) as dated data.

Admins edit rules on the admin pages and operators load them from JSON
(`flask markets load`); both go through one validator, so a rule is written
whole or not at all. Rates are entered in percent and stored as exact
fractions (20 % -> 0.20); amounts are in the rule's currency minor units. A
country's rules never overlap in time, so at most one is in force on a day.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import User
from app.models.markets import DutyRate, MarketRule, RegionTax
from app.money import Money
from app.services.errors import NotFound, ValidationFailed
from app.services.markets.landed_cost import RULES_FILE
from app.services.markets.region_tax_input import (
    CleanRegionTax,
    clean_region_tax,
    region_tax_data_from_json,
)
from app.services.markets.rule_input import (
    CleanRule,
    apply_clean_rule,
    clean_market_rule,
    rule_data_from_json,
)
from app.services.permissions import require_platform_role

log = logging.getLogger("qiao.admin")

PER_PAGE = 50


@dataclass(frozen=True)
class LoadSummary:
    """What `load_market_rules_file` did."""

    added: int
    updated: int
    unchanged: int


# Reading ----------------------------------------------------------------------------------------
def percent_text(rate: Decimal) -> str:
    """A stored fraction as the percent admins type: Decimal("0.165") -> "16.5"."""
    return format(rate.scaleb(2), "f")


def amount_text(minor: int | None, currency: str) -> str:
    """Minor units as a plain major-unit amount ("150.00"), or "" for None."""
    return "" if minor is None else str(Money(minor, currency).amount)


def collection_mode(rule: MarketRule) -> str:
    """The rule's collection mode (see COLLECTION_MODES) from its checkout collection limit."""
    if rule.checkout_collection_limit_minor is None:
        return "ddp"
    return "ddu" if rule.checkout_collection_limit_minor == 0 else "limit"


def rule_form_data(rule: MarketRule) -> dict[str, Any]:
    """The rule as the strings and flags the edit form and `clean_market_rule` take."""
    mode = collection_mode(rule)
    return {
        "country": rule.country, "name": rule.name, "currency": rule.currency,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else "",
        "duty_free_threshold": amount_text(rule.duty_free_threshold_minor, rule.currency),
        "tax_free_threshold": amount_text(rule.tax_free_threshold_minor, rule.currency),
        "default_duty_rate": percent_text(rule.default_duty_rate),
        "vat_rate": percent_text(rule.vat_rate),
        "tax_includes_shipping": rule.tax_includes_shipping,
        "tax_includes_duty": rule.tax_includes_duty,
        "duty_tax_refundable_on_return": rule.duty_tax_refundable_on_return,
        "collection": mode,
        "checkout_collection_limit": amount_text(rule.checkout_collection_limit_minor,
                                                 rule.currency) if mode == "limit" else "",
        "max_consignment": amount_text(rule.max_consignment_minor, rule.currency),
        "low_value_item_duty": amount_text(rule.low_value_item_duty_minor, rule.currency),
        "source": rule.source, "source_url": rule.source_url,
        "source_title": rule.source_title,
        "verified_on": rule.verified_on.isoformat() if rule.verified_on else "",
        "notes": rule.notes,
        "duty_rates": [{"hs_prefix": d.hs_prefix, "rate": percent_text(d.rate),
                        "description": d.description} for d in rule.duty_rates],
        "checkout_limit_per_item": rule.checkout_limit_per_item,
        "preferences": [{**p, "duty_rate": None if p.get("duty_rate") is None
                         else percent_text(Decimal(p["duty_rate"])), **{
                             key: amount_text(p.get(key), rule.currency) or None
                             for key in ("duty_free_threshold", "tax_free_threshold")}}
                        for p in rule.preferences or []],
    }


def describe_market_rule(rule: MarketRule, today: date) -> list[str]:
    """A rule as plain-text lines (for `flask markets show`)."""
    end = rule.effective_to.isoformat() if rule.effective_to else "open-ended"
    in_force = rule.effective_from <= today and (rule.effective_to is None
                                                or rule.effective_to >= today)
    currency = rule.currency
    mode = collection_mode(rule)
    if mode == "limit":
        limit = amount_text(rule.checkout_collection_limit_minor, currency)
        each = " an item" if rule.checkout_limit_per_item else ""
        paid = f"at checkout up to {limit} {currency}{each}, on delivery above"
    else:
        paid = "at checkout (DDP)" if mode == "ddp" else "on delivery (DDU)"
    tax_free = amount_text(rule.tax_free_threshold_minor, currency)
    vat = f"VAT/GST {percent_text(rule.vat_rate)} %"
    if tax_free:
        vat += f" above {tax_free} {currency}"
    lines = [
        f"{rule.country}  {rule.effective_from.isoformat()} – {end}"
        f"{'  (in force today)' if in_force else ''}  {rule.name}",
        f"  no duty up to {amount_text(rule.duty_free_threshold_minor, currency)} {currency}; "
        f"default duty {percent_text(rule.default_duty_rate)} %; {vat}; paid {paid}",
    ]
    if rule.max_consignment_minor is not None:
        lines.append(f"  at most {amount_text(rule.max_consignment_minor, currency)} "
                     f"{currency} per parcel")
    if rule.low_value_item_duty_minor:
        lines.append(f"  up to the no-duty threshold: "
                     f"{amount_text(rule.low_value_item_duty_minor, currency)} {currency} per "
                     "distinct tariff subheading")
    lines += [f"  HS {d.hs_prefix}: {percent_text(d.rate)} % {d.description}".rstrip()
              for d in rule.duty_rates]
    for preference in rule.preferences or []:
        terms = []
        if preference.get("duty_rate") is not None:
            terms.append(f"duty {percent_text(Decimal(preference['duty_rate']))} %")
        for key, what in (("duty_free_threshold", "no duty"), ("tax_free_threshold", "no tax")):
            if preference.get(key) is not None:
                terms.append(f"{what} up to {amount_text(preference[key], currency)} {currency}")
        where = (f"shipped from {', '.join(preference['shipped_from'])}"
                 if preference.get("shipped_from") else
                 f"origin {', '.join(preference['origins'])}")
        lines.append(f"  {where}: {preference['name']} ({'; '.join(terms)})")
    lines.append(f"  source: {rule.source}")
    checked = rule.verified_on.isoformat() if rule.verified_on else "not checked"
    lines.append(f"  official page: {rule.source_url or '(none)'}; checked: {checked}")
    return lines


def region_taxes_of(country: str) -> list[RegionTax]:
    """Every regional tax of one country by region and start (for `flask markets show`)."""
    return list(db.session.scalars(
        select(RegionTax).where(RegionTax.country == country.strip().upper())
        .order_by(RegionTax.region, RegionTax.effective_from)))


def describe_region_tax(tax: RegionTax) -> str:
    """A regional tax as one plain-text line."""
    end = tax.effective_to.isoformat() if tax.effective_to else "open-ended"
    return (f"  {tax.country}-{tax.region}  {tax.effective_from.isoformat()} – {end}  "
            f"{tax.name} {percent_text(tax.rate)} %"
            f"{' (on shipping too)' if tax.includes_shipping else ''}, collected by "
            f"{tax.collected_by}")


def get_market_rule(actor: User, rule_id: int) -> MarketRule:
    """One rule with its duty rates (platform admins)."""
    require_platform_role(actor, "admin")
    return _rule(rule_id)


def market_rule_page(actor: User, country: str | None = None, page: int = 1
                     ) -> tuple[Pagination, dict[int, int]]:
    """Rules by country and start date, optionally of one country, with duty-rate counts."""
    require_platform_role(actor, "admin")
    stmt = select(MarketRule).order_by(MarketRule.country, MarketRule.effective_from)
    if country:
        stmt = stmt.where(MarketRule.country == country.upper())
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    ids = [r.id for r in pagination.items]
    counts = dict(db.session.execute(
        select(DutyRate.rule_id, func.count()).where(DutyRate.rule_id.in_(ids))
        .group_by(DutyRate.rule_id)).all()) if ids else {}
    return pagination, counts


def market_rules_of(country: str) -> list[MarketRule]:
    """Every rule of one country, oldest first (for `flask markets show`)."""
    return list(db.session.scalars(
        select(MarketRule).options(selectinload(MarketRule.duty_rates))
        .where(MarketRule.country == country.strip().upper())
        .order_by(MarketRule.effective_from)))


def duty_tax_refundable_on_return(assessment: Mapping[str, Any]) -> tuple[bool, bool]:
    """Whether a returned item gets back its duty, and its tax, under the order's assessment.

    Duty and import tax follow the rule the order was assessed under. A sales tax the
    marketplace collected (a US state's, on a domestic or an imported parcel) goes back
    with the goods, so tax made only of such charges is always refunded.
    """
    rule_id = assessment.get("rule_id")
    refundable = False
    if isinstance(rule_id, int) and not isinstance(rule_id, bool):
        rule = db.session.get(MarketRule, rule_id)
        refundable = bool(rule and rule.duty_tax_refundable_on_return)
    charges = assessment.get("charges")
    if charges is None:  # priced before charges were itemised: the rule decides both
        return refundable, refundable
    return refundable, refundable or all(charge.get("kind") != "tax" for charge in charges)


def _rule(rule_id: int) -> MarketRule:
    rule = db.session.get(MarketRule, rule_id)
    if rule is None:
        raise NotFound("No such market rule.", code="market_rule_not_found")
    return rule


# Writing ----------------------------------------------------------------------------------------
def save_market_rule(actor: User, data: Mapping[str, Any],
                     rule_id: int | None = None) -> MarketRule:
    """Create a rule, or change one in place with its duty rates (platform admins)."""
    require_platform_role(actor, "admin")
    rule = _rule(rule_id) if rule_id is not None else None
    clean = clean_market_rule(data)
    _check_no_overlap(clean, ignore={rule.id} if rule else set())
    if rule is None:
        rule = MarketRule()
        db.session.add(rule)
    apply_clean_rule(rule, clean)
    db.session.flush()
    log.info("market rule %s (%s from %s) saved by user %s", rule.id, rule.country,
             rule.effective_from, actor.id)
    return rule


def add_market_rule_version(actor: User, previous_id: int,
                            data: Mapping[str, Any]) -> MarketRule:
    """A new dated version of a rule; the version it replaces ends the day before it starts."""
    require_platform_role(actor, "admin")
    previous = _rule(previous_id)
    clean = clean_market_rule(data)
    errors: dict[str, list[str]] = {}
    if clean.country != previous.country:
        errors["country"] = [f"A new version keeps the country {previous.country}."]
    if clean.effective_from <= previous.effective_from:
        errors["effective_from"] = [
            f"A new version must start after {previous.effective_from.isoformat()}, when the "
            "version it replaces starts."]
    if errors:
        raise ValidationFailed("Check the new version.", fields=errors)
    _check_no_overlap(clean, ignore={previous.id})
    if previous.effective_to is None or previous.effective_to >= clean.effective_from:
        previous.effective_to = clean.effective_from - timedelta(days=1)
    rule = MarketRule()
    db.session.add(rule)
    apply_clean_rule(rule, clean)
    db.session.flush()
    log.info("market rule %s (%s from %s) replaces rule %s, by user %s", rule.id,
             rule.country, rule.effective_from, previous.id, actor.id)
    return rule


def load_market_rules_file(path: Path = RULES_FILE) -> LoadSummary:
    """Add or update the rules of a JSON file (keyed by country and start date).

    Every entry is checked first; one bad entry or an overlap writes nothing.
    Loading the same file again changes nothing. Rules missing from the file
    are kept.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"{path} is not a readable JSON file: {exc}.",
                               fields={"file": [str(exc)]}) from None
    entries = document.get("rules") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValidationFailed(f'{path} has no "rules" list.',
                               fields={"file": ['Expected {"rules": [...]}.']})
    cleaned: list[CleanRule] = []
    errors: dict[str, list[str]] = {}
    for index, entry in enumerate(entries):
        label = f"rules.{index}"
        if isinstance(entry, dict):
            label += f" ({entry.get('country')} from {entry.get('effective_from')})"
        try:
            cleaned.append(clean_market_rule(rule_data_from_json(entry)))
        except ValidationFailed as exc:
            errors[label] = [f"{field}: {'; '.join(messages)}"
                             for field, messages in exc.fields.items()]
    if errors:
        raise ValidationFailed(f"{len(errors)} rule(s) in {path} are not valid; nothing was "
                               "loaded.", fields=errors)
    existing = {(r.country, r.effective_from): r for r in db.session.scalars(
        select(MarketRule).options(selectinload(MarketRule.duty_rates)))}
    keys = [(c.country, c.effective_from) for c in cleaned]
    duplicates = sorted({f"{c} from {d}" for c, d in keys if keys.count((c, d)) > 1})
    if duplicates:
        raise ValidationFailed("The file lists a rule twice; nothing was loaded.",
                               fields={"file": [f"Listed twice: {', '.join(duplicates)}."]})
    _check_file_overlaps(cleaned, existing)
    regional = _clean_region_taxes(document.get("region_taxes", []), path)
    added = updated = unchanged = 0
    for clean in cleaned:
        rule = existing.get((clean.country, clean.effective_from))
        if rule is not None and clean.matches(rule):
            unchanged += 1
            continue
        if rule is None:
            rule = MarketRule()
            db.session.add(rule)
            added += 1
        else:
            updated += 1
        apply_clean_rule(rule, clean)
    stored = {(t.country, t.region, t.effective_from): t
              for t in db.session.scalars(select(RegionTax))}
    for tax in regional:
        row = stored.get((tax.country, tax.region, tax.effective_from))
        if row is not None and all(getattr(row, k) == v for k, v in vars(tax).items()):
            unchanged += 1
            continue
        if row is None:
            row = RegionTax()
            db.session.add(row)
            added += 1
        else:
            updated += 1
        for name, value in vars(tax).items():
            setattr(row, name, value)
    db.session.flush()
    return LoadSummary(added, updated, unchanged)


def _clean_region_taxes(entries: Any, path: Path) -> list[CleanRegionTax]:
    """The file's regional taxes, all valid and none overlapping in a region, or nothing."""
    if not isinstance(entries, list):
        raise ValidationFailed(f'{path}: "region_taxes" must be a list.',
                               fields={"region_taxes": ["Expected a list."]})
    cleaned: list[CleanRegionTax] = []
    errors: dict[str, list[str]] = {}
    for index, entry in enumerate(entries):
        label = f"region_taxes.{index}"
        if isinstance(entry, dict):
            label += f" ({entry.get('country')}-{entry.get('region')} from " \
                     f"{entry.get('effective_from')})"
        try:
            cleaned.append(clean_region_tax(region_tax_data_from_json(entry)))
        except ValidationFailed as exc:
            errors[label] = [f"{field}: {'; '.join(messages)}"
                             for field, messages in exc.fields.items()]
    if errors:
        raise ValidationFailed(f"{len(errors)} regional tax(es) in {path} are not valid; "
                               "nothing was loaded.", fields=errors)
    stored = {(t.country, t.region, t.effective_from): (t.effective_to, t.name)
              for t in db.session.scalars(select(RegionTax))}
    stored.update({(t.country, t.region, t.effective_from): (t.effective_to, t.name)
                   for t in cleaned})
    by_region: dict[tuple[str, str], list[tuple[date, date | None, str]]] = {}
    for (country, region, start), (end, name) in stored.items():
        by_region.setdefault((country, region), []).append((start, end, name))
    problems = []
    for (country, region), periods in sorted(by_region.items()):
        periods.sort(key=lambda p: p[0])
        for (a_from, a_to, a_name), (b_from, b_to, _b) in zip(periods, periods[1:],
                                                              strict=False):
            if _overlaps(a_from, a_to, b_from, b_to):
                problems.append(f"{country}-{region}: “{a_name}” ({_period(a_from, a_to)}) "
                                f"overlaps the version from {b_from.isoformat()}.")
    if problems:
        raise ValidationFailed("Regional taxes of one region overlap in time; nothing was "
                               "loaded.", fields={"effective_from": problems})
    return cleaned


def _overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return a_from <= (b_to or date.max) and b_from <= (a_to or date.max)


def _period(start: date, end: date | None) -> str:
    return f"{start.isoformat()} – {end.isoformat() if end else 'open-ended'}"


def _check_no_overlap(clean: CleanRule, ignore: set[int]) -> None:
    """ValidationFailed naming the other rule of the country whose dates overlap."""
    for other in db.session.scalars(select(MarketRule).where(
            MarketRule.country == clean.country).order_by(MarketRule.effective_from)):
        if other.id in ignore:
            continue
        if _overlaps(clean.effective_from, clean.effective_to, other.effective_from,
                     other.effective_to):
            message = (f"The dates overlap “{other.name}” "
                       f"({_period(other.effective_from, other.effective_to)}); a country "
                       "has one rule in force on any day. Change the dates, or add a new "
                       "version of that rule.")
            raise ValidationFailed(message, fields={"effective_from": [message]})


def _check_file_overlaps(cleaned: list[CleanRule],
                         existing: dict[tuple[str, date], MarketRule]) -> None:
    """The rules as they would be after loading must not overlap within a country."""
    final: dict[tuple[str, date], tuple[date | None, str]] = {
        key: (rule.effective_to, rule.name) for key, rule in existing.items()}
    final.update({(c.country, c.effective_from): (c.effective_to, c.name) for c in cleaned})
    problems = []
    by_country: dict[str, list[tuple[date, date | None, str]]] = {}
    for (country, start), (end, name) in final.items():
        by_country.setdefault(country, []).append((start, end, name))
    for country, periods in sorted(by_country.items()):
        periods.sort(key=lambda p: p[0])
        for (a_from, a_to, a_name), (b_from, b_to, b_name) in zip(periods, periods[1:],
                                                                  strict=False):
            if _overlaps(a_from, a_to, b_from, b_to):
                problems.append(f"{country}: “{a_name}” ({_period(a_from, a_to)}) overlaps "
                                f"“{b_name}” ({_period(b_from, b_to)}).")
    if problems:
        raise ValidationFailed("Rules of one country overlap in time; nothing was loaded.",
                               fields={"effective_from": problems})
