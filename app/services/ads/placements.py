"""Guaranteed placements: availability, holds, payment from the balance, cancellation, expiry.

Inventory is one `PlacementSlotDay` row per (slot, country, UTC day). A hold claims every
day of its run with ONE conditional UPDATE (free, or held by a hold past its expiry ->
held by this booking); fewer rows updated than days asked means another live booking has
some of them, and the claim is undone in its savepoint. On PostgreSQL the UPDATE waits for
a concurrent claimer's row locks and re-checks the condition once it commits; on SQLite
writers are serialised (BEGIN IMMEDIATE). Either way two live bookings never hold one day,
and an expired hold never blocks (it is claimable before the expiry job has run).

Paying charges the brand's prepaid balance through the ledger (`placement_charge`);
cancelling before the first day refunds it (`placement_refund`); after the start it is
refused with `placement_already_started`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import (
    AdAccount,
    DiscoverViewDay,
    PlacementBooking,
    PlacementSlot,
    PlacementSlotDay,
    User,
)
from app.money import Money
from app.services.ads import forecast
from app.services.ads.ledger import post_entry
from app.services.errors import Conflict, NotFound
from app.services.fields import FieldErrors
from app.services.regions import is_country

HOLD_MINUTES = 30
MAX_RUN_DAYS = 31
MAX_DAYS_AHEAD = 180
DEFAULT_SLOT = "discover_first"


class PlacementUnavailable(Conflict):
    """Some days of the run are held or booked by another live booking."""

    code = "placement_unavailable"


class PlacementHoldExpired(Conflict):
    """The 30-minute hold ran out before payment; book again."""

    code = "placement_hold_expired"


class PlacementAlreadyStarted(Conflict):
    """A placement whose first day has begun can no longer be cancelled."""

    code = "placement_already_started"


class CampaignNotBookable(Conflict):
    """Placements are booked for campaigns that can still run (not rejected or finished)."""

    code = "campaign_not_bookable"


class PlacementNotPayable(Conflict):
    """Only a live hold can be paid (paid, cancelled and expired bookings cannot)."""

    code = "placement_not_payable"


@dataclass(frozen=True)
class DayAvailability:
    """One day of a slot in a country: status, forecast and price in the brand's currency."""

    day: date
    status: str
    forecast: forecast.DayForecast
    price: Money
    bookable: bool
    mine: bool


