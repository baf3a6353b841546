"""Campaigns: drafted and edited by brand staff, reviewed, funded, flown and closed.

draft -> in_review (submit: a moderation case opens, screened against the rules of every
          market the campaign targets, ad rules included)
in_review -> scheduled | active (a moderator approves: the budget is reserved)
          -> rejected (with a reason code) | draft (the brand withdraws it to edit)
rejected -> scheduled | active (an appeal decided in the brand's favour)
scheduled/active <-> paused; scheduled -> active -> completed (by flight dates, the job)
completed: the unspent budget goes back to the balance.

Decisions are made in the moderation queue only; `apply_review_verdict` is what the queue
calls (registered in the package's __init__) to move the campaign and tell the brand.

Every state change is a conditional UPDATE on the current status, so an approval racing
a withdrawal, or two approvals, act once. Flight dates are entered in the account's time
zone (a naive datetime is read in it) and stored in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    CAMPAIGN_TRANSITIONS,
    FUNDED_STATES,
    AdAccount,
    Campaign,
    CampaignNote,
    Membership,
    ModerationAppeal,
    ModerationCase,
    Note,
    Partnership,
    User,
    utcnow,
)
from app.services.ads.accounts import brand_account, creator_account, require_brand
from app.services.ads.campaign_input import PAST_SLACK, clean_campaign
from app.services.ads.ledger import post_entry
from app.services.ads.notices import notify_campaign
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.fields import FieldErrors
from app.services.moderation import (
    CampaignVerdict,
    appeal_decision,
    close_withdrawn_campaign,
    latest_case,
    open_campaign_review,
)

CAMPAIGNS = Campaign.__table__
ENDED_STATES = ("completed", "rejected")


class InvalidCampaignTransition(Conflict):
    """The campaign's status does not allow this step."""

    code = "invalid_campaign_transition"


class CampaignNotEditable(Conflict):
    """Only drafts can be edited."""

    code = "campaign_not_editable"


# Creatives -----------------------------------------------------------------------------

def promotable_note_ids(*, organization_id: int | None, creator_id: int | None,
                        note_ids: list[int] | None = None) -> set[int]:
    """Published notes the owner may promote: a brand's staff's notes and its partnered
    notes that passed ad review (their fee paid), or (a boost) the creator's own.
    """
    query = select(Note.id).where(Note.status == "published")
    if note_ids is not None:
        query = query.where(Note.id.in_(note_ids))
    if organization_id is not None:
        staff = select(Membership.user_id).where(Membership.organization_id == organization_id)
        partnered = select(Partnership.note_id).where(
            Partnership.organization_id == organization_id,
            Partnership.status == "paid", Partnership.note_id.is_not(None))
        query = query.where(or_(Note.author_id.in_(staff), Note.id.in_(partnered)))
    else:
        query = query.where(Note.author_id == creator_id)
    return set(db.session.scalars(query))


def promotable_notes(*, organization_id: int | None, creator_id: int | None,
                     limit: int = 100) -> list[Note]:
    """The notes a campaign form offers, newest first."""
    ids = promotable_note_ids(organization_id=organization_id, creator_id=creator_id)
    if not ids:
        return []
    return list(db.session.scalars(select(Note).where(Note.id.in_(ids))
                                   .order_by(Note.published_at.desc(), Note.id.desc())
                                   .limit(limit)))


def check_promotable(campaign_owner: dict[str, int | None], note_ids: list[int]) -> None:
    """NotFound-free check that every note may be promoted by the owner (422 per note)."""
    allowed = promotable_note_ids(note_ids=note_ids, **campaign_owner)
    errors = FieldErrors()
    for index, note_id in enumerate(note_ids):
        if note_id not in allowed:
            errors.add(f"note_ids.{index}",
                       _("Note %(id)d cannot be promoted: use your own published notes, or a "
                         "creator's note published for one of your partnerships.",
                         id=note_id), "note_not_promotable")
    errors.raise_if_any(_("Some notes cannot be promoted."))


