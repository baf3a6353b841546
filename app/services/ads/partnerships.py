"""Partnerships (蒲公英): a brand's paid brief to a creator, published as a sponsored note.

proposed -> accepted (the creator; the fee is reserved from the brand's balance)
         -> declined (the creator) | cancelled (the brand)
accepted -> published (the creator names their published note for it: the note is an ad
            now, so it is held and screened with the ad rules in the moderation queue)
         -> cancelled (the brand, before publication: the reserve goes back)
published -> paid (the review passed: the reserve is released and the fee paid in one
             transaction, `partnership_release` + `partnership_fee`)
          -> accepted (the note was removed: the brief is open again, the fee still
             reserved, for another note)

The fee is paid only once the content passed review, as Pugongying pays creators: the
moderation queue decides the note as any note, and the decision's own transaction pays or
reopens the partnership through `settle_partnership_verdict`, which ads registers with
moderation (so moderation never imports ads). `settle_partnership_reviews`, a periodic
job, sweeps up any decided note whose partnership is still waiting; neither pays twice.

Each step is a conditional UPDATE on the status, so an acceptance racing a cancellation
acts once. A brand sees only its partnerships, a creator only their own (404 otherwise).
The published note carries the paid-partnership label ("Sponsored · with <brand>")
wherever it is shown, through `sponsor_names`.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    SHOWN_STATES,
    AdAccount,
    Note,
    Notification,
    Organization,
    Partnership,
    User,
    utcnow,
)
from app.money import Money
from app.services.ads.accounts import brand_account, require_brand
from app.services.ads.ledger import post_entry
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.fields import FieldErrors, clean_money, clean_text
from app.services.moderation import open_partnership_review

PARTNERSHIPS = Partnership.__table__
SPONSORED_STATES = ("published", "paid")
MAX_BRIEF = 5000


class InvalidPartnershipTransition(Conflict):
    """The partnership's status does not allow this step."""

    code = "invalid_partnership_transition"


def _query():
    return select(Partnership).options(selectinload(Partnership.organization),
                                       selectinload(Partnership.creator),
                                       selectinload(Partnership.note))


def propose_partnership(actor: User, organization_id: int, *, creator_id, title, brief,
                        fee) -> Partnership:
    """Send a creator (a user id, or their e-mail) a brief and a fee; they are notified."""
    account = brand_account(actor, organization_id)
    errors = FieldErrors()
    clean_title = clean_text(title, "title", errors, max_len=120, required=True)
    clean_brief = clean_text(brief, "brief", errors, max_len=MAX_BRIEF, required=True)
    money = clean_money(fee, "fee", errors, default_currency=account.currency, required=True,
                        exact=isinstance(fee, dict))
    if money is not None and money.currency != account.currency:
        errors.add("fee", _("The fee is in the account's billing currency %(currency)s.",
                            currency=account.currency), "currency_mismatch")
    elif money is not None and money.minor == 0:
        errors.add("fee", _("Must be more than zero."))
    creator = _find_creator(creator_id)
    if creator is None or not creator.is_active_account:
        errors.add("creator_id", _("No such creator."), "creator_not_found")
    elif creator.id == actor.id:
        errors.add("creator_id", _("Choose a creator other than yourself."))
    errors.raise_if_any(_("Please correct the highlighted fields."))
    partnership = Partnership(organization_id=organization_id, account_id=account.id,
                              creator_id=creator.id, title=clean_title, brief=clean_brief,
                              fee_minor=money.minor, currency=money.currency,
                              status="proposed", created_by_id=actor.id)
    db.session.add(partnership)
    db.session.flush()
    db.session.add(Notification(recipient_id=creator.id, actor_id=actor.id, kind="partner"))
    db.session.flush()
    return partnership


def _find_creator(ref) -> User | None:
    """A user by id, or by e-mail address (how brand staff know creators)."""
    if isinstance(ref, int) and not isinstance(ref, bool):
        return db.session.get(User, ref)
    if isinstance(ref, str) and "@" in ref.strip()[1:]:
        return db.session.scalar(select(User).where(User.email == ref.strip().lower()))
    return None


