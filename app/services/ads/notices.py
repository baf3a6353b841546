"""In-app notices about a campaign: to the brand's staff (or a boost's creator), and to
the creators whose partnered notes it promotes.

They are "partner" notifications carrying the campaign and what happened, so the
notifications page links each reader to the page they can open: the campaign for the
brand, the note for a partnered creator, the boosts page for a boost. The brand's staff
(or the boost's creator) are also e-mailed the decisions and the ends of delivery, in
their own language, through the outbox (sent once the transaction commits); the links
come from the `CampaignLinks` the web edge registers, as services know no URLs.
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, Membership, Notification, Partnership, User
from app.services.mail import queue_email

CAMPAIGN_EVENTS = ("approved", "rejected", "reinstated", "appeal_upheld", "budget_spent",
                   "flight_ended")
# What the brand is also told by e-mail: decisions, and delivery that stopped.
EMAILED_EVENTS = ("approved", "rejected", "reinstated", "budget_spent", "flight_ended")


class CampaignLinks(Protocol):
    """The absolute links campaign e-mails carry."""

    def brand_campaign(self, organization_id: int, campaign_id: int) -> str:
        """The brand portal's page of one campaign."""

    def boosts(self) -> str:
        """The creator's boosts page."""


_links: list[CampaignLinks] = []


def register_campaign_links(links: CampaignLinks) -> None:
    """Set the links campaign e-mails carry (the web edge does this)."""
    _links[:] = [links]


def _subject(event: str, name: str) -> str:
    subjects = {
        "approved": _("Your ad campaign “%(name)s” is approved", name=name),
        "reinstated": _("Your ad campaign “%(name)s” is approved", name=name),
        "rejected": _("Your ad campaign “%(name)s” was not approved", name=name),
        "budget_spent": _("Your ad campaign “%(name)s” has spent its budget", name=name),
        "flight_ended": _("Your ad campaign “%(name)s” has ended", name=name),
    }
    return subjects[event]


def _email_staff(campaign: Campaign, event: str, staff: list[int]) -> None:
    if event not in EMAILED_EVENTS or not staff:
        return
    link = None
    if _links:
        link = _links[0].boosts() if campaign.organization_id is None else \
            _links[0].brand_campaign(campaign.organization_id, campaign.id)
    template = current_app.jinja_env.get_template("email/campaign_notice.txt")
    for user in db.session.scalars(select(User).where(User.id.in_(staff),
                                                      User.is_active_account.is_(True))
                                   .order_by(User.id)):
        with force_locale(user.locale or "en"):
            body = template.render(user=user, campaign=campaign, event=event, link=link)
            subject = _subject(event, campaign.name)
        queue_email(user.email, subject, body, purpose="campaign_notice")


def notify_campaign(campaign: Campaign, event: str) -> list[Notification]:
    """Tell everyone with a stake in the campaign what happened to it (in the app; the
    brand's staff by e-mail too, for the `EMAILED_EVENTS`).
    """
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
    _email_staff(campaign, event, staff)
    return notices