def set_campaign_notes(campaign: Campaign, note_ids: list[int]) -> None:
    """Replace the campaign's creatives, in order."""
    campaign.campaign_notes = [CampaignNote(note_id=note_id, position=index)
                               for index, note_id in enumerate(note_ids)]


def _owner(campaign: Campaign) -> dict[str, int | None]:
    if campaign.is_boost:
        return {"organization_id": None, "creator_id": campaign.account.user_id}
    return {"organization_id": campaign.organization_id, "creator_id": None}


# Reading -------------------------------------------------------------------------------

def _campaign_query():
    return select(Campaign).options(selectinload(Campaign.campaign_notes)
                                    .selectinload(CampaignNote.note))


def get_brand_campaign(actor: User | None, organization_id: int, campaign_id: int
                       ) -> Campaign:
    """A campaign of the brand the actor works for; another brand's answers 404."""
    require_brand(actor, organization_id)
    campaign = db.session.scalar(_campaign_query().where(
        Campaign.id == campaign_id, Campaign.organization_id == organization_id))
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return campaign


def list_brand_campaigns(actor: User | None, organization_id: int, *,
                         status: str | None = None, before_id: int | None = None,
                         limit: int = 25) -> list[Campaign]:
    """The brand's campaigns, newest first."""
    require_brand(actor, organization_id)
    query = _campaign_query().where(Campaign.organization_id == organization_id)
    if status:
        query = query.where(Campaign.status == status)
    if before_id:
        query = query.where(Campaign.id < before_id)
    return list(db.session.scalars(query.order_by(Campaign.id.desc()).limit(limit)))


def get_own_boost(actor: User, campaign_id: int) -> Campaign:
    """One of the creator's boosts; anyone else's answers 404."""
    account = creator_account(actor)
    campaign = db.session.scalar(_campaign_query().where(
        Campaign.id == campaign_id, Campaign.is_boost.is_(True),
        Campaign.account_id == (account.id if account else -1)))
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    return campaign


def list_own_boosts(actor: User) -> list[Campaign]:
    """The creator's boosts, newest first."""
    account = creator_account(actor)
    if account is None:
        return []
    return list(db.session.scalars(_campaign_query().where(
        Campaign.account_id == account.id).order_by(Campaign.id.desc()).limit(50)))


# Writing -------------------------------------------------------------------------------

def create_campaign(actor: User, organization_id: int, data: Mapping[str, Any], *,
                    now: datetime | None = None) -> Campaign:
    """A new draft campaign of the brand, validated field by field."""
    now = now or utcnow()
    account = brand_account(actor, organization_id)
    values, note_ids = clean_campaign(data, account, now=now)
    check_promotable({"organization_id": organization_id, "creator_id": None}, note_ids)
    campaign = Campaign(organization_id=organization_id, account_id=account.id,
                        status="draft", is_boost=False, created_by_id=actor.id, **values)
    campaign.account = account
    set_campaign_notes(campaign, note_ids)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(actor: User, organization_id: int, campaign_id: int,
                    data: Mapping[str, Any], *, now: datetime | None = None) -> Campaign:
    """Change a draft; fields left out keep their value."""
    campaign = get_brand_campaign(actor, organization_id, campaign_id)
    return _update(campaign, data, now=now or utcnow())


def _update(campaign: Campaign, data: Mapping[str, Any], *, now: datetime) -> Campaign:
    if campaign.status != "draft":
        raise CampaignNotEditable(_("Only a draft can be edited; withdraw it from review "
                                    "first."))
    values, note_ids = clean_campaign(data, campaign.account, now=now, partial=campaign)
    check_promotable(_owner(campaign), note_ids)
    for key, value in values.items():
        setattr(campaign, key, value)
    if note_ids != campaign.note_ids:
        campaign.campaign_notes = []
        db.session.flush()
        set_campaign_notes(campaign, note_ids)
    db.session.flush()
    return campaign


