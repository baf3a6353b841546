"""Destination markets: dated duty and import-tax rules, and the landed cost they give."""

from app.services.markets.landed_cost import (
    DutiableLine,
    RuleBook,
    assess,
)

__all__ = [
    "DutiableLine",
    "RuleBook",
    "assess",
]
