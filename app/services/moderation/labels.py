"""Reason codes and what they say to people, in the viewer's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.services.moderation.reason_codes import SCREENING_REASONS

# Reason codes a moderator picks for a decision (screening may add codes of its own; those
# show as themselves when no label is known).
REASON_LABELS = {
    "spam": _l("Spam or unsolicited advertising"),
    "counterfeit": _l("Counterfeit goods"),
    "offensive": _l("Offensive content"),
    "misleading": _l("Misleading claims"),
    "hate": _l("Hate speech"),
    "harassment": _l("Harassment or bullying"),
    "nudity": _l("Nudity or sexual content"),
    "violence": _l("Violence or gore"),
    "prohibited_goods": _l("Goods not allowed in this market"),
    "scam": _l("Scam or fraud"),
    "self_harm": _l("Self-harm"),
    "minor_safety": _l("Child safety"),
    "ip_infringement": _l("Intellectual property infringement"),
    "privacy": _l("Private information"),
    "legal": _l("Local law (legal request)"),
    "other": _l("Other policy violation"),
    "no_violation": _l("No violation found"),
}
REASON_CODES = tuple(REASON_LABELS)
# An ad is also refused for breaking an ad rule of a market it targets.
AD_REASON_LABELS = {code: SCREENING_REASONS[code] for code in
                    ("medical_claim", "superlative_claim", "alcohol", "tobacco")}
DECISION_REASON_LABELS = {**REASON_LABELS, **AD_REASON_LABELS}
DECISION_REASON_CODES = tuple(DECISION_REASON_LABELS)

ACTION_LABELS = {
    "approve": _l("Approve"),
    "remove": _l("Remove"),
    "restrict": _l("Restrict in markets"),
    "age_gate": _l("Age-gate"),
    "warn": _l("Warn the author"),
    "suspend": _l("Suspend the account"),
}

STATUS_LABELS = {
    "open": _l("Open"),
    "claimed": _l("Claimed"),
    "decided": _l("Decided"),
    "appealed": _l("Appealed"),
    "closed": _l("Closed"),
}

SEVERITY_LABELS = {0: _l("None"), 1: _l("Low"), 2: _l("Medium"), 3: _l("High"),
                   4: _l("Critical")}

TARGET_LABELS = {
    "note": _l("Note"),
    "comment": _l("Comment"),
    "user": _l("Profile"),
    "product": _l("Product"),
    "campaign": _l("Ad campaign"),
}

# What a moderation notice tells its recipient (Notification.moderation_event).
EVENT_LABELS = {
    "removed": _l("Your content was removed."),
    "restricted": _l("Your content is no longer shown in some markets."),
    "age_gated": _l("Your content is now shown to adults only."),
    "warned": _l("You received a warning about your content."),
    "suspended": _l("Your account was suspended."),
    "approved": _l("Your content was reviewed and is visible again."),
    "reinstated": _l("Your appeal was accepted: your content is back."),
    "appeal_upheld": _l("Your appeal was reviewed: the decision stands."),
    "legal_blocked": _l("Your content is blocked in a country following a legal request."),
    "report_actioned": _l("Thanks for your report: we took action."),
    "report_no_action": _l("Thanks for your report: we found no violation."),
    "posting_restricted": _l("Your posting is restricted for a while after repeated "
                             "removals."),
}


def reason_label(code: str | None) -> str:
    """The reason's wording in the current language (the code itself when unknown)."""
    if not code:
        return ""
    label = REASON_LABELS.get(code) or SCREENING_REASONS.get(code)
    return str(label) if label is not None else code


def event_label(event: str | None) -> str:
    """What a moderation notice says, in the current language."""
    label = EVENT_LABELS.get(event or "")
    return str(label) if label is not None else (event or "")
