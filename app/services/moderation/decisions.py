"""Decisions and their enforcement, appeals, and escalation of repeated removals.

A decision changes the item's own columns (moderation_state, hidden_markets), tells the
author (with the reason, shown in their language) and every reporter (the outcome), and
goes to the audit log. An author may appeal a decision once; a different moderator decides
the appeal, and that is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import (
    DECISION_ACTIONS,
    ModerationAppeal,
    ModerationCase,
    ModerationDecision,
    Report,
    User,
    market_key,
    utcnow,
)
from app.services.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from app.services.mail import queue_email
from app.services.moderation.ad_review import (
    CampaignVerdict,
    apply_campaign_verdict,
    check_campaign_action,
    speaks_for_campaign,
)
from app.services.moderation.audit import record_audit
from app.services.moderation.cases import (
    Target,
    load_target,
    recompute_hidden_markets,
    set_content_state,
)
from app.services.moderation.image_hashes import block_images_of
from app.services.moderation.labels import (
    DECISION_REASON_CODES,
    DECISION_REASON_LABELS,
    EVENT_LABELS,
)
from app.services.moderation.queue import _refusal_audit, case_in_scope
from app.services.regions import is_country
from app.services.social import notify_moderation

MAX_NOTE = 2000
MAX_STATEMENT = 2000
# What a reporter's e-mail says was done (approve: nothing, said by the outcome line).
REPORTER_MEASURES = {
    "remove": _l("It has been removed."),
    "restrict": _l("It is no longer shown in some markets."),
    "age_gate": _l("It is now shown to adults only."),
    "warn": _l("Its author has been warned."),
    "suspend": _l("Its author's account has been suspended."),
}
# What the author hears about each action.
AUTHOR_EVENTS = {"remove": "removed", "restrict": "restricted", "age_gate": "age_gated",
                 "warn": "warned", "suspend": "suspended", "approve": "approved"}


@dataclass
class DecisionInput:
    """A moderator's decision, as parsed by the edge."""

    action: str
    reason_code: str
    markets: list[str]
    note: str = ""


def validate_decision(data: DecisionInput) -> DecisionInput:
    """Check the action, reason code and (for restrict) markets; ValidationFailed otherwise."""
    errors: dict[str, list[str]] = {}
    if data.action not in DECISION_ACTIONS:
        errors["action"] = [_("Choose one of: %(v)s.", v=", ".join(DECISION_ACTIONS))]
    if data.reason_code not in DECISION_REASON_CODES:
        errors["reason_code"] = [_("Choose a known reason code.")]
    markets = sorted({(m or "").strip().upper() for m in data.markets or [] if m})
    if any(not is_country(m) for m in markets):
        errors["markets"] = [_("Use two-letter country codes such as US or CN.")]
    if data.action == "restrict" and not markets:
        errors["markets"] = [_("Name the markets the item is restricted in.")]
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Use at most %(n)d characters.", n=MAX_NOTE)]
    if errors:
        raise ValidationFailed(_("Please correct the highlighted fields."), fields=errors)
    return DecisionInput(data.action, data.reason_code, markets, note)


def _notify_author(case: ModerationCase, target: Target, event: str) -> None:
    if case.owner_id is None or case.target_type == "campaign":
        return  # a campaign's brand is told by the ads side, which moves the campaign
    note_id = case.target_id if case.target_type == "note" else None
    comment_id = case.target_id if case.target_type == "comment" else None
    if case.target_type == "comment" and target.row is not None:
        note_id = target.row.note_id
    notify_moderation(case.owner_id, case.id, event, note_id=note_id, comment_id=comment_id)


def _tell_reporters(case: ModerationCase, data: DecisionInput) -> None:
    """Close the item's open reports and tell each reporter the outcome, in the app and by
    e-mail in their language.
    """
    actioned = data.action != "approve"
    reporters = list(db.session.scalars(select(Report.reporter_id).where(
        Report.target_type == case.target_type, Report.target_id == case.target_id,
        Report.status == "open")))
    if not reporters:
        return
    db.session.execute(update(Report).where(
        Report.target_type == case.target_type, Report.target_id == case.target_id,
        Report.status == "open").values(status="resolved" if actioned else "dismissed"),
        execution_options={"synchronize_session": False})
    event = "report_actioned" if actioned else "report_no_action"
    for reporter in db.session.scalars(select(User).where(User.id.in_(reporters))
                                       .order_by(User.id)):
        notify_moderation(reporter.id, case.id, event)
        if reporter.is_active_account:
            _email_reporter(reporter, event, data)