def utc_day(moment: datetime) -> date:
    """The UTC calendar day of `moment` (placement days are UTC days)."""
    return moment.astimezone(UTC).date()


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def run_days(start: date, end: date) -> list[date]:
    """Every day from `start` to `end`, both included."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# Traffic ----------------------------------------------------------------------------------
def record_discover_view(country: str | None, now: datetime) -> None:
    """Count one Discover first page viewed from `country` today (one upsert)."""
    if not country or not is_country(country):
        return
    table = DiscoverViewDay.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(country=country.upper(), day=utc_day(now), views=1)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["country", "day"], set_={"views": table.c.views + 1}))


def discover_history(country: str, today: date) -> dict[date, int]:
    """Discover views per day in `country` over the forecast window before `today`."""
    rows = db.session.execute(select(DiscoverViewDay.day, DiscoverViewDay.views).where(
        DiscoverViewDay.country == country,
        DiscoverViewDay.day >= today - timedelta(days=forecast.HISTORY_DAYS),
        DiscoverViewDay.day < today))
    return {row.day: row.views for row in rows}


# Reads ------------------------------------------------------------------------------------
def get_slot(code: str) -> PlacementSlot:
    """The active slot with `code`, or NotFound (`unknown_placement_slot`)."""
    slot = db.session.scalar(select(PlacementSlot).where(PlacementSlot.code == code,
                                                         PlacementSlot.is_active))
    if slot is None:
        raise NotFound(_("There is no such placement."), code="unknown_placement_slot")
    return slot


def list_placement_slots() -> list[PlacementSlot]:
    """Every slot on sale, by surface and position."""
    return list(db.session.scalars(select(PlacementSlot).where(PlacementSlot.is_active)
                                   .order_by(PlacementSlot.surface, PlacementSlot.position)))


def check_run(country: str | None, start: date | None, end: date | None, now: datetime,
              *, field_prefix: str = "") -> tuple[str, date, date]:
    """The upper-cased country and the run, or ValidationFailed naming the bad field."""
    errors = FieldErrors()
    today = utc_day(now)
    if not is_country(country):
        errors.add(f"{field_prefix}country", _("Choose a country (ISO code such as JP)."),
                   "unknown_country")
    if start is None:
        errors.add(f"{field_prefix}start", _("Give the first day as YYYY-MM-DD."),
                   "invalid_placement_dates")
    elif start <= today:
        errors.add(f"{field_prefix}start", _("Placements can be booked from tomorrow on."),
                   "invalid_placement_dates")
    elif start > today + timedelta(days=MAX_DAYS_AHEAD):
        errors.add(f"{field_prefix}start",
                   _("Placements can be booked up to %(days)d days ahead.",
                     days=MAX_DAYS_AHEAD), "invalid_placement_dates")
    if end is None:
        errors.add(f"{field_prefix}end", _("Give the last day as YYYY-MM-DD."),
                   "invalid_placement_dates")
    elif start is not None and end < start:
        errors.add(f"{field_prefix}end", _("The last day cannot be before the first."),
                   "invalid_placement_dates")
    elif start is not None and (end - start).days + 1 > MAX_RUN_DAYS:
        errors.add(f"{field_prefix}end", _("Book at most %(days)d days at a time.",
                                           days=MAX_RUN_DAYS), "invalid_placement_dates")
    errors.raise_if_any()
    assert country is not None and start is not None and end is not None
    return country.upper(), start, end


def slot_price(slot: PlacementSlot, planned: int, currency: str, now: datetime) -> Money:
    """The price of `planned` impressions of `slot` in the brand's billing `currency`."""
    from app.services.fx import convert, lock_rate

    price = Money(forecast.placement_price_minor(planned, slot.cpm_minor), slot.currency)
    if slot.currency == currency:
        return price
    return convert(price, lock_rate(slot.currency, currency, now=now))


def availability(slot: PlacementSlot, country: str, start: date, end: date, *,
                 currency: str, organization_id: int, now: datetime) -> list[DayAvailability]:
    """Each day of the run: available / booked / possible, its forecast and price."""
    today = utc_day(now)
    days = run_days(start, end)
    forecasts = forecast.forecast_views(discover_history(country, today), today, days)
    taken = {row.day: row for row in db.session.execute(
        select(PlacementSlotDay.day, PlacementSlotDay.state, PlacementSlotDay.hold_expires_at,
               PlacementBooking.organization_id)
        .join(PlacementBooking, PlacementBooking.id == PlacementSlotDay.booking_id)
        .where(PlacementSlotDay.slot_id == slot.id, PlacementSlotDay.country == country,
               PlacementSlotDay.day.between(start, end), PlacementSlotDay.state != "free"))}
    result = []
    for day_forecast in forecasts:
        row = taken.get(day_forecast.day)
        live_hold = row is not None and row.state == "held" and row.hold_expires_at > now
        booked = row is not None and row.state == "booked"
        mine = (booked or live_hold) and row.organization_id == organization_id
        status = forecast.day_status(day_forecast, booked=booked or (live_hold and mine),
                                     held_by_other=live_hold and not mine)
        result.append(DayAvailability(
            day_forecast.day, status, day_forecast,
            slot_price(slot, day_forecast.planned, currency, now),
            bookable=not booked and not live_hold and day_forecast.day > today, mine=mine))
    return result


def list_bookings(organization_id: int, *, limit: int = 100) -> list[PlacementBooking]:
    """The organisation's bookings, newest first."""
    return list(db.session.scalars(
        select(PlacementBooking).where(PlacementBooking.organization_id == organization_id)
        .order_by(PlacementBooking.id.desc()).limit(limit)))


def get_booking(organization_id: int, booking_id: int) -> PlacementBooking:
    """The organisation's booking, or NotFound (another brand's reads as missing)."""
    booking = db.session.get(PlacementBooking, booking_id)
    if booking is None or booking.organization_id != organization_id:
        raise NotFound(_("Not found, or you do not have access to it."))
    return booking


