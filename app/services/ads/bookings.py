"""Booking guaranteed placements for a brand: its membership checked, then the work.

The edges (portal pages, API, demo) call these; the slot-day bookkeeping they rest on is
in app.services.ads.placements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AdAccount,
    Campaign,
    PlacementBooking,
    PlacementSlot,
    PlacementSlotDay,
    User,
)
from app.services.ads.placements import (
    CampaignNotBookable,
    DayAvailability,
    availability,
    cancel_placement,
    check_run,
    day_start,
    get_booking,
    get_slot,
    hold_placement,
    list_bookings,
    pay_placement,
    utc_day,
)
from app.services.errors import NotFound, ValidationFailed
from app.services.permissions import require_membership


@dataclass(frozen=True)
class AvailabilityAnswer:
    """A slot's availability for a country and run, in the brand's billing currency."""

    slot: PlacementSlot
    country: str
    start: date
    end: date
    currency: str
    days: list[DayAvailability]


def brand_currency(organization_id: int) -> str:
    """The brand's billing currency (its ad account's; USD before it has one)."""
    return db.session.scalar(select(AdAccount.currency).where(
        AdAccount.organization_id == organization_id)) or "USD"


def brand_campaign(organization_id: int, campaign_id: int | None) -> Campaign:
    """The brand's own campaign, or NotFound (another brand's reads as missing)."""
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is None or campaign.organization_id != organization_id:
        raise NotFound(_("Not found, or you do not have access to it."),
                       fields={"campaign_id": [_("Choose one of your campaigns.")]})
    return campaign


def placement_availability(actor: User, organization_id: int, slot_code: str,
                           country: str | None, start: date | None, end: date | None, *,
                           now: datetime) -> AvailabilityAnswer:
    """Availability of a slot for the brand (staff or above), day by day."""
    require_membership(actor, organization_id, kind="brand")
    slot = get_slot(slot_code)
    country, start, end = check_run(country, start, end, now)
    currency = brand_currency(organization_id)
    return AvailabilityAnswer(slot, country, start, end, currency,
                              availability(slot, country, start, end, currency=currency,
                                           organization_id=organization_id, now=now))


def book_placement(actor: User, organization_id: int, *, campaign_id: int | None,
                   slot_code: str, country: str | None, start: date | None,
                   end: date | None, now: datetime) -> PlacementBooking:
    """Hold a slot for one of the brand's campaigns for 30 minutes, priced now."""
    require_membership(actor, organization_id, min_role="admin", kind="brand")
    campaign = brand_campaign(organization_id, campaign_id)
    if campaign.status in ("rejected", "completed"):
        raise CampaignNotBookable(_("This campaign can no longer run; choose another."),
                                  fields={"campaign_id": [_("Choose a campaign that can "
                                                            "still run.")]})
    slot = get_slot(slot_code)
    country, start, end = check_run(country, start, end, now)
    if (day_start(start) < campaign.starts_at.astimezone(UTC).replace(
                hour=0, minute=0, second=0, microsecond=0)
            or day_start(end) >= campaign.ends_at):
        raise ValidationFailed(
            _("Book days within the campaign's flight (%(first)s to %(last)s, UTC).",
              first=utc_day(campaign.starts_at).isoformat(),
              last=utc_day(campaign.ends_at - timedelta(seconds=1)).isoformat()),
            code="placement_outside_flight",
            fields={"end" if day_start(end) >= campaign.ends_at else "start": [
                _("The campaign does not run on every one of these days.")]})
    return hold_placement(actor, organization_id, campaign.id, slot, country, start, end,
                          currency=campaign.currency, now=now)


def pay_placement_booking(actor: User, organization_id: int, booking_id: int, *,
                          now: datetime) -> PlacementBooking:
    """Pay the brand's held booking from its balance."""
    require_membership(actor, organization_id, min_role="admin", kind="brand")
    return pay_placement(actor, get_booking(organization_id, booking_id), now=now)


def cancel_placement_booking(actor: User, organization_id: int, booking_id: int, *,
                             now: datetime) -> PlacementBooking:
    """Cancel the brand's booking before its first day (a paid one is refunded)."""
    require_membership(actor, organization_id, min_role="admin", kind="brand")
    return cancel_placement(actor, get_booking(organization_id, booking_id), now=now)


def brand_bookings(actor: User, organization_id: int) -> list[PlacementBooking]:
    """The brand's bookings, newest first."""
    require_membership(actor, organization_id, kind="brand")
    return list_bookings(organization_id)


def brand_booking(actor: User, organization_id: int, booking_id: int) -> PlacementBooking:
    """One of the brand's bookings (404 for another brand's)."""
    require_membership(actor, organization_id, kind="brand")
    return get_booking(organization_id, booking_id)


def bookable_campaigns(actor: User, organization_id: int) -> list[Campaign]:
    """The brand's campaigns a placement can be booked for (not rejected or completed)."""
    require_membership(actor, organization_id, kind="brand")
    return list(db.session.scalars(select(Campaign).where(
        Campaign.organization_id == organization_id,
        Campaign.status.not_in(("rejected", "completed"))).order_by(Campaign.id.desc())))


def booking_delivery(booking: PlacementBooking) -> list[PlacementSlotDay]:
    """The booked days with their planned and delivered views (paid bookings only)."""
    if booking.state != "paid":
        return []
    return list(db.session.scalars(select(PlacementSlotDay).where(
        PlacementSlotDay.booking_id == booking.id).order_by(PlacementSlotDay.day)))
