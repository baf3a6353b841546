"""Duties and import taxes for a cross-border consignment, from the destination's market rule.

All amounts of one assessment are in one currency (the shopper's presentment
currency). Only the comparison with the rule's thresholds needs the rule's
currency; it uses the mid-market rate, as customs do, not the shopper's rate.
Duty is rounded per line, tax once on its base, both by the house rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.markets import DutyRate, MarketRule, RegionTax
from app.money import Money
from app.services import fx
from app.services.markets.assessment import (
    Assessment,
    Charge,
    ConsignmentLimitExceeded,
    DutiableLine,
    LineTreatment,
    Relief,
)
from app.services.markets.region_tax_input import clean_region_tax, region_tax_data_from_json
from app.services.markets.rule_cache import (
    DutyRateTerms,
    RegionTaxTerms,
    RuleTerms,
    region_tax_terms,
    rule_book_shelf,
    rule_terms,
)
from app.services.markets.rule_input import (
    apply_clean_rule,
    clean_market_rule,
    rule_data_from_json,
)

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "market_rules.json"


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


def region_tax_for(country: str, region: str, on: date) -> RegionTax | None:
    """The regional tax in force in `region` of `country` on `on`, if any."""
    return db.session.scalar(
        select(RegionTax)
        .where(RegionTax.country == country.upper(), RegionTax.region == region.upper(),
               RegionTax.effective_from <= on)
        .where(or_(RegionTax.effective_to.is_(None), RegionTax.effective_to >= on))
        .order_by(RegionTax.effective_from.desc())
        .limit(1)
    )


def _matching_rate(rule: MarketRule | RuleTerms, hs_code: str
                   ) -> DutyRate | DutyRateTerms | None:
    digits = "".join(ch for ch in hs_code if ch.isdigit())
    best = None
    for candidate in rule.duty_rates:
        if digits.startswith(candidate.hs_prefix) and (
            best is None or len(candidate.hs_prefix) > len(best.hs_prefix)
        ):
            best = candidate
    return best


def duty_rate_for(rule: MarketRule | RuleTerms, hs_code: str) -> Decimal:
    """The longest matching HS prefix's rate, else the rule's default."""
    best = _matching_rate(rule, hs_code)
    return best.rate if best else rule.default_duty_rate


def line_duty_rate(rule: MarketRule | RuleTerms, hs_code: str, origin: str) -> tuple[Decimal, str]:
    """The duty rate of a line by its HS code and origin, and what decided it.

    A preference listing the origin with a duty rate wins over the HS rate.
    """
    for preference in rule.preferences or []:
        if origin in preference.get("origins", []) and preference.get("duty_rate") is not None:
            rate = Decimal(preference["duty_rate"])
            return rate, f"{preference['name']} ({origin} origin): {_percent(rate)} %"
    best = _matching_rate(rule, hs_code)
    if best is not None:
        return best.rate, f"HS {best.hs_prefix}: {_percent(best.rate)} %"
    return rule.default_duty_rate, f"default rate: {_percent(rule.default_duty_rate)} %"


def _percent(rate: Decimal) -> str:
    return format(rate.scaleb(2).normalize(), "f")


def _threshold_preference(rule: RuleTerms, ship_from: str, origins: set[str]) -> dict | None:
    """The preference whose thresholds apply to this parcel, if any: one listing the place
    it ships from (CUSMA's courier limits), or one listing the origin of every line in it
    (the US taking de minimis from products of China in 2025).
    """
    for preference in rule.preferences or []:
        if preference.get("duty_free_threshold") is None \
                and preference.get("tax_free_threshold") is None:
            continue
        if ship_from in preference.get("shipped_from", []) or \
                origins and origins <= set(preference.get("origins", [])):
            return preference
    return None


def _shipping_part(tax: Money, base: Money, shipping: Money) -> Money:
    """The share of a tax charged on `base` that falls on its `shipping` (sums exactly)."""
    if not tax.minor or not shipping.minor:
        return Money.zero(tax.currency)
    return tax.split([base.minor - shipping.minor, shipping.minor])[1]


def _hs6(hs_code: str) -> str:
    return "".join(ch for ch in hs_code if ch.isdigit())[:6]


class RuleBook:
    """Import rules, regional taxes and rates into their currencies, each looked up once.

    A quote assesses one parcel per store, all bound for the same country on the same
    day; sharing a book saves each further parcel its rule and rate queries. Rules and
    regional taxes also come from the process's shelf (app.services.markets.rule_cache)
    while the rule book's token is unchanged, so most quotes read none of them.
    """

    def __init__(self) -> None:
        self._rules: dict[tuple[str, date], RuleTerms | None] = {}
        self._regions: dict[tuple[str, str, date], RegionTaxTerms | None] = {}
        self._rates: dict[tuple[str, str], fx.LockedRate] = {}
        self._shelf: dict | None = None
        self._shelf_looked_up = False

    def _kept(self, key: tuple, read: Callable[[], Any]) -> Any:
        """The shelf's entry for `key`, else `read()` (kept on the shelf when allowed)."""
        if not self._shelf_looked_up:
            self._shelf, self._shelf_looked_up = rule_book_shelf(), True
        if self._shelf is None:
            return read()
        if key not in self._shelf:
            self._shelf[key] = read()
        return self._shelf[key]

    def rule(self, country: str, on: date) -> RuleTerms | None:
        """`rule_for`, remembered."""
        key = (country.upper(), on)
        if key not in self._rules:
            self._rules[key] = self._kept(("rule", *key),
                                          lambda: rule_terms(rule_for(country, on)))
        return self._rules[key]

    def region_tax(self, country: str, region: str, on: date) -> RegionTaxTerms | None:
        """`region_tax_for`, remembered."""
        key = (country.upper(), region.upper(), on)
        if key not in self._regions:
            self._regions[key] = self._kept(
                ("region", *key), lambda: region_tax_terms(region_tax_for(country, region, on)))
        return self._regions[key]

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
    region: str = "",
) -> Assessment:
    """Duties and taxes for one store's parcel; nothing for a domestic shipment.

    `origin_country` is where the parcel ships from: a domestic parcel clears no customs,
    and thresholds such as CUSMA's courier limits follow the place of shipment. Each
    line's own origin decides its preferential duty rate. `region` is the destination's
    subdivision code (state, province) for regional taxes.
    """
    book = book or RuleBook()
    currency = shipping.currency
    zero = Money.zero(currency)
    ship_from = origin_country.upper()
    if ship_from == destination_country.upper():
        return _domestic(destination_country, region, lines, shipping, on, book)
    rule = book.rule(destination_country, on)
    if rule is None:
        return Assessment(zero, zero, False, None, "No import rule on record",
                          "Duties and taxes, if any, are due on delivery.")
    locked = book.rate(currency, rule.currency)

    def in_rule_currency(money: Money) -> int:
        return (money if currency == rule.currency
                else money.convert(locked.mid_rate, rule.currency)).minor

    goods_minor = in_rule_currency(sum((line.value for line in lines), zero))
    if rule.max_consignment_minor is not None and goods_minor > rule.max_consignment_minor:
        limit = Money(rule.max_consignment_minor, rule.currency)
        raise ConsignmentLimitExceeded(
            f"{rule.name}: one order from a store may be worth at most "
            f"{limit.amount} {limit.currency}. Remove some items or split the order.",
        )
    origins = [(line.origin_country or ship_from).upper() for line in lines]
    preference = _threshold_preference(rule, ship_from, set(origins))
    duty_free = rule.duty_free_threshold_minor
    tax_free = rule.tax_free_threshold_minor
    if preference is not None:
        if preference.get("duty_free_threshold") is not None:
            duty_free = preference["duty_free_threshold"]
        if preference.get("tax_free_threshold") is not None:
            tax_free = preference["tax_free_threshold"]
    terms = _Terms(rule, book, preference, duty_exempt=goods_minor <= duty_free,
                   tax_applies=tax_free is None or goods_minor > tax_free,
                   regional=book.region_tax(destination_country, region, on)
                   if region else None)
    parts = _collection_parts(rule, lines, shipping, goods_minor, in_rule_currency)
    collected = any(part.at_checkout for part in parts)
    charges: list[Charge] = []
    treatments: dict[int, LineTreatment] = {}
    duties = taxes = shipping_taxes = due_later = zero
    for part in parts:
        part_lines = [lines[i] for i in part.indices]
        part_duties, part_taxes, on_shipping, part_charges, part_treatments = _assess_part(
            terms, part_lines, [origins[i] for i in part.indices], part.shipping,
            at_checkout=part.at_checkout)
        charges += part_charges
        treatments.update(zip(part.indices, part_treatments, strict=True))
        if part.at_checkout == collected:
            duties, taxes = duties + part_duties, taxes + part_taxes
            shipping_taxes += on_shipping
        else:
            due_later += part_duties + part_taxes
    relief = _relief(Money(goods_minor, rule.currency), duty_free, tax_free,
                     duty_exempt=terms.duty_exempt,
                     flat_duty=bool(rule.low_value_item_duty_minor),
                     tax_applies=terms.tax_applies,
                     preference=preference["name"] if preference else "")
    return Assessment(duties, taxes, collected, rule.id, rule.name, rule.source,
                      rule.source_url, tuple(charges),
                      tuple(treatments[i] for i in range(len(lines))), relief,
                      shipping_taxes, due_later)


