"""Moderation: rules per market, screening, the review queue, decisions and appeals.

Other domains and the rules/screening code call `open_case` to put an item in front of a
moderator (optionally holding it), and `record_audit` to log what they changed.
"""

from app.services.moderation.ad_review import (
    CampaignVerdict,
    close_withdrawn_campaign,
    open_campaign_review,
    open_partnership_review,
    register_campaign_decider,
)
from app.services.moderation.audit import record_audit
from app.services.moderation.cases import (
    active_case,
    highlight_segments,
    item_text,
    load_target,
    open_case,
    register_state_listener,
)
from app.services.moderation.decisions import (
    BulkOutcome,
    DecisionInput,
    appeal_decision,
    decide_case,
    decide_cases,
    decisions_about,
    latest_case,
    latest_decision,
    own_case,
)
from app.services.moderation.image_hashes import block_removed_image
from app.services.moderation.labels import (
    ACTION_LABELS,
    DECISION_REASON_CODES,
    DECISION_REASON_LABELS,
    EVENT_LABELS,
    REASON_CODES,
    REASON_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    event_label,
    reason_label,
)
from app.services.moderation.legal import (
    legal_requests_for,
    list_legal_requests,
    record_legal_request,
)
from app.services.moderation.queue import (
    KINDS,
    QUEUE_STATUSES,
    QueueFilters,
    QueuePage,
    Scope,
    case_in_scope,
    claim_case,
    list_queue,
    load_items,
    moderator_scope,
    release_case,
)
from app.services.moderation.reports import report_content
from app.services.moderation.screening import (
    hold_unscreened,
    latest_screening,
    screen_content,
    stale_pending_items,
)
from app.services.moderation.transparency import (
    CSV_LAYOUT,
    TransparencyReport,
    report_csv,
    transparency_report,
)

__all__ = [
    "ACTION_LABELS",
    "CSV_LAYOUT",
    "DECISION_REASON_CODES",
    "DECISION_REASON_LABELS",
    "EVENT_LABELS",
    "KINDS",
    "QUEUE_STATUSES",
    "REASON_CODES",
    "REASON_LABELS",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "TARGET_LABELS",
    "BulkOutcome",
    "CampaignVerdict",
    "DecisionInput",
    "QueueFilters",
    "QueuePage",
    "Scope",
    "TransparencyReport",
    "active_case",
    "appeal_decision",
    "block_removed_image",
    "case_in_scope",
    "claim_case",
    "close_withdrawn_campaign",
    "decide_case",
    "decide_cases",
    "decisions_about",
    "event_label",
    "highlight_segments",
    "hold_unscreened",
    "item_text",
    "latest_case",
    "latest_decision",
    "latest_screening",
    "own_case",
    "legal_requests_for",
    "list_legal_requests",
    "list_queue",
    "load_items",
    "load_target",
    "moderator_scope",
    "open_campaign_review",
    "open_partnership_review",
    "open_case",
    "reason_label",
    "record_audit",
    "record_legal_request",
    "register_campaign_decider",
    "register_state_listener",
    "release_case",
    "report_content",
    "report_csv",
    "screen_content",
    "stale_pending_items",
    "transparency_report",
]
