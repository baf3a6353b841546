"""Where rule changes and screening results meet the audit log and the review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.models import User
from app.services.moderation.audit import record_audit
from app.services.moderation.cases import open_case

if TYPE_CHECKING:
    from app.models import ModerationScreening

# Screening's names for what it screens → the queue's case targets.
CASE_TARGET_OF = {"note": "note", "comment": "comment", "product": "product",
                  "profile": "user"}


def audit_rule_change(actor: User, action: str, market: str, version: int,
                      rule_id: int | None, summary: str) -> None:
    """Record a change to a market's rules in the append-only audit log."""
    # The log's market column holds country codes; "ALL" (every market) stays in details.
    record_audit(actor, "rule_change", target_type="rule", target_id=rule_id,
                 market=market if len(market) == 2 else None,
                 details={"change": action, "market": market, "version": version,
                          "summary": summary})


def audit_screening_failure(target_type: str, target_id: int, screening_id: int | None,
                            failures: list[str]) -> None:
    """Record that a check could not answer, so the item was held instead of published."""
    record_audit(None, "screening_unavailable", target_type=CASE_TARGET_OF[target_type],
                 target_id=target_id,
                 details={"screening_id": screening_id, "screened_as": target_type,
                          "failures": failures, "outcome": "hold"})


def hold_for_review(target_type: str, target_id: int, screening: ModerationScreening,
                    author: User | None) -> None:
    """Put a held or blocked item in front of moderators, hidden until one decides."""
    reasons = []
    for match in screening.matches:
        reasons.append({"code": match["reason_code"], "severity": match["severity"],
                        "source": "rules", "rule_id": match["rule_id"],
                        "spans": [[match["start"], match["end"]]] if match["end"] > 0 else [],
                        "text": match["excerpt"], "market": match["market"]})
    for check in screening.checks:
        if check["check"] == "rules":
            continue
        source = {"text_classifier": "classifier", "image_classifier": "classifier",
                  "policy_model": "llm", "image_hash": "hash"}.get(check["check"], "screening")
        for code in check.get("reasons") or []:
            if code in screening.reason_codes:
                reasons.append({"code": code, "severity": "high" if screening.outcome == "block"
                                else "medium", "source": source, "spans": [],
                                "score": check.get("score")})
    if not reasons:
        reasons = [{"code": code, "severity": "medium", "source": "screening", "spans": []}
                   for code in screening.reason_codes]
    markets = [m for m, outcome in screening.market_outcomes.items() if outcome != "publish"]
    open_case(CASE_TARGET_OF[target_type], target_id, source="screening", reasons=reasons,
              markets=markets, hold=True)