@dataclass(frozen=True)
class _Terms:
    """What one parcel's rule, allowances and regional tax decided, shared by its parts."""

    rule: RuleTerms
    book: RuleBook
    preference: dict | None
    duty_exempt: bool
    tax_applies: bool
    regional: RegionTaxTerms | None


@dataclass(frozen=True)
class _Part:
    """Lines of a parcel whose duties and taxes are paid the same way, with their shipping."""

    indices: tuple[int, ...]
    shipping: Money
    at_checkout: bool


def _collection_parts(rule: RuleTerms, lines: list[DutiableLine], shipping: Money,
                      goods_minor: int, in_rule_currency: Callable[[Money], int]
                      ) -> list[_Part]:
    """The parcel as one part, or, where the checkout limit applies to each item, its items
    up to the limit (collected at checkout) and the dearer ones (due on delivery), each with
    its share of the shipping by value.
    """
    limit = rule.checkout_collection_limit_minor
    everything = tuple(range(len(lines)))
    if limit is None:
        return [_Part(everything, shipping, True)]
    if not rule.checkout_limit_per_item:
        return [_Part(everything, shipping, goods_minor <= limit)]
    low = tuple(i for i, line in enumerate(lines)
                if in_rule_currency(line.value) <= limit * line.quantity)
    high = tuple(i for i in everything if i not in low)
    if not low or not high:
        return [_Part(everything, shipping, bool(low))]
    weights = [sum(lines[i].value.minor for i in part) for part in (low, high)]
    on_low, on_high = shipping.split(weights if sum(weights) else [1, 1])
    return [_Part(low, on_low, True), _Part(high, on_high, False)]