# Writes -----------------------------------------------------------------------------------
def _claimable(now: datetime):
    return or_(PlacementSlotDay.state == "free",
               and_(PlacementSlotDay.state == "held", PlacementSlotDay.hold_expires_at <= now))


def _ensure_rows(slot_id: int, country: str, days: list[date]) -> None:
    """Create the run's slot-day rows that do not exist yet (racing creators: no error)."""
    table = PlacementSlotDay.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(
        dialect.insert(table).on_conflict_do_nothing(
            index_elements=["slot_id", "country", "day"]),
        [{"slot_id": slot_id, "country": country, "day": day, "state": "free",
          "planned_impressions": 0, "delivered_impressions": 0, "serve_rate": Decimal(1)}
         for day in days])


def _unavailable(slot: PlacementSlot, country: str, days: list[date], now: datetime,
                 booking_id: int) -> PlacementUnavailable:
    busy = sorted(db.session.scalars(select(PlacementSlotDay.day).where(
        PlacementSlotDay.slot_id == slot.id, PlacementSlotDay.country == country,
        PlacementSlotDay.day.in_(days), PlacementSlotDay.booking_id != booking_id,
        ~_claimable(now))))
    listed = ", ".join(day.isoformat() for day in busy) or ", ".join(
        day.isoformat() for day in days)
    return PlacementUnavailable(
        _("%(slot)s in %(country)s is already booked on %(days)s.", slot=slot.name,
          country=country, days=listed),
        fields={"dates": [day.isoformat() for day in busy]})