def _email_reporter(reporter: User, event: str, data: DecisionInput) -> None:
    with force_locale(reporter.locale or "en"):
        body = current_app.jinja_env.get_template("email/report_outcome.txt").render(
            user=reporter, outcome=EVENT_LABELS[event],
            measure=REPORTER_MEASURES.get(data.action),
            reason=DECISION_REASON_LABELS.get(data.reason_code)
            if data.action != "approve" else None)
        subject = _("The outcome of your report")
    queue_email(reporter.email, subject, body, purpose="report_outcome")


def _enforce(case: ModerationCase, target: Target, data: DecisionInput,
             actor: User | None) -> None:
    """Apply an action to the item and, for suspensions, to its owner."""
    action = data.action
    if case.target_type == "campaign":
        apply_campaign_verdict(CampaignVerdict(
            case.target_id, approved=action == "approve", reason_code=data.reason_code,
            note=data.note, moderator=actor, on_appeal=False))
    elif action in ("approve", "warn"):
        set_content_state(target, "visible")
        recompute_hidden_markets(target, [])
    elif action == "remove":
        set_content_state(target, "removed", data.reason_code)
        block_images_of(target.row, actor, data.reason_code, target.target_type)
    elif action == "restrict":
        set_content_state(target, "visible")
        recompute_hidden_markets(target, data.markets)
    elif action == "age_gate":
        set_content_state(target, "age_gated", data.reason_code)
    elif action == "suspend":
        set_content_state(target, "removed", data.reason_code)
        owner = db.session.get(User, case.owner_id) if case.owner_id else None
        if owner is not None:
            days = current_app.config["MODERATION_SUSPEND_DAYS"]
            owner.suspended_until = utcnow() + timedelta(days=days)


def _escalate(owner_id: int | None, case: ModerationCase) -> None:
    """Repeated removals within the window restrict posting, then suspend the account."""
    if owner_id is None:
        return
    config = current_app.config
    since = utcnow() - timedelta(days=config["MODERATION_REMOVAL_WINDOW_DAYS"])
    removals = db.session.scalar(select(func.count(ModerationDecision.id)).where(
        ModerationDecision.owner_id == owner_id,
        ModerationDecision.action.in_(("remove", "suspend")),
        ModerationDecision.on_appeal.is_(False),
        ModerationDecision.created_at >= since,
        # A rejected ad is a business decision, not a strike against the person.
        ModerationDecision.case_id.not_in(select(ModerationCase.id).where(
            ModerationCase.target_type == "campaign")),
        ModerationDecision.case_id.not_in(select(ModerationAppeal.case_id).where(
            ModerationAppeal.status == "reinstated")))) or 0
    owner = db.session.get(User, owner_id)
    if owner is None:
        return
    now = utcnow()
    if removals >= config["MODERATION_SUSPEND_AFTER_REMOVALS"]:
        until = now + timedelta(days=config["MODERATION_SUSPEND_DAYS"])
        if owner.suspended_until is None or owner.suspended_until < until:
            owner.suspended_until = until
            record_audit(None, "escalation", target_type="user", target_id=owner_id,
                         case_id=case.id, details={"removals": removals,
                                                   "outcome": "suspended"})
            notify_moderation(owner_id, case.id, "suspended")
    elif removals >= config["MODERATION_RESTRICT_AFTER_REMOVALS"]:
        until = now + timedelta(days=config["MODERATION_RESTRICT_DAYS"])
        if owner.posting_restricted_until is None or owner.posting_restricted_until < until:
            owner.posting_restricted_until = until
            record_audit(None, "escalation", target_type="user", target_id=owner_id,
                         case_id=case.id, details={"removals": removals,
                                                   "outcome": "posting_restricted"})
            notify_moderation(owner_id, case.id, "posting_restricted")


