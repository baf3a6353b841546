"""In-app notices about a campaign: to the brand's staff (or a boost's creator), and to
the creators whose partnered notes it promotes.

They are "partner" notifications carrying the campaign and what happened, so the
notifications page links each reader to the page they can open: the campaign for the
brand, the note for a partnered creator, the boosts page for a boost.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, Membership, Notification, Partnership

CAMPAIGN_EVENTS = ("approved", "rejected", "reinstated", "appeal_upheld", "budget_spent",
                   "flight_ended")


def notify_campaign(campaign: Campaign, event: str) -> list[Notification]:
    """Tell everyone with a stake in the campaign what happened to it."""
    if event not in CAMPAIGN_EVENTS:
        raise ValueError(f"unknown campaign event {event}")
    if campaign.organization_id is None:
        staff = [campaign.account.user_id]
    else:
        staff = list(db.session.scalars(select(Membership.user_id).where(
            Membership.organization_id == campaign.organization_id)
            .order_by(Membership.user_id)))
    notices = [Notification(recipient_id=user_id, actor_id=None, kind="partner",
                            campaign_id=campaign.id, campaign_event=event)
               for user_id in staff]
    if campaign.organization_id is not None and campaign.note_ids \
            and event != "appeal_upheld":
        partnered = db.session.execute(select(Partnership.creator_id, Partnership.note_id).where(
            Partnership.organization_id == campaign.organization_id,
            Partnership.note_id.in_(campaign.note_ids)).order_by(Partnership.id))
        told = set(staff)
        for creator_id, note_id in partnered:
            if creator_id not in told:
                told.add(creator_id)
                notices.append(Notification(recipient_id=creator_id, actor_id=None,
                                            kind="partner", campaign_id=campaign.id,
                                            campaign_event=event, note_id=note_id))
    db.session.add_all(notices)
    db.session.flush()
    return notices
