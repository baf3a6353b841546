"""Guaranteed placements and campaign reports through the API (brand staff; admins book)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request

from app.api import bp
from app.api.core import api_user, idempotent, json_body, token_required
from app.api.fields import int_field
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit
from app.models import BOOKING_STATES, PlacementBooking, utcnow
from app.money import Money
from app.services.ads import bookings, placements
from app.services.errors import ValidationFailed

DATE = {"type": "string", "format": "date"}
AVAILABILITY_SCHEMA = schema("PlacementAvailability", {
    "type": "object",
    "required": ["slot", "country", "from", "to", "currency", "days"],
    "properties": {
        "slot": {"type": "string"}, "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "from": DATE, "to": DATE, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "days": {"type": "array", "items": {
            "type": "object",
            "required": ["date", "status", "bookable", "forecast", "price"],
            "properties": {
                "date": DATE,
                "status": {"type": "string", "enum": ["available", "possible", "booked"],
                           "description": "available: free with a confident forecast; "
                                          "possible: held by another brand's unpaid hold "
                                          "(lapses within 30 minutes) or the forecast is "
                                          "uncertain (priced at its lower bound); booked: "
                                          "a paid booking has it."},
                "bookable": {"type": "boolean"},
                "mine": {"type": "boolean"},
                "forecast": {"type": "object",
                             "required": ["expected", "low", "high", "confident"],
                             "properties": {"expected": {"type": "integer"},
                                            "low": {"type": "integer"},
                                            "high": {"type": "integer"},
                                            "confident": {"type": "boolean"}}},
                "price": ref("Money")}}},
    },
})
BOOKING_SCHEMA = schema("PlacementBooking", {
    "type": "object",
    "required": ["id", "campaign_id", "slot", "country", "start", "end", "status",
                 "planned_impressions", "price", "hold_expires_at"],
    "properties": {
        "id": {"type": "integer"}, "campaign_id": {"type": "integer"},
        "slot": {"type": "string"}, "country": {"type": "string"},
        "start": DATE, "end": DATE,
        "status": {"type": "string", "enum": list(BOOKING_STATES)},
        "planned_impressions": {"type": "integer"},
        "price": ref("Money"),
        "hold_expires_at": {"type": "string", "format": "date-time"},
        "paid_at": {"type": ["string", "null"], "format": "date-time"},
        "cancelled_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
BOOKING_REQUEST = schema("PlacementBookingCreate", {
    "type": "object", "required": ["campaign_id", "country", "start", "end"],
    "properties": {
        "campaign_id": {"type": "integer"},
        "slot": {"type": "string", "default": placements.DEFAULT_SLOT},
        "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "start": DATE, "end": DATE,
        "pay": {"type": "boolean", "default": False,
                "description": "Pay from the balance at once (else a 30-minute hold)."},
    },
})


def _date(raw: Any, field: str) -> date | None:
    if raw in (None, ""):
        return None
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("Use a date as YYYY-MM-DD.", code="invalid_placement_dates",
                               fields={field: ["Use a date as YYYY-MM-DD."]}) from None


def booking_json(booking: PlacementBooking) -> dict[str, Any]:
    """A booking as the API shows it (status as of now: a lapsed hold reads expired)."""
    return {
        "id": booking.id, "campaign_id": booking.campaign_id, "slot": booking.slot.code,
        "country": booking.country, "start": booking.start_day.isoformat(),
        "end": booking.end_day.isoformat(), "status": booking.effective_state(utcnow()),
        "planned_impressions": booking.planned_impressions,
        "price": Money(booking.price_minor, booking.currency).to_api(),
        "hold_expires_at": timestamp(booking.hold_expires_at),
        "paid_at": timestamp(booking.paid_at), "cancelled_at": timestamp(booking.cancelled_at),
    }


@bp.get("/brands/<int:organization_id>/placements/availability")
@operation(summary="Availability of a guaranteed placement", tags=["ads"],
           params=[{"name": "slot", "in": "query", "required": False,
                    "schema": {"type": "string", "default": placements.DEFAULT_SLOT}},
                   {"name": "country", "in": "query", "required": True,
                    "schema": {"type": "string"}},
                   {"name": "from", "in": "query", "required": True, "schema": DATE},
                   {"name": "to", "in": "query", "required": True, "schema": DATE}],
           responses={200: AVAILABILITY_SCHEMA, 401: None, 403: None, 404: None, 422: None},
           description="Brand members. Per UTC day from `from` to `to` (tomorrow onwards, at "
                       "most 31 days, within 180 days): available / possible / booked, the "
                       "forecast views and the price in the brand's currency. 422 "
                       "`invalid_placement_dates` or `unknown_country` naming the field; 404 "
                       "`unknown_placement_slot`; another organisation: 404.")
@token_required("read")
def placement_availability(organization_id: int):
    """Each day of a slot in a country: status, forecast and price."""
    answer = bookings.placement_availability(
        api_user(), organization_id, request.args.get("slot") or placements.DEFAULT_SLOT,
        request.args.get("country"), _date(request.args.get("from"), "from"),
        _date(request.args.get("to"), "to"), now=utcnow())
    body = {
        "slot": answer.slot.code, "country": answer.country,
        "from": answer.start.isoformat(), "to": answer.end.isoformat(),
        "currency": answer.currency,
        "days": [{"date": d.day.isoformat(), "status": d.status, "bookable": d.bookable,
                  "mine": d.mine,
                  "forecast": {"expected": d.forecast.expected, "low": d.forecast.low,
                               "high": d.forecast.high, "confident": d.forecast.confident},
                  "price": d.price.to_api()} for d in answer.days],
    }
    commit()
    return body


@bp.post("/brands/<int:organization_id>/placements/bookings")
@operation(summary="Book a guaranteed placement", tags=["ads"], idempotent=True,
           request=BOOKING_REQUEST,
           responses={201: BOOKING_SCHEMA, 400: None, 401: None, 403: None, 404: None,
                      409: None, 422: None},
           description="Brand admins. Holds every day of the run for one of the brand's "
                       "campaigns for 30 minutes (status `held`), or pays at once from the "
                       "balance with `pay: true` (status `paid`). 409 "
                       "`placement_unavailable` when another live booking has some of the "
                       "days (they are listed in `fields.dates`); 422 "
                       "`invalid_placement_dates`, `unknown_country`, `insufficient_balance`; "
                       "404 for another brand's campaign.")
@token_required("write")
@idempotent()
def create_placement_booking(organization_id: int):
    """Hold (and optionally pay) a slot for a run of days."""
    body = json_body()
    actor, now = api_user(), utcnow()
    booking = bookings.book_placement(
        actor, organization_id, campaign_id=int_field(body.get("campaign_id"), "campaign_id"),
        slot_code=str(body.get("slot") or placements.DEFAULT_SLOT),
        country=body.get("country") if isinstance(body.get("country"), str) else None,
        start=_date(body.get("start"), "start"), end=_date(body.get("end"), "end"), now=now)
    if body.get("pay") is True:
        placements.pay_placement(actor, booking, now=now)
    response = booking_json(booking)
    commit()
    return response, 201


@bp.get("/brands/<int:organization_id>/placements/bookings")
@operation(summary="The brand's placement bookings", tags=["ads"],
           responses={200: list_of(BOOKING_SCHEMA), 401: None, 403: None, 404: None})
@token_required("read")
def list_placement_bookings(organization_id: int):
    """The brand's bookings, newest first (the latest 100)."""
    body = {"items": [booking_json(b) for b in
                      bookings.brand_bookings(api_user(), organization_id)],
            "next_cursor": None}
    commit()
    return body


