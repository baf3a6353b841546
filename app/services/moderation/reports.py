"""User reports: kept by the social domain, and put in front of a moderator here."""

from __future__ import annotations

from app.models import Report, User
from app.services.moderation.cases import open_case
from app.services.social import report


def report_content(reporter: User, target_type: str, target_id: int, reason: str,
                   details: str = "") -> Report:
    """Report a note, comment, user or product: the report is kept (once per reporter and
    item: 409 `already_reported`) and opens or joins the item's case, counted per reason.
    """
    entry = report(reporter, target_type, target_id, reason, details)
    open_case(target_type, target_id, source="report",
              reasons=[{"code": reason, "severity": "low", "source": "report", "spans": []}],
              reporter=reporter, report_reason=reason)
    return entry
