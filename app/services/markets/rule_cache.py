"""The rule book every quote reads, kept in each process between quotes.

Market rules with their duty rates and regional taxes change a few times a year, yet
each quote read them again (three statements and their ORM loading, a tenth of a
quote). Each process now keeps them as frozen copies under the `rule_book` token of
app.core.cache_versions: any write to `market_rules`, `duty_rates` or `region_taxes`
(the admin pages, `flask markets load`, a migration's data, a test) gives the token a new
value in its own transaction, and a quote reads the tokens first (one small query), so
an edit on one server is in the next quote on every server. Entries are keyed by country
(and region) and day, so a new dated version applies from its first day.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import Decimal

from flask import Flask

from app.core.cache_versions import shelf, track_table_writes
from app.models.markets import MarketRule, RegionTax

VERSION_NAME = "rule_book"
RULE_BOOK_TABLES = frozenset({"market_rules", "duty_rates", "region_taxes"})


@dataclass(frozen=True)
class DutyRateTerms:
    """A duty rate as assessments read it."""

    hs_prefix: str
    rate: Decimal


@dataclass(frozen=True)
class RuleTerms:
    """A market rule as assessments read it, detached from any database session."""

    id: int
    country: str
    name: str
    currency: str
    duty_free_threshold_minor: int
    tax_free_threshold_minor: int | None
    default_duty_rate: Decimal
    vat_rate: Decimal
    tax_includes_shipping: bool
    tax_includes_duty: bool
    checkout_collection_limit_minor: int | None
    checkout_limit_per_item: bool
    max_consignment_minor: int | None
    low_value_item_duty_minor: int | None
    source: str
    source_url: str
    preferences: tuple[dict, ...]
    duty_rates: tuple[DutyRateTerms, ...]


@dataclass(frozen=True)
class RegionTaxTerms:
    """A regional tax as assessments read it."""

    name: str
    rate: Decimal
    includes_shipping: bool
    collected_by: str
    source: str
    source_url: str


def rule_terms(rule: MarketRule | None) -> RuleTerms | None:
    """A frozen copy of a rule and its duty rates (loaded with it)."""
    if rule is None:
        return None
    return RuleTerms(
        id=rule.id, country=rule.country, name=rule.name, currency=rule.currency,
        duty_free_threshold_minor=rule.duty_free_threshold_minor,
        tax_free_threshold_minor=rule.tax_free_threshold_minor,
        default_duty_rate=rule.default_duty_rate, vat_rate=rule.vat_rate,
        tax_includes_shipping=rule.tax_includes_shipping,
        tax_includes_duty=rule.tax_includes_duty,
        checkout_collection_limit_minor=rule.checkout_collection_limit_minor,
        checkout_limit_per_item=rule.checkout_limit_per_item,
        max_consignment_minor=rule.max_consignment_minor,
        low_value_item_duty_minor=rule.low_value_item_duty_minor,
        source=rule.source, source_url=rule.source_url,
        # Copied: the ORM's JSON value is mutable and shared with its session.
        preferences=tuple(copy.deepcopy(rule.preferences or [])),
        duty_rates=tuple(DutyRateTerms(d.hs_prefix, d.rate) for d in rule.duty_rates))


def region_tax_terms(tax: RegionTax | None) -> RegionTaxTerms | None:
    """A frozen copy of a regional tax."""
    if tax is None:
        return None
    return RegionTaxTerms(tax.name, tax.rate, tax.includes_shipping, tax.collected_by,
                          tax.source, tax.source_url)


def rule_book_shelf() -> dict | None:
    """The rules and regional taxes this process keeps under the current token, by
    ("rule", country, day) and ("region", country, region, day); None: read the database.
    """
    return shelf(VERSION_NAME)


def track_rule_book_writes(app: Flask) -> None:
    """Move the rule book's token on with every transaction that writes it."""
    track_table_writes(app, VERSION_NAME, RULE_BOOK_TABLES)
