"""Duties and import taxes for a cross-border consignment, from the destination's market rule.

All amounts of one assessment are in one currency (the shopper's presentment
currency). Only the comparison with the rule's thresholds needs the rule's
currency; it uses the mid-market rate, as customs do, not the shopper's rate.
Duty is rounded per line, tax once on its base, both by the house rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.markets import DutyRate, MarketRule
from app.money import Money
from app.services import fx
from app.services.errors import DomainError

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "market_rules.json"


class ConsignmentLimitExceeded(DomainError):
    """The destination's import regime caps what one parcel may be worth."""

    code = "consignment_limit_exceeded"
    status = 422


@dataclass(frozen=True)
class DutiableLine:
    """One line of a consignment: its HS code and its total value."""

    hs_code: str
    value: Money


@dataclass(frozen=True)
class Assessment:
    """Duties and taxes of one consignment, and when they are paid."""

    duties: Money
    taxes: Money
    collected_at_checkout: bool
    rule_id: int | None
    rule_name: str
    source: str

    @property
    def total(self) -> Money:
        """Duties plus taxes."""
        return self.duties + self.taxes


def rule_for(country: str, on: date) -> MarketRule | None:
    """The rule in force for imports into `country` on `on`, if Qiao has one."""
    return db.session.scalar(
        select(MarketRule)
        .options(selectinload(MarketRule.duty_rates))
        .where(MarketRule.country == country.upper(), MarketRule.effective_from <= on)
        .where(or_(MarketRule.effective_to.is_(None), MarketRule.effective_to >= on))
        .order_by(MarketRule.effective_from.desc())
        .limit(1)
    )


def duty_rate_for(rule: MarketRule, hs_code: str) -> Decimal:
    """The longest matching HS prefix's rate, else the rule's default."""
    digits = "".join(ch for ch in hs_code if ch.isdigit())
    best: DutyRate | None = None
    for candidate in rule.duty_rates:
        if digits.startswith(candidate.hs_prefix) and (
            best is None or len(candidate.hs_prefix) > len(best.hs_prefix)
        ):
            best = candidate
    return best.rate if best else rule.default_duty_rate


class RuleBook:
    """Import rules and rates into their currencies, each looked up once.

    A quote assesses one parcel per store, all bound for the same country on the same
    day; sharing a book saves each further parcel its rule and rate queries.
    """

    def __init__(self) -> None:
        self._rules: dict[tuple[str, date], MarketRule | None] = {}
        self._rates: dict[tuple[str, str], fx.LockedRate] = {}

    def rule(self, country: str, on: date) -> MarketRule | None:
        """`rule_for`, remembered."""
        key = (country.upper(), on)
        if key not in self._rules:
            self._rules[key] = rule_for(country, on)
        return self._rules[key]

    def rate(self, from_currency: str, to_currency: str) -> fx.LockedRate:
        """`fx.lock_rate`, remembered."""
        key = (from_currency, to_currency)
        if key not in self._rates:
            self._rates[key] = fx.lock_rate(from_currency, to_currency)
        return self._rates[key]


def assess(
    *,
    origin_country: str,
    destination_country: str,
    lines: list[DutiableLine],
    shipping: Money,
    on: date,
    book: RuleBook | None = None,
) -> Assessment:
    """Duties and taxes for one store's parcel; nothing for a domestic shipment."""
    book = book or RuleBook()
    currency = shipping.currency
    zero = Money.zero(currency)
    if origin_country.upper() == destination_country.upper():
        return Assessment(zero, zero, True, None, "Domestic shipment", "")
    rule = book.rule(destination_country, on)
    if rule is None:
        return Assessment(zero, zero, False, None, "No import rule on record",
                          "Duties and taxes, if any, are due on delivery.")
    goods = sum((line.value for line in lines), zero)
    locked = book.rate(currency, rule.currency)
    goods_in_rule_currency = (
        goods if currency == rule.currency else goods.convert(locked.mid_rate, rule.currency)
    ).minor

    if rule.max_consignment_minor is not None and goods_in_rule_currency > \
            rule.max_consignment_minor:
        limit = Money(rule.max_consignment_minor, rule.currency)
        raise ConsignmentLimitExceeded(
            f"{rule.name}: one order from a store may be worth at most "
            f"{limit.amount} {limit.currency}. Remove some items or split the order.",
        )
    duties = zero
    if goods_in_rule_currency > rule.duty_free_threshold_minor:
        for line in lines:
            duties += line.value.percent(duty_rate_for(rule, line.hs_code))
    taxes = zero
    if rule.tax_free_threshold_minor is None or \
            goods_in_rule_currency > rule.tax_free_threshold_minor:
        base = goods
        if rule.tax_includes_shipping:
            base += shipping
        if rule.tax_includes_duty:
            base += duties
        taxes = base.percent(rule.vat_rate)
    at_checkout = rule.checkout_collection_limit_minor is None or \
        goods_in_rule_currency <= rule.checkout_collection_limit_minor
    return Assessment(duties, taxes, at_checkout, rule.id, rule.name, rule.source)


def load_market_rules(path: Path = RULES_FILE) -> int:
    """Insert the shipped rules that are missing (keyed by country and start date)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = {(r.country, r.effective_from) for r in db.session.scalars(select(MarketRule))}
    added = 0
    for entry in data["rules"]:
        start = date.fromisoformat(entry["effective_from"])
        if (entry["country"], start) in existing:
            continue
        currency = entry["currency"]

        def minor(value: str | None, currency: str = currency) -> int | None:
            return None if value is None else Money.from_decimal(value, currency).minor

        rule = MarketRule(
            country=entry["country"], name=entry["name"], effective_from=start,
            effective_to=date.fromisoformat(entry["effective_to"]) if entry["effective_to"]
            else None,
            currency=currency,
            duty_free_threshold_minor=minor(entry["duty_free_threshold"]),
            tax_free_threshold_minor=minor(entry["tax_free_threshold"]),
            default_duty_rate=Decimal(entry["default_duty_rate"]),
            vat_rate=Decimal(entry["vat_rate"]),
            tax_includes_shipping=entry["tax_includes_shipping"],
            tax_includes_duty=entry["tax_includes_duty"],
            duty_tax_refundable_on_return=entry.get("duty_tax_refundable_on_return", False),
            checkout_collection_limit_minor=minor(entry["checkout_collection_limit"]),
            max_consignment_minor=minor(entry["max_consignment"]),
            source=entry["source"], notes=entry["notes"],
            duty_rates=[DutyRate(hs_prefix=d["hs_prefix"], rate=Decimal(d["rate"]),
                                 description=d["description"]) for d in entry["duty_rates"]],
        )
        db.session.add(rule)
        added += 1
    db.session.flush()
    return added