def hold_placement(actor: User, organization_id: int, campaign_id: int, slot: PlacementSlot,
                   country: str, start: date | None, end: date | None, *, currency: str,
                   now: datetime) -> PlacementBooking:
    """Hold the slot for the run for 30 minutes (priced now), or PlacementUnavailable (409).

    The caller has checked the actor's membership and that the campaign is the brand's.
    """
    country, start, end = check_run(country, start, end, now)
    days = run_days(start, end)
    plan = {f.day: f.planned for f in forecast.forecast_views(
        discover_history(country, utc_day(now)), utc_day(now), days)}
    price = sum((slot_price(slot, plan[day], currency, now) for day in days),
                Money(0, currency))
    expires = now + timedelta(minutes=HOLD_MINUTES)
    savepoint = db.session.begin_nested()
    booking = PlacementBooking(
        organization_id=organization_id, campaign_id=campaign_id, slot_id=slot.id,
        country=country, start_day=start, end_day=end, state="held",
        planned_impressions=sum(plan.values()), price_minor=price.minor, currency=currency,
        hold_expires_at=expires, created_by_id=actor.id)
    db.session.add(booking)
    db.session.flush()
    _ensure_rows(slot.id, country, days)
    claimed = db.session.execute(
        update(PlacementSlotDay)
        .where(PlacementSlotDay.slot_id == slot.id, PlacementSlotDay.country == country,
               PlacementSlotDay.day.between(start, end), _claimable(now))
        .values(state="held", booking_id=booking.id, hold_expires_at=expires,
                delivered_impressions=0, serve_rate=Decimal(1))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != len(days):
        error = _unavailable(slot, country, days, now, booking.id)
        savepoint.rollback()
        raise error
    for day, planned in plan.items():
        db.session.execute(
            update(PlacementSlotDay)
            .where(PlacementSlotDay.slot_id == slot.id, PlacementSlotDay.country == country,
                   PlacementSlotDay.day == day, PlacementSlotDay.booking_id == booking.id)
            .values(planned_impressions=planned)
            .execution_options(synchronize_session=False))
    savepoint.commit()
    return booking


def pay_placement(actor: User, booking: PlacementBooking, *, now: datetime) -> PlacementBooking:
    """Pay a live hold from the brand's balance; the days become booked.

    `placement_hold_expired` (409) once the 30 minutes are over, `placement_not_payable`
    for a booking that is not a hold; the balance check is the ledger's.
    """
    if booking.effective_state(now) == "expired":
        raise PlacementHoldExpired(_("The 30-minute hold has run out; book the days again."))
    paid = db.session.execute(
        update(PlacementBooking)
        .where(PlacementBooking.id == booking.id, PlacementBooking.state == "held",
               PlacementBooking.hold_expires_at > now)
        .values(state="paid", paid_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if paid != 1:
        db.session.refresh(booking)
        if booking.effective_state(now) == "expired":
            raise PlacementHoldExpired(_("The 30-minute hold has run out; book the days "
                                         "again."))
        raise PlacementNotPayable(_("This booking is not waiting for payment."))
    db.session.execute(
        update(PlacementSlotDay).where(PlacementSlotDay.booking_id == booking.id,
                                       PlacementSlotDay.state == "held")
        .values(state="booked", hold_expires_at=None)
        .execution_options(synchronize_session=False))
    db.session.refresh(booking)
    if booking.price_minor:
        post_entry(_account(booking), "placement_charge", -booking.price_minor,
                   reference_type="placement_booking", reference_id=booking.id,
                   memo=_memo(booking), actor=actor)
    return booking


def _account(booking: PlacementBooking) -> AdAccount:
    account = db.session.scalar(select(AdAccount).where(
        AdAccount.organization_id == booking.organization_id))
    if account is None:
        raise NotFound(_("This brand has no advertising balance yet."))
    return account


def _memo(booking: PlacementBooking) -> str:
    return (f"{booking.slot.name} · {booking.country} · {booking.start_day.isoformat()}"
            f"–{booking.end_day.isoformat()}")


def _free_days(booking_id: int) -> None:
    db.session.execute(
        update(PlacementSlotDay).where(PlacementSlotDay.booking_id == booking_id)
        .values(state="free", booking_id=None, hold_expires_at=None, planned_impressions=0,
                delivered_impressions=0, serve_rate=Decimal(1))
        .execution_options(synchronize_session=False))


def cancel_placement(actor: User, booking: PlacementBooking, *,
                     now: datetime) -> PlacementBooking:
    """Cancel before the first day (refunded if paid); `placement_already_started` after."""
    state = booking.effective_state(now)
    if state in ("cancelled", "expired"):
        return booking
    if now >= day_start(booking.start_day):
        raise PlacementAlreadyStarted(
            _("This placement started on %(day)s and can no longer be cancelled.",
              day=booking.start_day.isoformat()))
    changed = db.session.execute(
        update(PlacementBooking)
        .where(PlacementBooking.id == booking.id, PlacementBooking.state == state)
        .values(state="cancelled", cancelled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(booking)
    if changed != 1:  # a concurrent cancel or expiry got there first
        return booking
    _free_days(booking.id)
    if state == "paid" and booking.price_minor:
        post_entry(_account(booking), "placement_refund", booking.price_minor,
                   reference_type="placement_booking", reference_id=booking.id,
                   memo=_memo(booking), actor=actor)
    return booking


def expire_placement_holds(*, now: datetime, limit: int = 500) -> int:
    """Mark holds past their 30 minutes expired and free their days; how many."""
    ids = list(db.session.scalars(
        select(PlacementBooking.id).where(PlacementBooking.state == "held",
                                          PlacementBooking.hold_expires_at <= now)
        .order_by(PlacementBooking.id).limit(limit)))
    expired = 0
    for booking_id in ids:
        changed = db.session.execute(
            update(PlacementBooking)
            .where(PlacementBooking.id == booking_id, PlacementBooking.state == "held",
                   PlacementBooking.hold_expires_at <= now)
            .values(state="expired", updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            # Only days still held by this booking: a newer booking may have claimed some.
            db.session.execute(
                update(PlacementSlotDay).where(PlacementSlotDay.booking_id == booking_id,
                                               PlacementSlotDay.state == "held")
                .values(state="free", booking_id=None, hold_expires_at=None,
                        planned_impressions=0)
                .execution_options(synchronize_session=False))
            expired += 1
    return expired


def count_live_bookings(slot_id: int, country: str, day: date, now: datetime) -> int:
    """How many live (paid, or held and unexpired) bookings cover the slot-day (0 or 1)."""
    return db.session.scalar(select(func.count()).select_from(PlacementBooking).where(
        PlacementBooking.slot_id == slot_id, PlacementBooking.country == country,
        PlacementBooking.start_day <= day, PlacementBooking.end_day >= day,
        or_(PlacementBooking.state == "paid",
            and_(PlacementBooking.state == "held", PlacementBooking.hold_expires_at > now))))
