"""Checking a market rule as admins type it or a JSON file lists it, before anything is written.

Rates come in as percent strings and leave as exact fractions (20 -> 0.20);
amounts come in as major-unit strings in the rule's currency and leave as
minor units. Every problem is reported at once, keyed by field
(`duty_rates.<n>.<field>` for a duty-rate row).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import astuple, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.models.markets import DutyRate, MarketRule
from app.money import CurrencyError, normalize_currency
from app.services.errors import ValidationFailed
from app.services.markets.rule_fields import (
    MAX_TEXT,
    URL,
    amount_field,
    check_confidence,
    country_field,
    date_field,
    flag_field,
    percent_field,
    text_field,
)
from app.services.regions import is_country

MAX_DUTY_RATES = 200
HS_PREFIX = re.compile(r"\d{2,10}")
# How duties and taxes are paid: always at checkout (DDP), always on delivery (DDU), or at
# checkout up to checkout_collection_limit and on delivery above it.
COLLECTION_MODES = ("ddp", "ddu", "limit")
# CleanRule fields a caller may leave out of the data: None keeps what is stored.
KEPT_WHEN_NOT_GIVEN = frozenset({"preferences", "checkout_limit_per_item"})


@dataclass(frozen=True)
class CleanDutyRate:
    """A validated duty rate row."""

    hs_prefix: str
    rate: Decimal
    description: str


@dataclass(frozen=True)
class CleanRule:
    """A validated rule, in the model's units, ready to be written."""

    country: str
    name: str
    effective_from: date
    effective_to: date | None
    currency: str
    duty_free_threshold_minor: int
    tax_free_threshold_minor: int | None
    default_duty_rate: Decimal
    vat_rate: Decimal
    tax_includes_shipping: bool
    tax_includes_duty: bool
    duty_tax_refundable_on_return: bool
    checkout_collection_limit_minor: int | None
    max_consignment_minor: int | None
    source: str
    notes: str
    duty_rates: tuple[CleanDutyRate, ...]
    source_url: str = ""
    source_title: str = ""
    verified_on: date | None = None
    low_value_item_duty_minor: int | None = None
    # None: not given (the data has no such key); the stored ones are kept.
    preferences: list[dict] | None = None
    # None: not given, the stored value is kept; see MarketRule.
    checkout_limit_per_item: bool | None = None

    def matches(self, rule: MarketRule) -> bool:
        """Whether `rule` already holds exactly these values (Decimals compare by value)."""
        columns = {name: getattr(self, name) for name in self.__dataclass_fields__
                   if name != "duty_rates"
                   and not (name in KEPT_WHEN_NOT_GIVEN and getattr(self, name) is None)}
        stored = sorted((d.hs_prefix, d.rate, d.description) for d in rule.duty_rates)
        return all(getattr(rule, name) == value for name, value in columns.items()) and \
            stored == sorted(astuple(d) for d in self.duty_rates)


def rule_data_from_json(entry: Any) -> dict[str, Any]:
    """A file entry (rates as fractions, amounts as strings) in the form's terms."""
    if not isinstance(entry, dict):
        return {}

    def percent(value: Any) -> Any:
        try:
            return format(Decimal(str(value)).scaleb(2), "f")
        except (InvalidOperation, ValueError):
            return value  # left as it is, so the validator names it

    limit = entry.get("checkout_collection_limit")
    if limit is None:
        mode, limit = "ddp", ""
    else:
        try:
            mode = "ddu" if Decimal(str(limit)) == 0 else "limit"
        except (InvalidOperation, ValueError):
            mode = "limit"
    rates = entry.get("duty_rates")
    return {
        **{key: entry.get(key) for key in (
            "country", "name", "currency", "effective_from", "effective_to",
            "duty_free_threshold", "tax_free_threshold", "max_consignment",
            "tax_includes_shipping", "tax_includes_duty", "source", "notes", "source_url",
            "source_title", "verified_on", "low_value_item_duty", "confidence",
            "checkout_limit_per_item")},
        "preferences": [{**row, "duty_rate": percent(row["duty_rate"])}
                        if isinstance(row, dict) and row.get("duty_rate") is not None
                        else row for row in entry["preferences"]]
        if isinstance(entry.get("preferences"), list) else entry.get("preferences", []),
        "duty_tax_refundable_on_return": entry.get("duty_tax_refundable_on_return", False),
        "default_duty_rate": percent(entry.get("default_duty_rate")),
        "vat_rate": percent(entry.get("vat_rate")),
        "collection": mode,
        "checkout_collection_limit": "" if mode != "limit" else limit,
        "duty_rates": [{**row, "rate": percent(row.get("rate"))} if isinstance(row, dict)
                       else row for row in rates] if isinstance(rates, list) else rates,
    }


