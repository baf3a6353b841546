"""Destination markets: dated duty and import-tax rules, and the landed cost they give."""

from app.services.markets.landed_cost import (
    DutiableLine,
    RuleBook,
    assess,
)
from app.services.markets.rule_cache import track_rule_book_writes
from app.services.markets.rules import duty_tax_refundable_on_return

__all__ = [
    "DutiableLine",
    "RuleBook",
    "assess",
    "duty_tax_refundable_on_return",
    "track_rule_book_writes",
]