def _assess_part(terms: _Terms, lines: list[DutiableLine], origins: list[str],
                 shipping: Money, *, at_checkout: bool
                 ) -> tuple[Money, Money, Money, list[Charge], list[LineTreatment]]:
    """Duties, taxes, the taxes' share on shipping, charges and line treatments of a part."""
    rule, preference = terms.rule, terms.preference
    currency = shipping.currency
    zero = Money.zero(currency)
    charges: list[Charge] = []
    treatments: list[LineTreatment] = []

    def charge(kind: str, label: str, amount: Money) -> None:
        if amount.minor:
            charges.append(Charge(kind, label, amount, rule.name, rule.source,
                                  rule.source_url, at_checkout))

    duties = zero
    goods = sum((line.value for line in lines), zero)
    if not terms.duty_exempt:
        for line, origin in zip(lines, origins, strict=True):
            rate, why = line_duty_rate(rule, line.hs_code, origin)
            duties += line.value.percent(rate)
            treatments.append(LineTreatment(line.hs_code, origin, why, at_checkout))
        charge("duty", "Customs duty", duties)
    elif rule.low_value_item_duty_minor:
        flat = Money(rule.low_value_item_duty_minor, rule.currency)
        if currency != rule.currency:
            flat = flat.convert(terms.book.rate(rule.currency, currency).mid_rate, currency)
        subheadings = sorted({_hs6(line.hs_code) for line in lines})
        duties = flat.times(len(subheadings))
        treatments += [LineTreatment(line.hs_code, origin,
                                     f"flat {flat.amount} {flat.currency} per tariff "
                                     "subheading", at_checkout)
                       for line, origin in zip(lines, origins, strict=True)]
        charge("duty", f"Flat duty {flat.amount} {flat.currency} × {len(subheadings)} "
               "tariff subheading(s)", duties)
    else:
        why = "no duty up to the threshold"
        if preference is not None and preference.get("duty_free_threshold") is not None:
            why = f"{preference['name']}: no duty up to its threshold"
        treatments += [LineTreatment(line.hs_code, origin, why, at_checkout)
                       for line, origin in zip(lines, origins, strict=True)]
    taxes = shipping_taxes = zero
    if terms.tax_applies:
        base = goods + (shipping if rule.tax_includes_shipping else zero) + \
            (duties if rule.tax_includes_duty else zero)
        taxes = base.percent(rule.vat_rate)
        if rule.tax_includes_shipping:
            shipping_taxes += _shipping_part(taxes, base, shipping)
        charge("tax", f"Import VAT/GST {_percent(rule.vat_rate)} %", taxes)
    regional = terms.regional
    if regional is not None and (terms.tax_applies or regional.collected_by == "marketplace"):
        base = goods + (shipping if regional.includes_shipping else zero)
        if regional.collected_by == "customs" and rule.tax_includes_duty:
            base += duties
        amount = base.percent(regional.rate)
        if regional.includes_shipping:
            shipping_taxes += _shipping_part(amount, base, shipping)
        taxes += amount
        if amount.minor:
            charges.append(Charge("region_tax", f"{regional.name} {_percent(regional.rate)} %",
                                  amount, regional.name, regional.source,
                                  regional.source_url, at_checkout))
    return duties, taxes, shipping_taxes, charges, treatments


