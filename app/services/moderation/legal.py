"""Legal requests: a jurisdiction's takedown order hides an item in that country only."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    CASE_TARGETS,
    LegalRequest,
    ModerationCase,
    ModerationDecision,
    User,
    market_key,
    market_list,
    utcnow,
)
from app.services.errors import NotFound, ValidationFailed
from app.services.moderation.audit import record_audit
from app.services.moderation.cases import load_target
from app.services.permissions import require_platform_role
from app.services.regions import is_country
from app.services.social import notify_moderation

MAX_BASIS = 300


def record_legal_request(actor: User, target_type: str, target_id: int, *, country: str,
                         legal_basis: str, authority: str = "", reference: str = ""
                         ) -> LegalRequest:
    """Record a takedown order (platform admins, the legal team): the item is hidden in
    `country` only, the author is told where and why, and the order is logged and counted
    (as a closed case with a "restrict" decision for that country, reason "legal").
    """
    require_platform_role(actor, "admin")
    country = (country or "").strip().upper()
    legal_basis = (legal_basis or "").strip()
    errors: dict[str, list[str]] = {}
    if target_type not in CASE_TARGETS:
        errors["target_type"] = [_("Choose one of: %(v)s.", v=", ".join(CASE_TARGETS))]
    if not is_country(country):
        errors["country"] = [_("Use a two-letter country code such as DE or CN.")]
    if not legal_basis:
        errors["legal_basis"] = [_("Name the law or order the request relies on.")]
    elif len(legal_basis) > MAX_BASIS:
        errors["legal_basis"] = [_("Use at most %(n)d characters.", n=MAX_BASIS)]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    target = load_target(target_type, target_id)
    if target.row is None:
        raise NotFound(_("No such item."), code="moderation_item_not_found")
    now = utcnow()
    case = ModerationCase(target_type=target_type, target_id=target_id, open_key=None,
                          owner_id=target.owner_id, markets=market_key([country]),
                          language=target.language, reasons=[{
                              "code": "legal", "severity": "high", "source": "legal",
                              "spans": [], "text": legal_basis}],
                          reason_code="legal", severity=3, report_reasons={},
                          report_count=0, status="closed", decided_at=now)
    db.session.add(case)
    db.session.flush()
    request = LegalRequest(target_type=target_type, target_id=target_id, country=country,
                           legal_basis=legal_basis, authority=(authority or "").strip()[:200],
                           reference=(reference or "").strip()[:100],
                           recorded_by_id=actor.id, owner_id=target.owner_id, case_id=case.id,
                           created_at=now)
    db.session.add(request)
    db.session.add(ModerationDecision(case_id=case.id, moderator_id=actor.id,
                                      owner_id=target.owner_id, action="restrict",
                                      reason_code="legal", markets=market_key([country]),
                                      note=legal_basis, created_at=now))
    if hasattr(target.row, "hidden_markets"):
        target.row.hidden_markets = market_key([*market_list(target.row.hidden_markets),
                                                country])
    db.session.flush()
    record_audit(actor, "legal_request", target_type=target_type, target_id=target_id,
                 case_id=case.id, market=country,
                 details={"legal_basis": legal_basis, "authority": request.authority,
                          "reference": request.reference, "legal_request_id": request.id})
    if target.owner_id is not None:
        note_id = target_id if target_type == "note" else None
        notify_moderation(target.owner_id, case.id, "legal_blocked", note_id=note_id)
    return request


def legal_requests_for(target_type: str, target_id: int) -> list[LegalRequest]:
    """The takedown orders on an item (the author sees where and why)."""
    return list(db.session.scalars(select(LegalRequest).where(
        LegalRequest.target_type == target_type, LegalRequest.target_id == target_id)
        .order_by(LegalRequest.id)))


def list_legal_requests(actor: User, *, limit: int = 100) -> list[LegalRequest]:
    """The latest legal requests (platform admins)."""
    require_platform_role(actor, "admin")
    return list(db.session.scalars(select(LegalRequest).order_by(LegalRequest.id.desc())
                                   .limit(limit)))