def list_brand_partnerships(actor: User, organization_id: int, *, limit: int = 100
                            ) -> list[Partnership]:
    """The brand's partnerships, newest first."""
    require_brand(actor, organization_id)
    return list(db.session.scalars(_query().where(
        Partnership.organization_id == organization_id)
        .order_by(Partnership.id.desc()).limit(limit)))


def get_brand_partnership(actor: User, organization_id: int, partnership_id: int
                          ) -> Partnership:
    """One of the brand's partnerships; another brand's answers 404."""
    require_brand(actor, organization_id)
    found = db.session.scalar(_query().where(Partnership.id == partnership_id,
                                             Partnership.organization_id == organization_id))
    if found is None:
        raise NotFound(_("No such partnership."), code="partnership_not_found")
    return found


def list_creator_partnerships(actor: User, *, limit: int = 100) -> list[Partnership]:
    """The creator's briefs, newest first."""
    return list(db.session.scalars(_query().where(Partnership.creator_id == actor.id)
                                   .order_by(Partnership.id.desc()).limit(limit)))


def get_creator_partnership(actor: User, partnership_id: int) -> Partnership:
    """One of the creator's briefs; anyone else's answers 404."""
    found = db.session.scalar(_query().where(Partnership.id == partnership_id,
                                             Partnership.creator_id == actor.id))
    if found is None:
        raise NotFound(_("No such partnership."), code="partnership_not_found")
    return found


def _move(partnership: Partnership, to: str, from_states: tuple[str, ...], **values) -> None:
    db.session.flush()
    result = db.session.execute(
        update(PARTNERSHIPS).where(PARTNERSHIPS.c.id == partnership.id,
                                   PARTNERSHIPS.c.status.in_(from_states))
        .values(status=to, updated_at=utcnow(), **values))
    db.session.refresh(partnership)
    if result.rowcount != 1:
        raise InvalidPartnershipTransition(
            _("This partnership is %(status)s; it cannot become %(to)s.",
              status=partnership.status, to=to))


def accept_partnership(actor: User, partnership_id: int) -> Partnership:
    """The creator accepts: the fee is reserved from the brand's balance (422 if short)."""
    partnership = get_creator_partnership(actor, partnership_id)
    _move(partnership, "accepted", ("proposed",), responded_at=utcnow())
    account = db.session.get(AdAccount, partnership.account_id)
    post_entry(account, "partnership_reserve", -partnership.fee_minor,
               reference_type="partnership", reference_id=partnership.id,
               memo=partnership.title, actor=actor)
    return partnership


def decline_partnership(actor: User, partnership_id: int) -> Partnership:
    """The creator declines a brief (nothing was reserved)."""
    partnership = get_creator_partnership(actor, partnership_id)
    _move(partnership, "declined", ("proposed",), responded_at=utcnow())
    return partnership


def cancel_partnership(actor: User, organization_id: int, partnership_id: int
                       ) -> Partnership:
    """The brand withdraws a brief before its fee is paid; a reserved fee goes back."""
    partnership = get_brand_partnership(actor, organization_id, partnership_id)
    was = partnership.status
    _move(partnership, "cancelled", ("proposed", "accepted", "published"))
    if was in ("accepted", "published"):
        account = db.session.get(AdAccount, partnership.account_id)
        post_entry(account, "partnership_release", partnership.fee_minor,
                   reference_type="partnership", reference_id=partnership.id,
                   memo=partnership.title, actor=actor)
    return partnership