def clean_market_rule(data: Mapping[str, Any]) -> CleanRule:
    """Validate a rule and its duty rates; ValidationFailed names every bad field."""
    errors: dict[str, list[str]] = {}
    country = country_field(data, errors, examples="US or DE")
    name = text_field(data, "name", errors, max_length=120, required=True,
                      message="Give the rule a name of up to 120 characters.")
    source = text_field(data, "source", errors, max_length=MAX_TEXT, required=True,
                        message=f"Say where the rule comes from (a law, a URL), up to {MAX_TEXT} "
                                "characters.")
    notes = text_field(data, "notes", errors, max_length=MAX_TEXT, required=False,
                       message=f"Notes take up to {MAX_TEXT} characters.")
    currency: str | None
    try:
        currency = normalize_currency(data.get("currency") or "")
    except CurrencyError as exc:
        errors["currency"] = [str(exc)]
        currency = None
    start = date_field(data, "effective_from", errors, required=True)
    end = date_field(data, "effective_to", errors, required=False)
    if start and end and end < start:
        errors["effective_to"] = ["The end date must not be before the start date."]
    duty_free = amount_field(data.get("duty_free_threshold"), currency, "duty_free_threshold",
                             errors, required=True)
    tax_free = amount_field(data.get("tax_free_threshold"), currency, "tax_free_threshold",
                            errors, required=False)
    max_consignment = amount_field(data.get("max_consignment"), currency, "max_consignment",
                                   errors, required=False, positive=True)
    mode = data.get("collection")
    collection_limit: int | None = None
    if mode not in COLLECTION_MODES:
        errors["collection"] = ["Choose when duties and taxes are paid."]
    elif mode == "ddu":
        collection_limit = 0
    elif mode == "limit":
        collection_limit = amount_field(data.get("checkout_collection_limit"), currency,
                                        "checkout_collection_limit", errors, required=True)
    default_duty = percent_field(data.get("default_duty_rate"), "default_duty_rate", errors)
    vat = percent_field(data.get("vat_rate"), "vat_rate", errors)
    includes_shipping = flag_field(data, "tax_includes_shipping", errors)
    includes_duty = flag_field(data, "tax_includes_duty", errors)
    # Older files without the flag: nothing refundable on return.
    refundable = flag_field({"duty_tax_refundable_on_return": False, **data},
                            "duty_tax_refundable_on_return", errors)
    duty_rates = _clean_duty_rates(data.get("duty_rates"), errors)
    source_url = text_field(data, "source_url", errors, max_length=500, required=False,
                            message="Give the official page as an https:// address of up to 500 "
                                    "characters.")
    if source_url and not URL.fullmatch(source_url):
        errors["source_url"] = ["Give the official page as an https:// address of up to 500 "
                                "characters."]
    source_title = text_field(data, "source_title", errors, max_length=300, required=False,
                              message="The page title takes up to 300 characters.")
    verified_on = date_field(data, "verified_on", errors, required=False)
    item_duty = amount_field(data.get("low_value_item_duty"), currency, "low_value_item_duty",
                             errors, required=False)
    preferences = (_clean_preferences(data.get("preferences"), currency, errors)
                   if "preferences" in data else None)
    per_item = None
    if data.get("checkout_limit_per_item") is not None:
        per_item = flag_field(data, "checkout_limit_per_item", errors)
        if per_item and mode != "limit":
            errors["checkout_limit_per_item"] = [
                "Only a checkout collection limit can apply to each item."]
    check_confidence(data, errors)
    if errors:
        raise ValidationFailed("Check the market rule.", fields=errors)
    return CleanRule(
        country=country, name=name, effective_from=start, effective_to=end, currency=currency,
        duty_free_threshold_minor=duty_free, tax_free_threshold_minor=tax_free,
        default_duty_rate=default_duty, vat_rate=vat, tax_includes_shipping=includes_shipping,
        tax_includes_duty=includes_duty, duty_tax_refundable_on_return=refundable,
        checkout_collection_limit_minor=collection_limit,
        max_consignment_minor=max_consignment, source=source, notes=notes,
        duty_rates=duty_rates, source_url=source_url, source_title=source_title,
        verified_on=verified_on, low_value_item_duty_minor=item_duty, preferences=preferences,
        checkout_limit_per_item=per_item)


def _countries(row: Mapping, key: str, errors: dict[str, list[str]]) -> list[str]:
    """A preference's list of country codes (may be absent); every code must be known."""
    codes = row.get(key)
    if codes in (None, []):  # as stored: a preference keeps an empty list of the other kind
        return []
    if not isinstance(codes, list) or not all(
            isinstance(code, str) and is_country(code) for code in codes):
        errors[key] = ["List the countries as codes such as US or MX."]
        return []
    return sorted({code.upper() for code in codes})