def _move(campaign: Campaign, to: str, from_states: tuple[str, ...], **values) -> None:
    """The conditional UPDATE of the status; InvalidCampaignTransition if it lost."""
    db.session.flush()
    allowed = tuple(s for s in from_states if to in CAMPAIGN_TRANSITIONS[s])
    result = db.session.execute(
        update(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign.id,
                                CAMPAIGNS.c.status.in_(allowed))
        .values(status=to, updated_at=utcnow(), **values))
    if result.rowcount != 1:
        db.session.refresh(campaign)
        raise InvalidCampaignTransition(
            _("This campaign is %(status)s; it cannot become %(to)s.",
              status=campaign.status, to=to),
            fields={"status": [campaign.status]})
    db.session.refresh(campaign)


def submit_campaign(actor: User, organization_id: int | None, campaign_id: int, *,
                    now: datetime | None = None) -> Campaign:
    """Send a draft to review; its notes and flight are checked again, ad rules run."""
    now = now or utcnow()
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    if campaign.status != "draft":
        raise InvalidCampaignTransition(
            _("Only a draft can be sent to review (this one is %(status)s).",
              status=campaign.status))
    if campaign.starts_at < now - PAST_SLACK and campaign.ends_at <= now:
        raise ValidationFailed(_("The flight is over; choose new dates."),
                               code="flight_in_past",
                               fields={"starts_at": [_("The flight is over.")]})
    check_promotable(_owner(campaign), campaign.note_ids)
    _move(campaign, "in_review", ("draft",), submitted_at=now, rejection_reason="",
          rejection_code=None)
    case = open_campaign_review(campaign)
    campaign.review_findings = [
        {"code": r["code"], "market": r.get("market"), "text": r.get("text", "")}
        for r in case.reasons if r.get("source") == "rules"]
    db.session.flush()
    return campaign


def withdraw_campaign(actor: User, organization_id: int | None, campaign_id: int) -> Campaign:
    """Take a campaign out of review back to draft, to edit it; its case closes."""
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    _move(campaign, "draft", ("in_review",), submitted_at=None)
    close_withdrawn_campaign(campaign, actor)
    return campaign


def apply_review_verdict(verdict: CampaignVerdict, *, now: datetime | None = None) -> None:
    """Move a campaign as the moderation queue decided, and tell the brand.

    Approval reserves the budget from the balance (`insufficient_balance` when it is short:
    the whole decision is refused, so the moderator rejects or waits); rejection keeps the
    reason code the brand reads in its own language. On appeal, approval lifts a
    rejection; upholding it changes nothing but the notice.
    """
    now = now or utcnow()
    campaign = db.session.get(Campaign, verdict.campaign_id)
    if campaign is None:
        raise NotFound(_("No such campaign."), code="campaign_not_found")
    reviewed = {"reviewed_by_id": verdict.moderator.id, "reviewed_at": now}
    if verdict.approved:
        if campaign.ends_at <= now:
            raise InvalidCampaignTransition(_("The campaign's flight is over; reject it so "
                                              "the brand can choose new dates."),
                                            code="flight_over")
        to = "active" if campaign.starts_at <= now else "scheduled"
        from_state = "rejected" if verdict.on_appeal else "in_review"
        _move(campaign, to, (from_state,), rejection_code=None, rejection_reason="",
              **reviewed)
        post_entry(campaign.account, "campaign_reserve", -campaign.budget_minor,
                   reference_type="campaign", reference_id=campaign.id,
                   memo=campaign.name, actor=verdict.moderator)
        notify_campaign(campaign, "reinstated" if verdict.on_appeal else "approved")
    elif verdict.on_appeal:
        notify_campaign(campaign, "appeal_upheld")
    else:
        _move(campaign, "rejected", ("in_review",), rejection_code=verdict.reason_code,
              rejection_reason=verdict.note[:2000], **reviewed)
        notify_campaign(campaign, "rejected")


def appeal_rejection(actor: User, organization_id: int | None, campaign_id: int,
                     statement: str = "") -> ModerationAppeal:
    """Ask for a second moderator's look at a rejection, once (moderation's appeal rules)."""
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    case = latest_case("campaign", campaign.id)
    if campaign.status != "rejected" or case is None:
        raise ValidationFailed(_("Only a rejected campaign can be appealed."),
                               code="nothing_to_appeal")
    return appeal_decision(actor, case.id, statement)