def publish_partnership_note(actor: User, partnership_id: int, note_id) -> Partnership:
    """The creator names their published note for the brief: it is held for ad review; the
    fee is paid from the reserve when a moderator approves it (`settle_partnership_verdict`).
    """
    partnership = get_creator_partnership(actor, partnership_id)
    note = db.session.get(Note, note_id) if isinstance(note_id, int) else None
    if note is None or note.author_id != actor.id:
        raise ValidationFailed(_("Choose one of your own notes."), code="note_not_promotable",
                               fields={"note_id": [_("Choose one of your own notes.")]})
    if not note.is_published:
        raise ValidationFailed(_("Publish the note first, then choose it here."),
                               code="note_not_published",
                               fields={"note_id": [_("This note is still a draft.")]})
    taken = db.session.scalar(select(Partnership.id).where(Partnership.note_id == note.id,
                                                           Partnership.id != partnership.id))
    if taken is not None:
        raise ValidationFailed(_("This note already belongs to another partnership."),
                               code="note_already_sponsored",
                               fields={"note_id": [_("Choose another note.")]})
    _move(partnership, "published", ("accepted",), note_id=note.id, published_at=utcnow())
    open_partnership_review(note)
    return partnership


# A note shown again (to everyone, or to adults only: the content was published as agreed)
# is paid for; a removed one reopens the brief.
SETTLED_STATES = (*SHOWN_STATES, "removed")


def settle_partnership_verdict(target_type: str, target_id: int, state: str) -> None:
    """A moderator's verdict on a partnership note, in the decision's own transaction:
    approved or age-gated (shown again), the creator is paid; removed, the brief opens
    again.
    """
    if target_type != "note" or state not in SETTLED_STATES:
        return
    partnership = db.session.scalar(select(Partnership).where(
        Partnership.note_id == target_id, Partnership.status == "published"))
    if partnership is not None:
        _settle(partnership, state)


def settle_partnership_reviews(*, limit: int = 200) -> list[str]:
    """The sweep behind `settle_partnership_verdict`: pay the fee of each published
    partnership whose note passed review, reopen those whose note was removed, should a
    verdict have been missed. One line per partnership settled.
    """
    rows = db.session.execute(
        select(Partnership.id, Note.moderation_state)
        .join(Note, Note.id == Partnership.note_id)
        .where(Partnership.status == "published",
               Note.moderation_state.in_(SETTLED_STATES))
        .order_by(Partnership.id).limit(limit)).all()
    lines = []
    for partnership_id, state in rows:
        line = _settle(db.session.get(Partnership, partnership_id), state)
        if line is not None:
            lines.append(line)
    return lines


def _settle(partnership: Partnership, note_state: str) -> str | None:
    """Pay (note shown) or reopen (note removed) a published partnership, once: None when
    another transaction settled it first (the status moves by a conditional UPDATE).
    """
    try:
        if note_state in SHOWN_STATES:
            _pay_fee(partnership)
            return f"partnership {partnership.id}: fee paid"
        _move(partnership, "accepted", ("published",), note_id=None, published_at=None)
        return f"partnership {partnership.id}: note removed, brief reopened"
    except InvalidPartnershipTransition:
        return None


def _pay_fee(partnership: Partnership) -> None:
    _move(partnership, "paid", ("published",), fee_paid_at=utcnow())
    account = db.session.get(AdAccount, partnership.account_id)
    post_entry(account, "partnership_release", partnership.fee_minor,
               reference_type="partnership", reference_id=partnership.id,
               memo=partnership.title)
    post_entry(account, "partnership_fee", -partnership.fee_minor,
               reference_type="partnership", reference_id=partnership.id,
               memo=partnership.title)


def sponsor_names(note_ids: list[int]) -> dict[int, str]:
    """Note id -> the brand it was made with, for the paid-partnership label (one query)."""
    if not note_ids:
        return {}
    rows = db.session.execute(
        select(Partnership.note_id, Organization.name)
        .join(Organization, Organization.id == Partnership.organization_id)
        .where(Partnership.note_id.in_(set(note_ids)),
               Partnership.status.in_(SPONSORED_STATES)))
    return {note_id: name for note_id, name in rows}


def partnership_fee(partnership: Partnership) -> Money:
    """The fee as Money."""
    return Money(partnership.fee_minor, partnership.currency)