def _clean_preferences(raw: Any, currency: str | None,
                       errors: dict[str, list[str]]) -> list[dict]:
    """Preferential treatment: a duty rate by the goods' `origins`, or thresholds by the
    countries the parcel is `shipped_from` (CUSMA's and KORUS's low-value limits follow the
    place of shipment) or by `origins` when every item must be of them (the US taking
    de minimis from products of China). Each row has one kind of term.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors["preferences"] = ["Expected a list of preferences."]
        return []
    clean: list[dict] = []
    for index, row in enumerate(raw):
        key = f"preferences.{index}"
        if not isinstance(row, Mapping):
            errors[key] = ["Expected a name, origins and a duty rate, or shipped_from and "
                           "thresholds."]
            continue
        found: dict[str, list[str]] = {}
        name = row.get("name").strip() if isinstance(row.get("name"), str) else ""
        if not name or len(name) > 120:
            found["name"] = ["Name the agreement or treatment, up to 120 characters."]
        origins = _countries(row, "origins", found)
        shipped_from = _countries(row, "shipped_from", found)
        given_rate = row.get("duty_rate") not in (None, "")
        fraction = percent_field(row["duty_rate"], "duty_rate", found) if given_rate else None
        rate = None if fraction is None else str(fraction)
        thresholds = {
            name_: amount_field(row.get(name_), currency, name_, found, required=False)
            for name_ in ("duty_free_threshold", "tax_free_threshold")}
        has_threshold = any(row.get(n) not in (None, "") for n in thresholds)
        source = row.get("source").strip() if isinstance(row.get("source"), str) else ""
        if not source or len(source) > MAX_TEXT:
            found["source"] = ["Say where the preference comes from."]
        if given_rate == has_threshold:
            found["duty_rate"] = ["Give a duty rate (by origins) or thresholds (by shipped_from "
                                  "or origins): one of them, in its own preference."]
        elif given_rate and row.get("shipped_from") not in (None, []):
            found["shipped_from"] = ["A duty rate follows the goods' origin: list origins, "
                                     "not shipped_from."]
        elif origins and shipped_from:
            found["shipped_from"] = ["Thresholds follow either where parcels ship from or "
                                     "the origin of every item: list one, not both."]
        elif not (origins or shipped_from) and not {"origins", "shipped_from"} & set(found):
            found["shipped_from" if has_threshold else "origins"] = [
                "List the countries it applies to, such as US or MX."]
        errors.update({f"{key}.{field}": messages for field, messages in found.items()})
        clean.append({"name": name, "origins": origins, "shipped_from": shipped_from,
                      "duty_rate": rate, **thresholds, "source": source})
    return clean


def _clean_duty_rates(raw: Any, errors: dict[str, list[str]]) -> tuple[CleanDutyRate, ...]:
    """Rows of HS prefix and rate; empty rows and rows marked `remove` are skipped."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errors["duty_rates"] = ["Expected a list of duty rates."]
        return ()
    rates: list[CleanDutyRate] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(raw):
        if not isinstance(row, Mapping):
            errors[f"duty_rates.{index}.hs_prefix"] = ["Expected an HS prefix and a rate."]
            continue
        prefix_text, rate_text, description = (
            row.get(key) if isinstance(row.get(key), str) else ""
            for key in ("hs_prefix", "rate", "description"))
        if row.get("remove") or not (prefix_text.strip() or rate_text.strip()
                                     or description.strip()):
            continue
        prefix = re.sub(r"[\s.]", "", prefix_text)
        if not HS_PREFIX.fullmatch(prefix):
            errors[f"duty_rates.{index}.hs_prefix"] = [
                "An HS prefix is 2 to 10 digits, e.g. 61 or 0902."]
        elif prefix in seen:
            errors[f"duty_rates.{index}.hs_prefix"] = [f"{prefix} is listed twice."]
        else:
            seen[prefix] = index
        rate = percent_field(rate_text, f"duty_rates.{index}.rate", errors)
        description = description.strip()
        if len(description) > 200:
            errors[f"duty_rates.{index}.description"] = ["Up to 200 characters."]
        if rate is not None and seen.get(prefix) == index:
            rates.append(CleanDutyRate(prefix, rate, description))
    if len(rates) > MAX_DUTY_RATES:
        errors["duty_rates"] = [f"At most {MAX_DUTY_RATES} duty rates per rule."]
    return tuple(sorted(rates, key=lambda d: d.hs_prefix))


def apply_clean_rule(rule: MarketRule, clean: CleanRule) -> None:
    """Write the clean values; duty rates are matched by HS prefix (kept, changed, removed)."""
    for name in clean.__dataclass_fields__:
        value = getattr(clean, name)
        if name != "duty_rates" and not (name in KEPT_WHEN_NOT_GIVEN and value is None):
            setattr(rule, name, value)
    wanted = {d.hs_prefix: d for d in clean.duty_rates}
    for row in list(rule.duty_rates):
        if row.hs_prefix not in wanted:
            rule.duty_rates.remove(row)
    have = {row.hs_prefix: row for row in rule.duty_rates}
    for prefix, duty in wanted.items():
        row = have.get(prefix)
        if row is None:
            rule.duty_rates.append(DutyRate(hs_prefix=prefix, rate=duty.rate,
                                            description=duty.description))
        else:
            row.rate, row.description = duty.rate, duty.description
