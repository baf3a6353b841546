"""The transparency report per market and month, shaped after the EU DSA template.

The Digital Services Act's harmonised reporting template (Implementing Regulation (EU)
2024/2835) groups figures by: orders from authorities (our legal requests), notices from
users (reports), content moderation on the provider's own initiative (screening), the
measures taken, complaints through the internal complaint system (appeals) with how many
decisions were reversed, and median handling times. Each row here is one market and month;
an item shown in several markets counts in each.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import (
    LegalRequest,
    ModerationAppeal,
    ModerationCase,
    ModerationDecision,
    User,
    market_list,
)
from app.services.permissions import require_platform_role

UNKNOWN_MARKET = "--"
METRICS = ("screened", "reported", "held", "removed", "restricted", "age_gated", "warned",
           "suspended", "approved", "legal_orders", "appealed", "reinstated", "upheld")


@dataclass
class MarketFigures:
    """One market's figures for the month."""

    market: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    hours_to_decision: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        """Median time from a case's opening to its first decision, in hours."""
        if not self.hours_to_decision:
            return None
        return round(statistics.median(self.hours_to_decision), 1)

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts") or {}
        if name in counts:
            return counts[name]
        raise AttributeError(name)


@dataclass
class TransparencyReport:
    """A month's figures, per market and in total."""

    month: date
    markets: list[MarketFigures]
    total: MarketFigures


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant of the month, first instant of the next) in UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


DECISION_METRIC = {"remove": "removed", "suspend": "suspended", "restrict": "restricted",
                   "age_gate": "age_gated", "warn": "warned", "approve": "approved"}


def transparency_report(actor: User, month: date, *, market: str | None = None
                        ) -> TransparencyReport:
    """The figures of `month` (any day in it), for every market or only `market`."""
    require_platform_role(actor, "admin")
    start, end = month_bounds(month)
    figures: dict[str, MarketFigures] = {}
    total = MarketFigures("ALL")

    def bump(markets: str, metric: str, amount: int = 1) -> None:
        codes = market_list(markets) or [UNKNOWN_MARKET]
        for code in codes:
            figures.setdefault(code, MarketFigures(code)).counts[metric] += amount
        total.counts[metric] += amount

    for case in db.session.scalars(select(ModerationCase).where(
            ModerationCase.created_at >= start, ModerationCase.created_at < end,
            ModerationCase.reason_code.is_distinct_from("legal"))):
        if case.screened:
            bump(case.markets, "screened")
        if case.reported:
            bump(case.markets, "reported")
        if case.held:
            bump(case.markets, "held")

    rows = db.session.execute(
        select(ModerationDecision, ModerationCase.markets, ModerationCase.created_at)
        .join(ModerationCase, ModerationCase.id == ModerationDecision.case_id)
        .where(ModerationDecision.created_at >= start, ModerationDecision.created_at < end)
        .order_by(ModerationDecision.id))
    first_seen: set[int] = set()
    for decision, markets, opened_at in rows:
        if decision.on_appeal or decision.reason_code == "legal":
            continue
        bump(markets, DECISION_METRIC[decision.action])
        if decision.case_id not in first_seen:
            first_seen.add(decision.case_id)
            hours = (decision.created_at - opened_at).total_seconds() / 3600
            for code in market_list(markets) or [UNKNOWN_MARKET]:
                figures.setdefault(code, MarketFigures(code)).hours_to_decision.append(hours)
            total.hours_to_decision.append(hours)

    for country in db.session.scalars(select(LegalRequest.country).where(
            LegalRequest.created_at >= start, LegalRequest.created_at < end)):
        bump(f",{country},", "legal_orders")

    for markets in db.session.scalars(
            select(ModerationCase.markets)
            .join(ModerationAppeal, ModerationCase.id == ModerationAppeal.case_id)
            .where(ModerationAppeal.created_at >= start, ModerationAppeal.created_at < end)):
        bump(markets, "appealed")
    for appeal, markets in db.session.execute(
            select(ModerationAppeal, ModerationCase.markets)
            .join(ModerationCase, ModerationCase.id == ModerationAppeal.case_id)
            .where(ModerationAppeal.decided_at >= start, ModerationAppeal.decided_at < end)):
        bump(markets, "reinstated" if appeal.status == "reinstated" else "upheld")

    chosen = sorted(figures.values(), key=lambda f: f.market)
    if market:
        chosen = [f for f in chosen if f.market == market.upper()]
    return TransparencyReport(date(start.year, start.month, 1), chosen, total)


# (DSA template section, our metric, the template's wording)
CSV_LAYOUT = (
    ("orders_from_authorities", "legal_orders", "Orders to act against illegal content"),
    ("notices", "reported", "Notices submitted by users"),
    ("own_initiative", "screened", "Items detected by automated screening"),
    ("own_initiative", "held", "Items withheld pending review"),
    ("measures", "removed", "Removal of content"),
    ("measures", "restricted", "Visibility restricted in some markets"),
    ("measures", "age_gated", "Visibility restricted by age"),
    ("measures", "warned", "Warnings to the author"),
    ("measures", "suspended", "Suspension of the account"),
    ("measures", "approved", "No action (content kept)"),
    ("complaints", "appealed", "Complaints received (internal complaint system)"),
    ("complaints", "reinstated", "Decisions reversed on complaint"),
    ("complaints", "upheld", "Decisions upheld on complaint"),
)


def report_csv(report: TransparencyReport) -> str:
    """The report as CSV: one line per market, section and metric."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "market", "section", "metric", "description", "value"])
    period = report.month.strftime("%Y-%m")
    for figures in [*report.markets, report.total]:
        for section, metric, description in CSV_LAYOUT:
            writer.writerow([period, figures.market, section, metric, description,
                             figures.counts[metric]])
        median = figures.median_hours
        writer.writerow([period, figures.market, "timeliness", "median_hours_to_decision",
                         "Median time from notice or detection to decision (hours)",
                         "" if median is None else f"{median:.1f}"])
    return out.getvalue()
