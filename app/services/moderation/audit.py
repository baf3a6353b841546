"""The append-only audit log: every decision, claim conflict, rule change and legal request.

There is deliberately no function here (or anywhere) that updates or deletes a row; the
model refuses both at the ORM level too (app.models.moderation).
"""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import AuditLogEntry, User


def record_audit(actor: User | None, action: str, *, target_type: str | None = None,
                 target_id: int | None = None, case_id: int | None = None,
                 market: str | None = None, details: dict[str, Any] | None = None
                 ) -> AuditLogEntry:
    """Append one line to the audit log (flushes; never commits).

    `actor` is the person who acted (None for the platform: screening jobs, escalations).
    `action` is a short stable word such as "decision", "claim", "claim_conflict",
    "out_of_scope", "appeal", "appeal_decision", "legal_request", "rule_change",
    "case_opened", "escalation". `details` must be JSON-serialisable (rule ids, versions,
    reason codes, markets...). Rule changes (app.services.moderation rules) call it with
    target_type="rule" and the rule's id.
    """
    entry = AuditLogEntry(actor_id=actor.id if actor is not None else None, action=action,
                          target_type=target_type, target_id=target_id, case_id=case_id,
                          market=market.upper() if market else None, details=details or {})
    db.session.add(entry)
    db.session.flush()
    return entry