def decide_case(moderator: User, case_id: int, data: DecisionInput) -> ModerationDecision:
    """Decide a case (or, when it is under appeal, its appeal) and enforce the decision.

    Refusals: 403 `outside_moderator_scope` (audited), 409 `case_claimed_by_other`
    (audited), 409 `case_already_decided`, 403 `appeal_needs_other_moderator`.
    """
    data = validate_decision(data)
    case = case_in_scope(moderator, case_id, action="decide")
    if case.claimed_by_id is not None and case.claimed_by_id != moderator.id:
        raise _refusal_audit(
            Conflict(_("Another moderator has claimed this item."),
                     code="case_claimed_by_other"),
            moderator.id, "claim_conflict", case,
            {"attempted": "decide", "claimed_by": case.claimed_by_id})
    if case.target_type == "campaign":
        check_campaign_action(data.action)
    if case.status == "appealed":
        return _decide_appeal(moderator, case, data)
    now = utcnow()
    won = db.session.execute(
        update(ModerationCase)
        .where(ModerationCase.id == case.id, ModerationCase.status.in_(("open", "claimed")),
               (ModerationCase.claimed_by_id.is_(None))
               | (ModerationCase.claimed_by_id == moderator.id))
        .values(status="decided", open_key=None, decided_at=now, claimed_by_id=None,
                claimed_at=None),
        execution_options={"synchronize_session": False}).rowcount
    db.session.refresh(case)
    if not won:
        if case.claimed_by_id is not None and case.claimed_by_id != moderator.id:
            raise _refusal_audit(
                Conflict(_("Another moderator has claimed this item."),
                         code="case_claimed_by_other"),
                moderator.id, "claim_conflict", case,
                {"attempted": "decide", "claimed_by": case.claimed_by_id})
        raise Conflict(_("This item has already been decided."),
                       code="case_already_decided")
    decision = ModerationDecision(case_id=case.id, moderator_id=moderator.id,
                                  owner_id=case.owner_id, action=data.action,
                                  reason_code=data.reason_code,
                                  markets=market_key(data.markets), note=data.note,
                                  created_at=now)
    db.session.add(decision)
    target = load_target(case.target_type, case.target_id)
    _enforce(case, target, data, moderator)
    db.session.flush()
    record_audit(moderator, "decision", target_type=case.target_type,
                 target_id=case.target_id, case_id=case.id,
                 details={"action": data.action, "reason_code": data.reason_code,
                          "markets": data.markets, "decision_id": decision.id})
    if data.action != "approve" or case.held:
        _notify_author(case, target, AUTHOR_EVENTS[data.action])
    _tell_reporters(case, data)
    if data.action in ("remove", "suspend") and case.target_type != "campaign":
        _escalate(case.owner_id, case)
    return decision


def _decide_appeal(moderator: User, case: ModerationCase, data: DecisionInput
                   ) -> ModerationDecision:
    appeal = case.appeal
    if appeal is None or appeal.status != "open":
        raise Conflict(_("This item has already been decided."), code="case_already_decided")
    if appeal.decision.moderator_id == moderator.id:
        raise Forbidden(_("Another moderator must decide the appeal of your decision."),
                        code="appeal_needs_other_moderator")
    now = utcnow()
    won = db.session.execute(
        update(ModerationAppeal)
        .where(ModerationAppeal.id == appeal.id, ModerationAppeal.status == "open")
        .values(status="reinstated" if data.action == "approve" else "upheld",
                decided_at=now),
        execution_options={"synchronize_session": False}).rowcount
    if not won:
        raise Conflict(_("This appeal has already been decided."),
                       code="case_already_decided")
    db.session.execute(update(ModerationCase).where(ModerationCase.id == case.id).values(
        status="closed", claimed_by_id=None, claimed_at=None),
        execution_options={"synchronize_session": False})
    db.session.refresh(case)
    db.session.refresh(appeal)
    decision = ModerationDecision(case_id=case.id, moderator_id=moderator.id,
                                  owner_id=case.owner_id, action=data.action,
                                  reason_code=data.reason_code,
                                  markets=market_key(data.markets), note=data.note,
                                  on_appeal=True, created_at=now)
    db.session.add(decision)
    target = load_target(case.target_type, case.target_id)
    if case.target_type == "campaign":
        apply_campaign_verdict(CampaignVerdict(
            case.target_id, approved=data.action == "approve", reason_code=data.reason_code,
            note=data.note, moderator=moderator, on_appeal=True))
        event = "reinstated" if data.action == "approve" else "appeal_upheld"
    elif data.action == "approve":
        # Reinstated: the item comes back everywhere but where a legal order blocks it,
        # and a suspension that came with the decision is lifted.
        set_content_state(target, "visible")
        recompute_hidden_markets(target, [])
        if appeal.decision.action == "suspend" and case.owner_id:
            owner = db.session.get(User, case.owner_id)
            if owner is not None:
                owner.suspended_until = None
        event = "reinstated"
    else:
        if data.action != appeal.decision.action:
            _enforce(case, target, data, moderator)
        event = "appeal_upheld"
    db.session.flush()
    record_audit(moderator, "appeal_decision", target_type=case.target_type,
                 target_id=case.target_id, case_id=case.id,
                 details={"action": data.action, "reason_code": data.reason_code,
                          "outcome": appeal.status, "decision_id": decision.id,
                          "appealed_decision_id": appeal.decision_id})
    _notify_author(case, target, event)
    return decision


