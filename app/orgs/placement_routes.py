"""Brand portal: guaranteed placements — availability calendar, hold, pay, my bookings, cancel."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.models import utcnow
from app.money import Money
from app.orgs import bp
from app.orgs.ad_forms import BookingActionForm, HoldPlacementForm
from app.services.ads import bookings, placements
from app.services.errors import DomainError
from app.services.permissions import require_membership
from app.web.forms import reject_form, select_choices

STATUS_LABELS = {"available": _l("Available"), "possible": _l("Possible"),
                 "booked": _l("Booked")}
BOOKING_LABELS = {"held": _l("Held, waiting for payment"), "paid": _l("Paid"),
                  "cancelled": _l("Cancelled"), "expired": _l("Hold expired")}
SLOT_NAMES = {"discover_first": _l("Discover · first sponsored card")}
DEFAULT_RUN_DAYS = 14


def _date_arg(name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.args.get(name) or "")
    except ValueError:
        return default


def format_day_range_dates(first: date, last: date) -> str:
    """Two calendar days as a short localised range (dates, not instants)."""
    from babel.dates import format_interval
    from flask_babel import get_locale

    if first == last:
        from babel.dates import format_date
        return format_date(first, "medium", locale=str(get_locale() or "en"))
    return format_interval(first, last, "yMMMd", locale=str(get_locale() or "en"))


def _common(organization_id: int) -> dict:
    return {"status_labels": STATUS_LABELS, "booking_labels": BOOKING_LABELS,
            "slot_names": SLOT_NAMES, "now": utcnow(), "money": Money,
            "format_day_range_dates": format_day_range_dates}


def _placements_page(org_id: int, *, hold_form: HoldPlacementForm | None = None,
                     errors: list[str] | None = None, status: int = 200):
    """The calendar for the chosen slot, country and days, the booking form, my bookings."""
    membership = require_membership(current_user, org_id, kind="brand")
    now = utcnow()
    tomorrow = now.date() + timedelta(days=1)
    start = _date_arg("from", tomorrow)
    end = _date_arg("to", start + timedelta(days=DEFAULT_RUN_DAYS - 1))
    country = (request.args.get("country") or current_user.home_country or "US").upper()
    slots = placements.list_placement_slots()
    slot_code = request.args.get("slot") or (slots[0].code if slots else placements.DEFAULT_SLOT)
    slot, days, errors = None, [], list(errors or [])
    if slots:
        try:
            answer = bookings.placement_availability(current_user, org_id, slot_code, country,
                                                       start, end, now=now)
            slot, days = answer.slot, answer.days
        except DomainError as exc:
            errors.append(exc.message)
            slot = slots[0]
    bookable = [d for d in days if d.bookable]
    total = sum((d.price for d in bookable[1:]), bookable[0].price) if bookable else None
    campaigns = bookings.bookable_campaigns(current_user, org_id)
    if hold_form is None:
        hold_form = HoldPlacementForm(formdata=None, country=country, start=start, end=end)
    hold_form.campaign_id.choices = select_choices([(c.id, c.name) for c in campaigns])
    return render_template(
        "brand/placements/index.html", organization=membership.organization,
        membership=membership, slots=slots, slot=slot, country=country, start=start, end=end,
        days=days, bookable_count=len(bookable), bookable_total=total, hold_form=hold_form,
        bookings=bookings.brand_bookings(current_user, org_id), errors=errors,
        **_common(org_id)), status


@bp.get("/<int:org_id>/placements", endpoint="placements")
@login_required
def placements_page(org_id: int):
    """Availability of a guaranteed slot per day in a country, and the brand's bookings."""
    return _placements_page(org_id)


@bp.post("/<int:org_id>/placements/bookings")
@login_required
def placement_hold(org_id: int):
    """Hold the days for 30 minutes, then show the booking with its Pay button."""
    require_membership(current_user, org_id, kind="brand")
    form = HoldPlacementForm()
    campaigns = bookings.bookable_campaigns(current_user, org_id)
    form.campaign_id.choices = select_choices([(c.id, c.name) for c in campaigns])
    if not form.validate_on_submit():
        return _placements_page(org_id, hold_form=form, status=422)
    try:
        booking = bookings.book_placement(
            current_user, org_id, campaign_id=form.campaign_id.data,
            slot_code=form.slot.data or placements.DEFAULT_SLOT, country=form.country.data,
            start=form.start.data, end=form.end.data, now=utcnow())
    except DomainError as exc:
        rollback()
        reject_form(form, exc)
        return _placements_page(org_id, hold_form=form, errors=[exc.message],
                                status=exc.status)
    commit()
    flash(_("Held for 30 minutes. Pay from the balance to confirm the booking."), "success")
    return redirect(url_for("orgs.placement_booking", org_id=org_id, booking_id=booking.id),
                    code=303)


def _booking_page(org_id: int, booking_id: int, *, errors: list[str] | None = None,
                  status: int = 200):
    membership = require_membership(current_user, org_id, kind="brand")
    booking = bookings.brand_booking(current_user, org_id, booking_id)
    now = utcnow()
    return render_template(
        "brand/placements/booking.html", organization=membership.organization,
        membership=membership, booking=booking,
        campaign=bookings.brand_campaign(org_id, booking.campaign_id),
        delivery=bookings.booking_delivery(booking),
        cancellable=now < placements.day_start(booking.start_day),
        action_form=BookingActionForm(formdata=None), errors=errors or [],
        **_common(org_id)), status


@bp.get("/<int:org_id>/placements/bookings/<int:booking_id>")
@login_required
def placement_booking(org_id: int, booking_id: int):
    """One booking: its days, price, hold expiry, Pay and Cancel."""
    return _booking_page(org_id, booking_id)


def _act(org_id: int, booking_id: int, action, done: str):
    form = BookingActionForm()
    if not form.validate_on_submit():
        return _booking_page(org_id, booking_id, errors=[_("The form expired; try again.")],
                             status=400)
    try:
        action(current_user, org_id, booking_id, now=utcnow())
    except DomainError as exc:
        rollback()
        return _booking_page(org_id, booking_id, errors=[exc.message], status=exc.status)
    commit()
    flash(done, "success")
    return redirect(url_for("orgs.placement_booking", org_id=org_id, booking_id=booking_id),
                    code=303)


@bp.post("/<int:org_id>/placements/bookings/<int:booking_id>/pay")
@login_required
def placement_pay(org_id: int, booking_id: int):
    """Pay a held booking from the brand's balance."""
    return _act(org_id, booking_id, bookings.pay_placement_booking,
                _("Booked and paid from the balance."))


@bp.post("/<int:org_id>/placements/bookings/<int:booking_id>/cancel")
@login_required
def placement_cancel(org_id: int, booking_id: int):
    """Cancel a booking before its first day (a paid one is refunded to the balance)."""
    return _act(org_id, booking_id, bookings.cancel_placement_booking,
                _("Booking cancelled."))
