"""Moderation: rules per market, screening, the review queue, decisions and appeals.

Other domains and the rules/screening code call `open_case` to put an item in front of a
moderator (optionally holding it), and `record_audit` to log what they changed.
"""

from app.services.moderation.audit import record_audit
from app.services.moderation.cases import active_case, load_target, open_case

__all__ = [
    "active_case",
    "load_target",
    "open_case",
    "record_audit",
]