# Where the book holds every tax a marketplace collects on a domestic sale. Canada's
# marketplace rules add the federal GST/HST, which the book does not hold for domestic
# sales: charging a province's PST alone would be wrong, so Canadian domestic sales are
# quoted without tax until GST/HST is modelled.
DOMESTIC_SALES_TAX_COUNTRIES = frozenset({"US"})


def _domestic(country: str, region: str, lines: list[DutiableLine], shipping: Money, on: date,
              book: RuleBook) -> Assessment:
    """A parcel that clears no customs: only a sales tax the marketplace must collect.

    US states' marketplace facilitator laws make Qiao collect the state's sales tax on
    every sale delivered there, from a store in the same country as from abroad.
    """
    zero = Money.zero(shipping.currency)
    regional = (book.region_tax(country, region, on)
                if region and country.upper() in DOMESTIC_SALES_TAX_COUNTRIES else None)
    if regional is None or regional.collected_by != "marketplace":
        return Assessment(zero, zero, True, None, "Domestic shipment", "",
                          relief=Relief("domestic"))
    base = sum((line.value for line in lines), zero)
    if regional.includes_shipping:
        base += shipping
    amount = base.percent(regional.rate)
    charges = (Charge("region_tax", f"{regional.name} {_percent(regional.rate)} %", amount,
                      regional.name, regional.source, regional.source_url),) if amount.minor \
        else ()
    on_shipping = _shipping_part(amount, base, shipping) if regional.includes_shipping \
        else zero
    return Assessment(zero, amount, True, None, "Domestic shipment", regional.source,
                      regional.source_url, charges, relief=Relief("domestic"),
                      shipping_taxes=on_shipping)


def _relief(goods: Money, duty_free: int, tax_free: int | None, *, duty_exempt: bool,
            flat_duty: bool, tax_applies: bool, preference: str = "") -> Relief:
    """Name the allowance that decided a parcel's duty and import tax."""
    def allowance(minor: int) -> Money:
        return Money(minor, goods.currency)

    if duty_exempt and flat_duty:
        return Relief("flat_duty", allowance(duty_free), goods, preference)
    if duty_exempt and not tax_applies:
        smallest = duty_free if tax_free is None else min(duty_free, tax_free)
        return Relief("exempt", allowance(smallest), goods, preference)
    if duty_exempt:
        return Relief("duty_exempt", allowance(duty_free), goods, preference)
    if not tax_applies and tax_free is not None:
        return Relief("tax_exempt", allowance(tax_free), goods, preference)
    if duty_free > 0:
        return Relief("over_allowance", allowance(duty_free), goods, preference)
    return Relief("no_allowance", None, goods, preference)


def load_market_rules(path: Path = RULES_FILE) -> int:
    """Insert the shipped rules and regional taxes that are missing (by country and start).

    Every entry goes through the same validator as the admin pages; the count is of
    market rules added.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    existing = {(r.country, r.effective_from) for r in db.session.scalars(select(MarketRule))}
    added = 0
    for entry in data["rules"]:
        clean = clean_market_rule(rule_data_from_json(entry))
        if (clean.country, clean.effective_from) in existing:
            continue
        rule = MarketRule()
        apply_clean_rule(rule, clean)
        db.session.add(rule)
        added += 1
    regions = {(t.country, t.region, t.effective_from)
               for t in db.session.scalars(select(RegionTax))}
    for entry in data.get("region_taxes", []):
        tax = clean_region_tax(region_tax_data_from_json(entry))
        if (tax.country, tax.region, tax.effective_from) not in regions:
            db.session.add(RegionTax(**vars(tax)))
    db.session.flush()
    return added