def review_case(campaign: Campaign) -> ModerationCase | None:
    """The campaign's latest review in the moderation queue (with its appeal, if any)."""
    return latest_case("campaign", campaign.id)


def pause_campaign(actor: User, organization_id: int | None, campaign_id: int) -> Campaign:
    """Stop serving for now; the budget stays reserved."""
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    _move(campaign, "paused", ("scheduled", "active"))
    return campaign


def resume_campaign(actor: User, organization_id: int | None, campaign_id: int, *,
                    now: datetime | None = None) -> Campaign:
    """Serve again: active inside the flight, scheduled before it, completed after it."""
    now = now or utcnow()
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    if campaign.status == "paused" and campaign.ends_at <= now:
        return _complete(campaign, actor=actor, now=now)
    _move(campaign, "active" if campaign.starts_at <= now else "scheduled", ("paused",))
    return campaign


def complete_campaign(actor: User, organization_id: int | None, campaign_id: int, *,
                      now: datetime | None = None) -> Campaign:
    """End a running campaign early; what was not spent goes back to the balance."""
    campaign = get_own_boost(actor, campaign_id) if organization_id is None \
        else get_brand_campaign(actor, organization_id, campaign_id)
    return _complete(campaign, actor=actor, now=now or utcnow())


def _complete(campaign: Campaign, *, actor: User | None, now: datetime) -> Campaign:
    # The status changes first: spend is only recorded on an active campaign, so once
    # this UPDATE holds the row, `spent_minor` can no longer grow and the release is exact.
    _move(campaign, "completed", ("scheduled", "active", "paused"), completed_at=now)
    unspent = max(0, campaign.budget_minor - campaign.spent_minor)
    if unspent:
        db.session.execute(update(CAMPAIGNS).where(CAMPAIGNS.c.id == campaign.id)
                           .values(released_minor=unspent))
        post_entry(campaign.account, "campaign_release", unspent,
                   reference_type="campaign", reference_id=campaign.id,
                   memo=campaign.name, actor=actor)
        db.session.refresh(campaign)
    return campaign


def advance_campaigns(*, now: datetime | None = None, limit: int = 500) -> int:
    """The job: start scheduled campaigns whose flight began, close those whose flight
    ended or whose budget is spent. Returns how many changed.
    """
    now = now or utcnow()
    changed = 0
    starting = list(db.session.scalars(
        select(Campaign).where(Campaign.status == "scheduled", Campaign.starts_at <= now,
                               Campaign.ends_at > now).limit(limit)))
    for campaign in starting:
        try:
            _move(campaign, "active", ("scheduled",))
            changed += 1
        except InvalidCampaignTransition:
            continue
    ending = list(db.session.scalars(
        select(Campaign).where(
            Campaign.status.in_(("scheduled", "active", "paused")),
            or_(Campaign.ends_at <= now,
                (Campaign.status == "active") & (Campaign.spent_minor >= Campaign.budget_minor)))
        .limit(limit)))
    for campaign in ending:
        event = "flight_ended" if campaign.ends_at <= now else "budget_spent"
        try:
            _complete(campaign, actor=None, now=now)
        except InvalidCampaignTransition:
            continue
        notify_campaign(campaign, event)
        changed += 1
    return changed




def reserved_minor(account: AdAccount) -> int:
    """What the account's running campaigns and accepted partnerships still hold."""
    campaigns = db.session.scalar(
        select(func.coalesce(func.sum(Campaign.budget_minor - Campaign.spent_minor), 0))
        .where(Campaign.account_id == account.id, Campaign.status.in_(FUNDED_STATES),
               Campaign.spent_minor < Campaign.budget_minor)) or 0
    fees = db.session.scalar(
        select(func.coalesce(func.sum(Partnership.fee_minor), 0))
        .where(Partnership.account_id == account.id, Partnership.status == "accepted")) or 0
    return int(campaigns) + int(fees)