@dataclass
class BulkOutcome:
    """Per case: the decision, or the error code that refused it."""

    decided: list[int]
    refused: dict[int, str]


def decide_cases(moderator: User, case_ids: list[int], data: DecisionInput) -> BulkOutcome:
    """The same decision on several cases; each is decided or refused on its own."""
    data = validate_decision(data)
    outcome = BulkOutcome([], {})
    for case_id in dict.fromkeys(case_ids):
        try:
            with db.session.begin_nested():
                decide_case(moderator, case_id, data)
            outcome.decided.append(case_id)
        except DomainError as exc:  # e.g. a campaign the brand's balance cannot fund
            keep = getattr(exc, "after_rollback", None)
            if callable(keep):
                keep()
            outcome.refused[case_id] = exc.code
    return outcome


def appeal_decision(author: User, case_id: int, statement: str = "") -> ModerationAppeal:
    """The author appeals the decision on their item, once.

    404 for someone else's case; 409 `already_appealed` for a second appeal, 409
    `appeal_final` for an appeal of an appeal's outcome, 422 `nothing_to_appeal` when the
    decision did not act against the item.
    """
    case = db.session.get(ModerationCase, case_id)
    if case is None or author is None or not _may_appeal(author, case):
        raise NotFound(_("No such moderation decision."), code="moderation_item_not_found")
    statement = (statement or "").strip()
    if len(statement) > MAX_STATEMENT:
        message = _("Use at most %(n)d characters.", n=MAX_STATEMENT)
        raise ValidationFailed(message, fields={"statement": [message]})
    if case.appeal is not None:
        if case.appeal.status != "open" or case.status == "closed":
            raise Conflict(_("The appeal has been decided; that decision is final."),
                           code="appeal_final")
        raise Conflict(_("You have already appealed this decision."), code="already_appealed")
    decision = db.session.scalar(select(ModerationDecision).where(
        ModerationDecision.case_id == case.id).order_by(ModerationDecision.id.desc()).limit(1))
    if case.status != "decided" or decision is None or decision.action == "approve":
        raise ValidationFailed(_("There is no decision against this item to appeal."),
                               code="nothing_to_appeal")
    moved = db.session.execute(update(ModerationCase).where(
        ModerationCase.id == case.id, ModerationCase.status == "decided").values(
        status="appealed"), execution_options={"synchronize_session": False}).rowcount
    if not moved:
        raise Conflict(_("You have already appealed this decision."), code="already_appealed")
    appeal = ModerationAppeal(case_id=case.id, appellant_id=author.id,
                              decision_id=decision.id, statement=statement, status="open")
    db.session.add(appeal)
    db.session.flush()
    db.session.refresh(case)
    record_audit(author, "appeal", target_type=case.target_type, target_id=case.target_id,
                 case_id=case.id, details={"decision_id": decision.id})
    return appeal


def _may_appeal(user: User, case: ModerationCase) -> bool:
    if case.target_type == "campaign":
        return speaks_for_campaign(user, case.target_id)
    return case.owner_id == user.id


def decisions_about(owner: User, *, limit: int = 50) -> list[ModerationCase]:
    """The decided cases about the user's content, newest first (for their account page)."""
    return list(db.session.scalars(
        select(ModerationCase).where(ModerationCase.owner_id == owner.id,
                                     ModerationCase.status.in_(("decided", "appealed",
                                                                "closed")))
        .order_by(ModerationCase.id.desc()).limit(limit)))


def latest_case(target_type: str, target_id: int) -> ModerationCase | None:
    """The item's newest case (its decision and any appeal), for its author's page."""
    return db.session.scalar(select(ModerationCase).where(
        ModerationCase.target_type == target_type, ModerationCase.target_id == target_id)
        .order_by(ModerationCase.id.desc()).limit(1))


def own_case(author: User, case_id: int) -> ModerationCase:
    """A case about the author's content; anyone else's answers NotFound."""
    case = db.session.get(ModerationCase, case_id)
    if case is None or author is None or case.owner_id != author.id:
        raise NotFound(_("No such moderation decision."), code="moderation_item_not_found")
    return case


def latest_decision(case: ModerationCase) -> ModerationDecision | None:
    """The case's last decision."""
    return case.decisions[-1] if case.decisions else None

