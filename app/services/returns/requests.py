"""Return requests: what a shopper may send back, asking, deciding, and the return parcel.

What is returnable, per order line: units in delivered parcels whose return window is
still open (the store's `return_window_days`, counted from that parcel's delivery),
at most the units delivered minus those already in a live return (not refused or
cancelled) and minus those refunded without a return. A line with units still waiting
to ship cannot be returned yet: a refund there would count against the units still to
ship. Two requests racing for the same units are serialised on the order row (an
UPDATE first, which takes its write lock on PostgreSQL and SQLite alike), and the
returnable units are read after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    RETURN_REASONS,
    RETURN_TRANSITIONS,
    Order,
    OrderLine,
    ReturnLine,
    ReturnPhoto,
    ReturnRequest,
    Shipment,
    ShipmentLine,
    Store,
    User,
    utcnow,
)
from app.models.returns import CLOSED_WITHOUT_RETURN
from app.providers.media import media_storage
from app.services import logistics
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.fields import FieldErrors, clean_quantity_lines, clean_text
from app.services.images import process_image
from app.services.mail import EmailLinks
from app.services.pagination import Page
from app.services.permissions import require_store_staff
from app.services.returns.notices import notify_merchant, notify_shopper

ORDERS = Order.__table__
RETURNS = ReturnRequest.__table__
MAX_LINES = 100
MAX_COMMENT = 2000
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_RENDITIONS = {"thumb": 320, "large": 1280}


class ReturnWindowClosed(ValidationFailed):
    """The line's return window has passed (or the store takes no returns)."""

    code = "return_window_closed"


class ReturnQuantityExceeded(ValidationFailed):
    """More units than were delivered and are not already returned or refunded."""

    code = "return_quantity_exceeded"


class NotReturnable(Conflict):
    """Nothing of this order can be returned: nothing of it was delivered."""

    code = "not_returnable"


class InvalidReturnTransition(Conflict):
    """The return cannot move from its current status to the one asked for."""

    code = "invalid_return_transition"


@dataclass(frozen=True)
class Returnable:
    """What of one order line can be returned now, and until when."""

    line: OrderLine
    quantity: int
    # The latest moment any of these units can still be asked back (None: nothing open).
    deadline: datetime | None
    # Units delivered whose window has closed (for the error that says so).
    expired: int
    delivered: int


# Reads --------------------------------------------------------------------------------------
def _delivered(order_id: int) -> list[tuple[int, int, datetime]]:
    """(order_line_id, units, delivered_at) for each delivered outbound parcel line."""
    rows = db.session.execute(
        select(ShipmentLine.order_line_id, ShipmentLine.quantity, Shipment.delivered_at)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id, Shipment.direction == "outbound",
               Shipment.delivered_at.is_not(None)))
    return [(line_id, quantity, at) for line_id, quantity, at in rows]


