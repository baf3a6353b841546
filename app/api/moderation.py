"""Moderation API: the moderator's queue, claims and decisions; authors' appeals; legal
requests (platform admins).
"""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import PAGE_PARAMS, api_user, idempotent, json_body, page_limit, token_required
from app.api.fields import id_field, optional_body
from app.api.openapi import list_of, operation, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import (
    CASE_STATUSES,
    CASE_TARGETS,
    DECISION_ACTIONS,
    LegalRequest,
    ModerationAppeal,
    ModerationCase,
    ModerationDecision,
)
from app.services import moderation
from app.services.errors import ValidationFailed
from app.web.cursors import decode_cursor, encode_cursor

REASON_SCHEMA = {
    "type": "object", "required": ["code"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"type": "string", "enum": ["low", "medium", "high", "critical"]},
        "source": {"type": "string"},
        "spans": {"type": "array", "items": {"type": "array", "items": {"type": "integer"},
                                             "minItems": 2, "maxItems": 2}},
        "text": {"type": "string"}, "score": {"type": "number"},
    },
}
MODERATION_ITEM = schema("ModerationItem", {
    "type": "object",
    "required": ["id", "target_type", "target_id", "reasons", "report_count", "status"],
    "properties": {
        "id": {"type": "integer"},
        "target_type": {"type": "string", "enum": list(CASE_TARGETS)},
        "target_id": {"type": "integer"},
        "reasons": {"type": "array", "items": REASON_SCHEMA},
        "report_count": {"type": "integer", "minimum": 0},
        "report_reasons": {"type": "object", "additionalProperties": {"type": "integer"}},
        "status": {"type": "string", "enum": list(CASE_STATUSES)},
        "markets": {"type": "array", "items": {"type": "string"}},
        "language": {"type": ["string", "null"]},
        "severity": {"type": "integer", "minimum": 0, "maximum": 4},
        "held": {"type": "boolean"}, "reported": {"type": "boolean"},
        "screened": {"type": "boolean"},
        "claimed_by_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
DECISION_REQUEST = schema("ModerationDecisionRequest", {
    "type": "object", "required": ["action", "reason_code"],
    "properties": {
        "action": {"type": "string", "enum": list(DECISION_ACTIONS)},
        "reason_code": {"type": "string", "enum": list(moderation.DECISION_REASON_CODES)},
        "markets": {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                    "description": "For `restrict`: the markets the item is not shown in."},
        "note": {"type": "string", "maxLength": 2000},
    },
})
DECISION_SCHEMA = schema("ModerationDecision", {
    "type": "object", "required": ["id", "item_id", "action", "reason_code", "markets"],
    "properties": {
        "id": {"type": "integer"}, "item_id": {"type": "integer"},
        "action": {"type": "string", "enum": list(DECISION_ACTIONS)},
        "reason_code": {"type": "string"},
        "markets": {"type": "array", "items": {"type": "string"}},
        "on_appeal": {"type": "boolean"},
        "item": MODERATION_ITEM,
        "created_at": {"type": "string", "format": "date-time"},
    },
})
APPEAL_REQUEST = schema("ModerationAppealRequest", {
    "type": "object",
    "properties": {"statement": {"type": "string", "maxLength": 2000}},
})
APPEAL_SCHEMA = schema("ModerationAppeal", {
    "type": "object", "required": ["id", "item_id", "status"],
    "properties": {"id": {"type": "integer"}, "item_id": {"type": "integer"},
                   "status": {"type": "string", "enum": ["open", "upheld", "reinstated"]},
                   "statement": {"type": "string"},
                   "created_at": {"type": "string", "format": "date-time"}},
})
LEGAL_REQUEST = schema("LegalRequestCreate", {
    "type": "object", "required": ["target_type", "target_id", "country", "legal_basis"],
    "properties": {
        "target_type": {"type": "string", "enum": ["note", "comment", "user", "product"]},
        "target_id": {"type": "integer"},
        "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "legal_basis": {"type": "string", "maxLength": 300},
        "authority": {"type": "string", "maxLength": 200},
        "reference": {"type": "string", "maxLength": 100},
    },
})
LEGAL_SCHEMA = schema("LegalRequest", {
    "type": "object", "required": ["id", "target_type", "target_id", "country", "legal_basis"],
    "properties": {
        "id": {"type": "integer"}, "target_type": {"type": "string"},
        "target_id": {"type": "integer"}, "country": {"type": "string"},
        "legal_basis": {"type": "string"}, "authority": {"type": "string"},
        "reference": {"type": "string"}, "item_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
QUEUE_PARAMS = [
    *PAGE_PARAMS,
    {"name": "market", "in": "query", "required": False,
     "schema": {"type": "string", "pattern": "^[A-Za-z]{2}$"}},
    {"name": "status", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(moderation.QUEUE_STATUSES),
                "default": "pending"},
     "description": "`pending` (default): open, claimed and appealed items."},
    {"name": "language", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "kind", "in": "query", "required": False,
     "schema": {"type": "string", "enum": list(moderation.KINDS)}},
    {"name": "reason", "in": "query", "required": False, "schema": {"type": "string"}},
]
ITEM_ERRORS = {400: None, 401: None, 403: None, 404: None, 409: None, 422: None}


def item_json(case: ModerationCase) -> dict[str, Any]:
    """A queue item (a moderation case)."""
    return {"id": case.id, "target_type": case.target_type, "target_id": case.target_id,
            "reasons": case.reasons or [], "report_count": case.report_count,
            "report_reasons": case.report_reasons or {}, "status": case.status,
            "markets": case.market_codes, "language": case.language,
            "severity": case.severity, "held": case.held, "reported": case.reported,
            "screened": case.screened, "claimed_by_id": case.claimed_by_id,
            "created_at": timestamp(case.created_at),
            "decided_at": timestamp(case.decided_at) if case.decided_at else None}


def decision_json(decision: ModerationDecision) -> dict[str, Any]:
    """A decision with its item's state after it."""
    return {"id": decision.id, "item_id": decision.case_id, "action": decision.action,
            "reason_code": decision.reason_code,
            "markets": [m for m in decision.markets.split(",") if m],
            "on_appeal": decision.on_appeal, "item": item_json(decision.case),
            "created_at": timestamp(decision.created_at)}


def appeal_json(appeal: ModerationAppeal) -> dict[str, Any]:
    """An author's appeal."""
    return {"id": appeal.id, "item_id": appeal.case_id, "status": appeal.status,
            "statement": appeal.statement, "created_at": timestamp(appeal.created_at)}


def legal_json(entry: LegalRequest) -> dict[str, Any]:
    """A legal request."""
    return {"id": entry.id, "target_type": entry.target_type, "target_id": entry.target_id,
            "country": entry.country, "legal_basis": entry.legal_basis,
            "authority": entry.authority, "reference": entry.reference,
            "item_id": entry.case_id, "created_at": timestamp(entry.created_at)}


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{name} must be a string.", fields={name: ["Use a string."]})
    return value


@bp.get("/moderation/queue")
@operation(summary="The moderator's queue", tags=["moderation"], params=QUEUE_PARAMS,
           responses={200: list_of(MODERATION_ITEM), 400: None, 401: None, 403: None,
                      422: None},
           description="Moderators only, and only items of their markets and languages "
                       "(an item with no known market or language is everyone's). Oldest "
                       "first.")
@token_required("read")
def moderation_queue():
    """Items waiting for (or, with `status`, past) a decision."""
    cursor = decode_cursor(1)
    after = cursor[0] if cursor and isinstance(cursor[0], int) else None
    market = (request.args.get("market") or "").strip().upper() or None
    if market is not None and (len(market) != 2 or not market.isalpha()):
        raise ValidationFailed("market must be a two-letter country code.",
                               fields={"market": ["Use a code such as US or CN."]})
    kind = request.args.get("kind") or None
    if kind is not None and kind not in moderation.KINDS:
        raise ValidationFailed("kind must be reported or screened.",
                               fields={"kind": ["Use reported or screened."]})
    filters = moderation.QueueFilters(
        status=request.args.get("status") or "pending", market=market,
        language=request.args.get("language") or None, kind=kind,
        reason=request.args.get("reason") or None)
    limit = page_limit()
    page = moderation.list_queue(api_user(), filters, per_page=limit + 1, after_id=after)
    items = page.cases[:limit]
    body = {"items": [item_json(c) for c in items],
            "next_cursor": encode_cursor([items[-1].id]) if len(page.cases) > limit
            else None}
    commit()
    return body


@bp.post("/moderation/items/<int:item_id>/claim")
@operation(summary="Claim a queue item", tags=["moderation"], idempotent=True,
           body_required=False, request={"type": "object"},
           responses={200: MODERATION_ITEM, **ITEM_ERRORS},
           description="Nobody else can decide it until it is released or decided. 409 "
                       "`case_claimed_by_other` (logged), `case_already_decided`; 403 "
                       "`outside_moderator_scope` (logged).")
@token_required("write")
@idempotent()
def claim_moderation_item(item_id: int):
    """Claim the item (claiming one's own claim again changes nothing)."""
    case = moderation.claim_case(api_user(), item_id)
    body = item_json(case)
    commit()
    return body


@bp.post("/moderation/items/<int:item_id>/release")
@operation(summary="Release a claimed queue item", tags=["moderation"], idempotent=True,
           body_required=False, request={"type": "object"},
           responses={200: MODERATION_ITEM, **ITEM_ERRORS},
           description="Only its claimer; 409 `case_not_claimed` otherwise.")
@token_required("write")
@idempotent()
def release_moderation_item(item_id: int):
    """Give the item back to the queue."""
    case = moderation.release_case(api_user(), item_id)
    body = item_json(case)
    commit()
    return body


@bp.post("/moderation/items/<int:item_id>/decision")
@operation(summary="Decide a queue item", tags=["moderation"], request=DECISION_REQUEST,
           idempotent=True, responses={201: DECISION_SCHEMA, **ITEM_ERRORS},
           description="approve, remove, restrict (with `markets`: not shown there), "
                       "age_gate, warn or suspend, with a reason code. The author and the "
                       "reporters are told. On an appealed item this decides the appeal, "
                       "finally (`approve` reinstates). A removed note answers 404 to "
                       "everyone but its author. 403 `outside_moderator_scope` (logged), "
                       "`appeal_needs_other_moderator`; 409 `case_claimed_by_other` "
                       "(logged), `case_already_decided`. An ad campaign (`target_type` "
                       "`campaign`) takes `approve` (it is scheduled and its budget reserved) "
                       "or `remove` (rejected; the brand sees the reason in its language); "
                       "any other action is 422 `action_not_for_campaign`.")
@token_required("write")
@idempotent()
def decide_moderation_item(item_id: int):
    """Record the decision and enforce it."""
    data = json_body()
    markets = data.get("markets") or []
    if not isinstance(markets, list) or not all(isinstance(m, str) for m in markets):
        raise ValidationFailed("markets must be a list of country codes.",
                               fields={"markets": ["Use a list such as [\"CN\", \"GB\"]."]})
    decision = moderation.decide_case(api_user(), item_id, moderation.DecisionInput(
        _text(data, "action"), _text(data, "reason_code"), markets, _text(data, "note")))
    body = decision_json(decision)
    commit()
    return body, 201


@bp.post("/moderation/items/<int:item_id>/appeal")
@operation(summary="Appeal a decision about your content", tags=["moderation"],
           request=APPEAL_REQUEST, body_required=False, idempotent=True,
           responses={201: APPEAL_SCHEMA, **ITEM_ERRORS},
           description="The author (for an ad campaign, any of its brand's staff), once; "
                       "another moderator decides, finally. 404 for "
                       "someone else's item; 409 `already_appealed`, `appeal_final`; 422 "
                       "`nothing_to_appeal`.")
@token_required("write")
@idempotent()
def appeal_moderation_item(item_id: int):
    """Ask for a second look."""
    data = optional_body()
    appeal = moderation.appeal_decision(api_user(), item_id, _text(data, "statement"))
    body = appeal_json(appeal)
    commit()
    return body, 201


@bp.post("/moderation/legal-requests")
@operation(summary="Record a legal takedown request", tags=["moderation"],
           request=LEGAL_REQUEST, idempotent=True,
           responses={201: LEGAL_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      422: None},
           description="Platform admins (the legal team). The item is hidden in `country` "
                       "only; the author is told where and why.")
@token_required("write")
@idempotent()
def create_legal_request():
    """Hide an item in one country on a court's or authority's order."""
    data = json_body()
    target_id = id_field(data.get("target_id"), "target_id")
    if target_id is None:
        raise ValidationFailed("target_id is required.",
                               fields={"target_id": ["This field is required."]})
    entry = moderation.record_legal_request(
        api_user(), _text(data, "target_type"), target_id, country=_text(data, "country"),
        legal_basis=_text(data, "legal_basis"), authority=_text(data, "authority"),
        reference=_text(data, "reference"))
    body = legal_json(entry)
    commit()
    return body, 201