@bp.get("/brands/<int:organization_id>/placements/bookings/<int:booking_id>")
@operation(summary="One placement booking", tags=["ads"],
           responses={200: BOOKING_SCHEMA, 401: None, 403: None, 404: None})
@token_required("read")
def get_placement_booking(organization_id: int, booking_id: int):
    """One of the brand's bookings (404 for another brand's)."""
    body = booking_json(bookings.brand_booking(api_user(), organization_id, booking_id))
    commit()
    return body


@bp.post("/brands/<int:organization_id>/placements/bookings/<int:booking_id>/pay")
@operation(summary="Pay a held placement from the balance", tags=["ads"], idempotent=True,
           responses={200: BOOKING_SCHEMA, 401: None, 403: None, 404: None, 409: None,
                      422: None},
           description="409 `placement_hold_expired` after the 30 minutes, "
                       "`placement_not_payable` for a booking that is not held; 422 "
                       "`insufficient_balance`.")
@token_required("write")
@idempotent()
def pay_placement_booking(organization_id: int, booking_id: int):
    """Charge the booking's price to the brand's balance; its days become booked."""
    booking = bookings.pay_placement_booking(api_user(), organization_id, booking_id,
                                               now=utcnow())
    response = booking_json(booking)
    commit()
    return response


@bp.post("/brands/<int:organization_id>/placements/bookings/<int:booking_id>/cancel")
@operation(summary="Cancel a placement booking", tags=["ads"], idempotent=True,
           responses={200: BOOKING_SCHEMA, 401: None, 403: None, 404: None, 409: None},
           description="Before the first day (UTC): a hold is released, a paid booking is "
                       "refunded to the balance. From the first day on: 409 "
                       "`placement_already_started`.")
@token_required("write")
@idempotent()
def cancel_placement_booking(organization_id: int, booking_id: int):
    """Cancel the booking (refund to the balance if it was paid)."""
    booking = bookings.cancel_placement_booking(api_user(), organization_id, booking_id,
                                                  now=utcnow())
    response = booking_json(booking)
    commit()
    return response
