"""A market's screening policy: thresholds and severities turned into publish / hold / block.

The policy is data (app/data/moderation_policy.json): every market inherits "ALL" and
overrides the thresholds or severities it names. Pure functions apart from reading the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).resolve().parents[2] / "data" / "moderation_policy.json"
OUTCOMES = ("publish", "hold", "block")
OUTCOME_RANK = {name: rank for rank, name in enumerate(OUTCOMES)}


def strictest(outcomes: Iterable[str]) -> str:
    """The strictest of some outcomes ("publish" when there are none)."""
    return max(outcomes, key=OUTCOME_RANK.__getitem__, default="publish")


@dataclass(frozen=True)
class MarketPolicy:
    """The resolved policy of one market."""

    market: str
    thresholds: dict[str, dict[str, float]]
    severity: dict[str, str]
    known_removed_image: str
    unavailable: str

    def score_outcome(self, check: str, score: float) -> str:
        """What a check's score means in this market."""
        limits = self.thresholds.get(check)
        if not limits:
            return "publish"
        if score >= limits.get("block", 2.0):
            return "block"
        if score >= limits.get("hold", 2.0):
            return "hold"
        return "publish"

    def severity_outcome(self, severity: str) -> str:
        """What a rule match of `severity` means in this market."""
        return self.severity.get(severity, "hold")


@cache
def _policy_data(path: Path = POLICY_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def market_policy(market: str, data: dict[str, Any] | None = None) -> MarketPolicy:
    """The policy of `market`: ALL's, overridden by the market's own entries."""
    data = data if data is not None else _policy_data()
    base = data["ALL"]
    own = data.get(market, {}) if market != "ALL" else {}
    thresholds = {check: dict(limits) for check, limits in base["thresholds"].items()}
    for check, limits in own.get("thresholds", {}).items():
        thresholds.setdefault(check, {}).update(limits)
    return MarketPolicy(
        market=market, thresholds=thresholds,
        severity={**base["severity"], **own.get("severity", {})},
        known_removed_image=own.get("known_removed_image", base["known_removed_image"]),
        unavailable=own.get("unavailable", base["unavailable"]))


def policy_markets(data: dict[str, Any] | None = None) -> list[str]:
    """The markets the policy file names (besides ALL)."""
    data = data if data is not None else _policy_data()
    return sorted(k for k in data if k not in ("ALL", "_about"))
