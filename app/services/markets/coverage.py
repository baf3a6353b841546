"""How well the rule book covers the destinations stores sell to (`flask markets check` and
the admin markets page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Product, Store, User
from app.models.markets import MarketRule, RegionTax
from app.services.markets.landed_cost import rule_for
from app.services.permissions import require_platform_role


@dataclass(frozen=True)
class Coverage:
    """How well the rule book covers one destination some store sells to."""

    country: str
    rule: MarketRule | None
    stores: int
    uncovered_hs: tuple[str, ...]  # HS codes of products sold there that get the default rate
    region_taxes: int


def market_coverage(on: date) -> list[Coverage]:
    """Per destination in any store's `sells_to`: the rule in force, its source date, and the
    HS codes of products sold there without a duty rate of their own (default rate used).
    """
    stores = list(db.session.scalars(select(Store)))
    destinations: dict[str, list[int]] = {}
    for store in stores:
        for country in store.sells_to or []:
            destinations.setdefault(country.upper(), []).append(store.id)
    hs_by_store: dict[int, set[str]] = {}
    for store_id, hs_code in db.session.execute(
            select(Product.store_id, Product.hs_code).where(Product.status == "active")):
        digits = "".join(ch for ch in (hs_code or "") if ch.isdigit())
        if digits:
            hs_by_store.setdefault(store_id, set()).add(digits)
    regions = dict(db.session.execute(
        select(RegionTax.country, func.count()).group_by(RegionTax.country)).all())
    rows = []
    for country in sorted(destinations):
        rule = rule_for(country, on)
        codes = set().union(*(hs_by_store.get(s, set()) for s in destinations[country]))
        # A market that charges no duty at all (HK, SG, CN cross-border) leaves no gap.
        duty_free_market = rule is not None and not rule.duty_rates and \
            rule.default_duty_rate == 0 and not rule.low_value_item_duty_minor
        uncovered = tuple(sorted(code for code in codes if rule is not None
                                 and not duty_free_market and not any(
                                     code.startswith(d.hs_prefix) for d in rule.duty_rates)))
        rows.append(Coverage(country, rule, len(destinations[country]), uncovered,
                             regions.get(country, 0)))
    return rows


def market_coverage_for_admin(actor: User, on: date) -> list[Coverage]:
    """`market_coverage`, for platform admins."""
    require_platform_role(actor, "admin")
    return market_coverage(on)


def describe_coverage(rows: list[Coverage]) -> list[str]:
    """The coverage report as plain-text lines (for `flask markets check`)."""
    lines = []
    for row in rows:
        if row.rule is None:
            lines.append(f"{row.country}  MISSING: no rule in force ({row.stores} store(s) "
                         "sell there)")
            continue
        checked = row.rule.verified_on.isoformat() if row.rule.verified_on else "not checked"
        lines.append(f"{row.country}  {row.rule.name} (from "
                     f"{row.rule.effective_from.isoformat()}; source checked: {checked})"
                     + (f"; {row.region_taxes} regional tax(es)" if row.region_taxes else ""))
        if row.rule.source_url:
            lines.append(f"  source: {row.rule.source_url}")
        if row.uncovered_hs:
            lines.append(f"  default duty rate for HS {', '.join(row.uncovered_hs)}")
    missing = sum(1 for r in rows if r.rule is None)
    lines.append(f"{len(rows)} destination(s), {missing} without a rule, "
                 f"{sum(1 for r in rows if r.rule and not r.rule.verified_on)} not checked "
                 "against an official source, "
                 f"{sum(1 for r in rows if r.uncovered_hs)} with HS codes on the default rate.")
    return lines
