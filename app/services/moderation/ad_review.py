"""Ad campaigns in the review queue: screened against each destination market's rules
(ad rules included) when submitted, decided by a moderator of those markets. A creator's
note made for a brand's paid brief is an ad too: `open_partnership_review` holds it and
screens it with the ad rules until a moderator decides it like any note.

Moderation does not know how a campaign moves: the ads domain registers the function
that applies a decision (`register_campaign_decider`), so the dependency points from ads
to moderation only, as with payments' intent handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import Campaign, Membership, ModerationCase, Note, User
from app.services.errors import ValidationFailed
from app.services.moderation.audit import record_audit
from app.services.moderation.cases import item_text, open_case
from app.services.moderation.rules import ALL_MARKETS, current_matcher

# What a moderator may decide about an ad: serve it, or refuse it.
CAMPAIGN_ACTIONS = ("approve", "remove")


@dataclass(frozen=True)
class CampaignVerdict:
    """A decision (or an appeal's outcome) as the ads side needs it."""

    campaign_id: int
    approved: bool
    reason_code: str
    note: str
    moderator: User
    on_appeal: bool


CampaignDecider = Callable[[CampaignVerdict], None]
_deciders: list[CampaignDecider] = []


def register_campaign_decider(decider: CampaignDecider) -> None:
    """Set the function that moves a campaign when its case is decided (ads does this)."""
    _deciders[:] = [decider]


def apply_campaign_verdict(verdict: CampaignVerdict) -> None:
    """Hand a decision to the ads side; without it nothing could move, so refuse."""
    if not _deciders:
        raise RuntimeError("no campaign decider registered")
    _deciders[0](verdict)


def check_campaign_action(action: str) -> None:
    """Only approve and remove (reject) mean something for an ad."""
    if action not in CAMPAIGN_ACTIONS:
        message = _("An ad campaign can only be approved or rejected (remove).")
        raise ValidationFailed(message, code="action_not_for_campaign",
                               fields={"action": [message]})


def open_campaign_review(campaign: Campaign) -> ModerationCase:
    """Screen a submitted campaign's name and notes against the rules of every market it
    targets (every market with rules when it targets all) and open its case.

    The case is scoped to those markets, so only their moderators see it; each rule match
    is a reason with its span in the campaign's text, highlighted on the item page.
    """
    markets = sorted({c.upper() for c in campaign.countries or []})
    matcher, _versions = current_matcher(markets or None)
    text = item_text("campaign", campaign)
    reasons = [{"code": m.reason_code, "severity": m.severity, "source": "rules",
                "rule_id": m.rule_id, "spans": [[m.start, m.end]], "text": m.excerpt,
                "market": m.market}
               for m in matcher.match(text, target_type="ad_creative")
               if m.market == ALL_MARKETS or not markets or m.market in markets]
    return open_case("campaign", campaign.id, source="rules", reasons=reasons,
                     markets=markets)


def open_partnership_review(note: Note, markets: list[str] | None = None) -> ModerationCase:
    """Hold a note published for a brand's brief and screen it with the ad rules of
    `markets` (None: every market with rules, as a note is shown everywhere).

    It is decided as a note: approved, it shows again with its paid-partnership label (the
    ads side then pays the creator); removed, it stays down.
    """
    wanted = sorted({m.upper() for m in markets or []})
    matcher, _versions = current_matcher(wanted or None)
    reasons = [{"code": m.reason_code, "severity": m.severity, "source": "rules",
                "rule_id": m.rule_id, "spans": [[m.start, m.end]], "text": m.excerpt,
                "market": m.market}
               for m in matcher.match(item_text("note", note), target_type="ad_creative")
               if m.market == ALL_MARKETS or not wanted or m.market in wanted]
    return open_case("note", note.id, source="rules", reasons=reasons, markets=wanted,
                     hold=True)


def close_withdrawn_campaign(campaign: Campaign, actor: User) -> None:
    """The brand took its campaign back to edit it: the undecided case closes unread."""
    case_id = db.session.scalar(select(ModerationCase.id).where(
        ModerationCase.open_key == f"campaign:{campaign.id}"))
    if case_id is None:
        return
    db.session.execute(update(ModerationCase).where(ModerationCase.id == case_id).values(
        status="closed", open_key=None, claimed_by_id=None, claimed_at=None),
        execution_options={"synchronize_session": False})
    record_audit(actor, "withdrawn", target_type="campaign", target_id=campaign.id,
                 case_id=case_id)


def speaks_for_campaign(user: User, campaign_id: int) -> bool:
    """Whether the user may appeal for the campaign: its brand's staff, or the creator of a
    boost.
    """
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return False
    if campaign.organization_id is None:
        return campaign.account.user_id == user.id
    return db.session.scalar(select(Membership.id).where(
        Membership.organization_id == campaign.organization_id,
        Membership.user_id == user.id)) is not None
