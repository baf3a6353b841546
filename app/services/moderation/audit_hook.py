"""Where rule changes and screening failures meet the moderation audit log."""

from __future__ import annotations

import logging

from app.models import User

log = logging.getLogger(__name__)


def audit_rule_change(actor: User, action: str, market: str, version: int,
                      rule_id: int | None, summary: str) -> None:
    """Record a change to a market's rules in the append-only audit log."""
    log.info("moderation rules %s by user %s: %s v%s rule %s: %s", action, actor.id, market,
             version, rule_id, summary)


def audit_screening_failure(target_type: str, target_id: int, screening_id: int,
                            failures: list[str]) -> None:
    """Record that a check could not answer, so the item was held instead of published."""
    log.warning("screening %s of %s %s held: %s", screening_id, target_type, target_id,
                "; ".join(failures))


def hold_for_review(target_type: str, target_id: int, screening, author: User | None) -> None:
    """Put a held or blocked item in front of moderators."""
    log.info("screening %s holds %s %s (%s)", screening.id, target_type, target_id,
             screening.outcome)