def _claimed(order_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Units per line in live returns, and of those the units already refunded."""
    rows = db.session.execute(
        select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity),
               func.sum(ReturnLine.received_quantity))
        .join(ReturnRequest, ReturnRequest.id == ReturnLine.return_request_id)
        .where(ReturnRequest.order_id == order_id,
               ReturnRequest.status.not_in(CLOSED_WITHOUT_RETURN))
        .group_by(ReturnLine.order_line_id))
    claimed, refunded = {}, {}
    for line_id, quantity, received in rows:
        claimed[line_id], refunded[line_id] = int(quantity), int(received or 0)
    return claimed, refunded


def returnable_lines(order: Order, *, now: datetime | None = None) -> dict[int, Returnable]:
    """What of each line of the order can be returned now (three queries)."""
    now = now or utcnow()
    window = timedelta(days=order.store.return_window_days)
    remaining = logistics.remaining_quantities(order)
    delivered = _delivered(order.id)
    claimed, refunded_by_returns = _claimed(order.id)
    result = {}
    for line in order.lines:
        parcels = [(units, at) for line_id, units, at in delivered if line_id == line.id]
        total = sum(units for units, _at in parcels)
        open_units = sum(units for units, at in parcels
                         if order.store.return_window_days and at + window >= now)
        deadlines = [at + window for _units, at in parcels
                     if order.store.return_window_days and at + window >= now]
        refunded_otherwise = max(line.refunded_quantity
                                 - refunded_by_returns.get(line.id, 0), 0)
        left = total - claimed.get(line.id, 0) - refunded_otherwise
        quantity = 0 if remaining.get(line.id, 0) else max(min(open_units, left), 0)
        result[line.id] = Returnable(line, quantity, max(deadlines) if deadlines else None,
                                     expired=total - open_units, delivered=total)
    return result


def _load(return_id: int) -> ReturnRequest | None:
    return db.session.scalar(
        select(ReturnRequest).where(ReturnRequest.id == return_id)
        .options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line),
                 selectinload(ReturnRequest.photos),
                 selectinload(ReturnRequest.order).selectinload(Order.lines),
                 selectinload(ReturnRequest.shipment), selectinload(ReturnRequest.refund)))


def get_return(actor: User | None, return_id: int) -> ReturnRequest:
    """A return for its shopper or its store's staff; anyone else answers 404."""
    found = _load(return_id)
    if found is None or actor is None or not actor.is_authenticated:
        raise NotFound(_("No such return."))
    if found.user_id != actor.id:
        try:
            require_store_staff(actor, found.store_id)
        except NotFound:
            raise NotFound(_("No such return.")) from None
    return found


def get_store_return(actor: User, store_id: int, return_id: int) -> ReturnRequest:
    """A return of the store, for its staff; any other answers 404."""
    require_store_staff(actor, store_id)
    found = _load(return_id)
    if found is None or found.store_id != store_id:
        raise NotFound(_("No such return."))
    return found


def _shopper_order(actor: User, order_id: int) -> Order:
    order = db.session.scalar(
        select(Order).where(Order.id == order_id, Order.user_id == actor.id)
        .options(selectinload(Order.lines)))
    if order is None:
        raise NotFound(_("No such order."))
    return order


def order_returns(order_id: int) -> list[ReturnRequest]:
    """An order's returns (already permitted), newest first, with lines and parcels."""
    return list(db.session.scalars(
        select(ReturnRequest).where(ReturnRequest.order_id == order_id)
        .options(selectinload(ReturnRequest.lines), selectinload(ReturnRequest.shipment),
                 selectinload(ReturnRequest.refund))
        .order_by(ReturnRequest.id.desc())))


def list_order_returns(actor: User, order_id: int) -> list[ReturnRequest]:
    """The returns of one of the shopper's orders (another's order answers 404)."""
    return order_returns(_shopper_order(actor, order_id).id)


def list_store_returns(actor: User, store_id: int, *, status: str | None = None,
                       after: Sequence[Any] | None = None, limit: int = 25
                       ) -> Page[ReturnRequest]:
    """A store's returns, newest first, optionally of one status."""
    store = require_store_staff(actor, store_id)
    stmt = (select(ReturnRequest).where(ReturnRequest.store_id == store.id)
            .options(selectinload(ReturnRequest.lines), selectinload(ReturnRequest.order),
                     selectinload(ReturnRequest.shipment))
            .order_by(ReturnRequest.id.desc()).limit(limit + 1))
    if status:
        if status not in RETURN_TRANSITIONS:
            raise ValidationFailed(_("Unknown return status."), code="invalid_status",
                                   fields={"status": [_("Use one of %(v)s.",
                                                        v=", ".join(RETURN_TRANSITIONS))]})
        stmt = stmt.where(ReturnRequest.status == status)
    if after:
        if not isinstance(after[0], int) or isinstance(after[0], bool):
            raise ValidationFailed(_("The cursor is not valid; start again without it."),
                                   code="invalid_cursor")
        stmt = stmt.where(ReturnRequest.id < after[0])
    rows = list(db.session.scalars(stmt))
    return Page(items=rows[:limit],
                next_after=[rows[limit - 1].id] if len(rows) > limit else None)


# Writes -------------------------------------------------------------------------------------
def lock_order(order_id: int, *, user_id: int | None = None,
               store_id: int | None = None) -> Order:
    """Take the order row's write lock (an UPDATE first), then read it afresh."""
    db.session.flush()
    stmt = update(ORDERS).where(ORDERS.c.id == order_id)
    if user_id is not None:
        stmt = stmt.where(ORDERS.c.user_id == user_id)
    if store_id is not None:
        stmt = stmt.where(ORDERS.c.store_id == store_id)
    if db.session.execute(stmt.values(updated_at=utcnow())).rowcount != 1:
        raise NotFound(_("No such order."))
    return db.session.scalars(
        select(Order).where(Order.id == order_id)
        .options(selectinload(Order.lines), selectinload(Order.store))
        .execution_options(populate_existing=True)).one()


def _store_photos(actor: User, photos: Sequence[bytes]) -> list[ReturnPhoto]:
    """Run each photo through the image pipeline; on a refusal remove what was stored."""
    if len(photos) > MAX_PHOTOS:
        message = _("Add at most %(n)d photos.", n=MAX_PHOTOS)
        raise ValidationFailed(message, code="image_count", fields={"photos": [message]})
    stored: list[ReturnPhoto] = []
    try:
        for position, data in enumerate(photos):
            try:
                image = process_image(data, field="photos", prefix=f"returns/{actor.id}",
                                      renditions=PHOTO_RENDITIONS, max_bytes=MAX_PHOTO_BYTES)
            except ValidationFailed as exc:
                message = _("Photo %(n)d: %(problem)s", n=position + 1, problem=exc.message)
                raise ValidationFailed(message, code="invalid_image",
                                       fields={"photos": [message]}) from None
            stored.append(ReturnPhoto(position=position, keys=image.keys, width=image.width,
                                      height=image.height))
    except BaseException:
        _discard(stored)
        raise
    return stored


def _discard(photos: Sequence[ReturnPhoto]) -> None:
    storage = media_storage()
    for photo in photos:
        for key in photo.keys.values():
            storage.delete(key)


def request_return(actor: User, order_id: int, *, lines: Any, reason: Any, comment: Any = "",
                   photos: Sequence[bytes] = (), links: EmailLinks,
                   now: datetime | None = None) -> ReturnRequest:
    """Ask to send delivered units back, with photos; the merchant is told.

    Writes nothing if refused (and removes any photo it stored).
    """
    stored = _store_photos(actor, photos)
    try:
        return _request_return(actor, order_id, lines=lines, reason=reason, comment=comment,
                               photos=stored, links=links, now=now)
    except BaseException:
        _discard(stored)
        raise


def _request_return(actor: User, order_id: int, *, lines: Any, reason: Any, comment: Any,
                    photos: list[ReturnPhoto], links: EmailLinks,
                    now: datetime | None) -> ReturnRequest:
    errors = FieldErrors()
    if reason not in RETURN_REASONS:
        errors.add("reason", _("Choose a reason."), "invalid_return_reason")
    text = clean_text(comment, "comment", errors, max_len=MAX_COMMENT) or ""
    requested = clean_quantity_lines(lines, "lines", errors, id_key="order_line_id",
                                     max_items=MAX_LINES)
    with db.session.begin_nested():  # a refusal below leaves nothing written
        order = lock_order(order_id, user_id=actor.id)
        returnable = returnable_lines(order, now=now)
        if not any(r.delivered for r in returnable.values()):
            raise NotReturnable(_("Nothing of this order has been delivered yet."))
        chosen: dict[int, int] = {}
        window_closed = False
        for path, line_id, quantity in requested:
            if line_id is None or quantity is None:
                continue
            can = returnable.get(line_id)
            if can is None:
                errors.add(f"{path}.order_line_id", _("This order has no such line."),
                           "unknown_order_line")
            elif line_id in chosen:
                errors.add(f"{path}.order_line_id", _("This line is listed twice."))
            elif can.quantity == 0 and can.expired:
                window_closed = True
                errors.add(f"{path}.quantity",
                           _("The return window for %(sku)s has closed.", sku=can.line.sku),
                           ReturnWindowClosed.code)
            elif quantity > can.quantity:
                errors.add(f"{path}.quantity",
                           _("Only %(n)d of %(sku)s can be returned.", n=can.quantity,
                             sku=can.line.sku), ReturnQuantityExceeded.code)
            else:
                chosen[line_id] = quantity
        if errors:
            codes = errors.codes
            if codes == {ReturnWindowClosed.code} or (window_closed and len(codes) == 1):
                raise ReturnWindowClosed(_("The return window has closed."),
                                         fields=errors.fields)
            if codes == {ReturnQuantityExceeded.code}:
                raise ReturnQuantityExceeded(
                    _("That is more than was delivered and not yet returned."),
                    fields=errors.fields)
            errors.raise_if_any(_("The return request is not valid; nothing was recorded."))
        request = ReturnRequest(order_id=order.id, store_id=order.store_id, user_id=actor.id,
                                status="requested", reason=reason, comment=text)
        for line_id, quantity in chosen.items():
            request.lines.append(ReturnLine(order_line_id=line_id, quantity=quantity))
        request.photos.extend(photos)
        db.session.add(request)
        db.session.flush()
    notify_merchant(request, links=links)
    return request


def move_return(request: ReturnRequest, to_status: str, **values: Any) -> None:
    """Move the return along RETURN_TRANSITIONS with one conditional UPDATE.

    The WHERE on the current status makes two clicks (or a click and an API call)
    racing act once: the loser sees InvalidReturnTransition.
    """
    sources = [s for s, targets in RETURN_TRANSITIONS.items() if to_status in targets]
    db.session.flush()
    moved = db.session.execute(
        update(RETURNS).where(RETURNS.c.id == request.id, RETURNS.c.status.in_(sources))
        .values(status=to_status, updated_at=utcnow(), **values))
    if moved.rowcount != 1:
        db.session.refresh(request)
        raise InvalidReturnTransition(
            _("This return is %(status)s and cannot become %(to)s.",
              status=request.status.replace("_", " "), to=to_status.replace("_", " ")))
    db.session.refresh(request)


def approve_return(actor: User, store_id: int, return_id: int, *, links: EmailLinks
                   ) -> ReturnRequest:
    """Accept the return; the shopper is told to send the parcel."""
    request = get_store_return(actor, store_id, return_id)
    move_return(request, "approved", decided_by_id=actor.id, decided_at=utcnow())
    notify_shopper(request, "approved", links=links)
    return request


def refuse_return(actor: User, store_id: int, return_id: int, *, reason: Any,
                  links: EmailLinks) -> ReturnRequest:
    """Refuse the return with a reason the shopper reads; its units are free again."""
    request = get_store_return(actor, store_id, return_id)
    errors = FieldErrors()
    text = clean_text(reason, "reason", errors, max_len=MAX_COMMENT, required=True)
    errors.raise_if_any(_("Say why the return is refused."))
    move_return(request, "refused", refusal_reason=text, decided_by_id=actor.id,
                decided_at=utcnow())
    notify_shopper(request, "refused", links=links)
    return request


def cancel_return(actor: User, return_id: int) -> ReturnRequest:
    """The shopper withdraws a return before it is received; its units are free again."""
    request = get_return(actor, return_id)
    if request.user_id != actor.id:
        raise NotFound(_("No such return."))
    move_return(request, "cancelled", cancelled_at=utcnow())
    return request


def add_return_parcel(actor: User, return_id: int, *, carrier: Any, tracking_number: Any
                      ) -> ReturnRequest:
    """Record the return parcel's carrier and number (shopper or store staff); tracked as usual."""
    request = get_return(actor, return_id)
    if request.status != "approved":
        raise InvalidReturnTransition(
            _("A parcel can be added once the return is approved, and only once."))
    order = request.order
    warehouses = logistics.shipped_from(order.id)
    warehouse_id = next((warehouses[line.order_line_id] for line in request.lines
                         if line.order_line_id in warehouses), None)
    if warehouse_id is None:  # delivered lines always left from a warehouse
        raise NotReturnable(_("Nothing of this order can be returned."))
    with db.session.begin_nested():
        shipment = logistics.create_return_parcel(
            actor, order, warehouse_id=warehouse_id, carrier=carrier,
            tracking_number=tracking_number,
            lines={line.order_line_id: line.quantity for line in request.lines})
        move_return(request, "in_transit", shipment_id=shipment.id)
    return request


def store_of(request: ReturnRequest) -> Store:
    """The store a return belongs to."""
    return db.session.get(Store, request.store_id)
