"""Shipments: a merchant sends some lines of an order from one warehouse, then adds legs.

`create_shipment` checks everything before it writes: the carrier and tracking number
against the registry, the warehouse (the store's, open), each line (the order's, 1 up
to what is left: ordered - refunded - already shipped) and the order's status. Every
problem names its field (`carrier`, `tracking_number`, `warehouse_id`,
`lines.0.quantity`), and a refused shipment writes nothing (a savepoint).

Two shipments of the same order at once cannot ship a unit twice: the first statement
of the work is an UPDATE of the order row, which takes its write lock on PostgreSQL and
SQLite alike, and the shipped quantities are read after it.

Stock follows the parcel: the order's holds are committed from the chosen warehouse
through the inventory package (`ship_held_units`). Orders paid before holds existed had
their units committed at payment (the quote's committed reservations); those units ship
without a second stock change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ORDER_TRANSITIONS, Order, User, Warehouse, utcnow
from app.models.logistics import LEG_KINDS, Shipment, ShipmentLeg, ShipmentLine
from app.services import inventory
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.fields import (
    MAX_DIMENSION_MM,
    MAX_WEIGHT_GRAMS,
    FieldErrors,
    clean_int,
    clean_quantity_lines,
)
from app.services.logistics.carriers import get_carrier, validate_tracking_number
from app.services.logistics.notices import notify_shipment_status
from app.services.mail import EmailLinks
from app.services.orders import transition_order
from app.services.permissions import require_store_staff

# An order ships once paid, until it is shipped in full, cancelled or refunded in full.
SHIPPABLE = ("paid", "fulfilling", "partially_shipped", "partially_refunded")
# The reservation owner checkout gives a quote's holds; orders paid before holds were
# handed to orders have their units committed under it.
QUOTE_OWNER = "checkout_quote"
MAX_LINES = 500
MAX_LEGS = 20
ORDERS = Order.__table__


class TrackingNumberTaken(Conflict):
    """Another shipment or leg already has this carrier's tracking number."""

    code = "tracking_number_taken"


class OrderNotShippable(Conflict):
    """The order is unpaid, cancelled, refunded or already shipped in full."""

    code = "order_not_shippable"


# Reads --------------------------------------------------------------------------------------
def shipped_quantities(order_ids: Sequence[int]) -> dict[int, int]:
    """Units shipped so far per order line, for some orders (one query)."""
    if not order_ids:
        return {}
    rows = db.session.execute(
        select(ShipmentLine.order_line_id, func.sum(ShipmentLine.quantity))
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id.in_(list(order_ids)), Shipment.direction == "outbound")
        .group_by(ShipmentLine.order_line_id))
    return {line_id: int(quantity) for line_id, quantity in rows}


def shipped_from(order_id: int) -> dict[int, int]:
    """The warehouse each shipped line of an order last left from: {order_line_id: id}."""
    rows = db.session.execute(
        select(ShipmentLine.order_line_id, Shipment.warehouse_id)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order_id, Shipment.direction == "outbound")
        .order_by(Shipment.id))
    return dict(rows.tuples().all())


def list_order_shipments(actor: User, store_id: int, order_id: int) -> list[Shipment]:
    """An order's shipments with lines and legs, oldest first (merchant staff)."""
    store = require_store_staff(actor, store_id)
    return list(db.session.scalars(
        select(Shipment).where(Shipment.order_id == order_id, Shipment.store_id == store.id,
                               Shipment.direction == "outbound")
        .options(selectinload(Shipment.lines), selectinload(Shipment.legs))
        .order_by(Shipment.id)))


def get_store_shipment(actor: User, shipment_id: int) -> Shipment:
    """A shipment of a store the actor works for; anyone else's answers 404."""
    shipment = db.session.scalar(
        select(Shipment).where(Shipment.id == shipment_id)
        .options(selectinload(Shipment.lines), selectinload(Shipment.legs)))
    if shipment is None:
        raise NotFound(_("No such shipment."))
    try:
        require_store_staff(actor, shipment.store_id)
    except NotFound:
        raise NotFound(_("No such shipment.")) from None
    return shipment


def remaining_quantities(order: Order) -> dict[int, int]:
    """Units of each line still to ship: ordered - refunded - shipped."""
    shipped = shipped_quantities([order.id])
    return {line.id: max(line.quantity - line.refunded_quantity - shipped.get(line.id, 0), 0)
            for line in order.lines}


# Checks -------------------------------------------------------------------------------------
def _check_number(carrier: Any, number: Any, errors: FieldErrors, *, prefix: str = ""
                  ) -> tuple[str | None, str | None]:
    """The carrier code and normalised number, or (None, None) with the problems recorded."""
    try:
        code = get_carrier(carrier).code
    except ValidationFailed as exc:
        errors.add(f"{prefix}carrier", exc.message, exc.code)
        return None, None
    if not isinstance(number, str):
        errors.add(f"{prefix}tracking_number", _("Enter a tracking number."),
                   "invalid_tracking_number")
        return code, None
    try:
        return code, validate_tracking_number(code, number)
    except ValidationFailed as exc:
        errors.add(f"{prefix}tracking_number", exc.message, exc.code)
        return code, None


def _ensure_number_free(carrier: str, number: str, *, field: str = "tracking_number") -> None:
    taken = db.session.scalar(select(Shipment.id).where(
        Shipment.carrier == carrier, Shipment.tracking_number == number).limit(1))
    taken = taken or db.session.scalar(select(ShipmentLeg.id).where(
        ShipmentLeg.carrier == carrier, ShipmentLeg.tracking_number == number).limit(1))
    if taken:
        raise _taken(number, field)


def _insert_unique(row: Shipment | ShipmentLeg, number: str) -> None:
    """Add a shipment or leg; a number another request took meanwhile is `_taken`."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise _taken(number, "tracking_number") from None


def _taken(number: str, field: str) -> TrackingNumberTaken:
    message = _("Tracking number %(number)s is already used by another shipment.", number=number)
    return TrackingNumberTaken(message, fields={field: [message]})


def _store_warehouse(store_id: int, warehouse_id: Any, errors: FieldErrors) -> Warehouse | None:
    value = clean_int(warehouse_id, "warehouse_id", errors, minimum=1, required=True)
    if value is None:
        return None
    warehouse = db.session.scalar(select(Warehouse).where(Warehouse.id == value,
                                                          Warehouse.store_id == store_id))
    if warehouse is None:
        errors.add("warehouse_id", _("No such warehouse in this store."), "unknown_warehouse")
    elif not warehouse.is_active:
        errors.add("warehouse_id", _("%(warehouse)s is closed.", warehouse=warehouse.name),
                   "warehouse_inactive")
        return None
    return warehouse


def _lock_order(store_id: int, order_id: int) -> Order:
    """Take the order row's write lock, then read it and its lines afresh."""
    db.session.flush()
    locked = db.session.execute(update(ORDERS).where(ORDERS.c.id == order_id,
                                                     ORDERS.c.store_id == store_id)
                                .values(updated_at=utcnow()))
    if locked.rowcount != 1:
        raise NotFound(_("No such order."))
    return db.session.scalars(
        select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
        .execution_options(populate_existing=True)).one()


def _legacy_prepaid(order: Order, shipped: Mapping[int, int]) -> dict[int, int]:
    """Units per variant committed at payment (older orders) and not shipped yet."""
    committed: dict[int, int] = {}
    for reservation in inventory.owner_reservations(QUOTE_OWNER, order.quote_id,
                                                    states=("committed",)):
        variant_id = reservation.level.variant_id
        committed[variant_id] = committed.get(variant_id, 0) + reservation.quantity
    if not committed:
        return {}
    # Shipping consumes a variant's prepaid units before anything else, so what shipped
    # already used them first.
    shipped_units: dict[int, int] = {}
    for line in order.lines:
        shipped_units[line.variant_id] = shipped_units.get(line.variant_id, 0) \
            + shipped.get(line.id, 0)
    return {variant_id: max(units - shipped_units.get(variant_id, 0), 0)
            for variant_id, units in committed.items()}


# Writes -------------------------------------------------------------------------------------
def create_shipment(actor: User, store_id: int, order_id: int, *, warehouse_id: Any,
                    carrier: Any, tracking_number: Any, lines: Any,
                    weight_grams: Any = None, length_mm: Any = None, width_mm: Any = None,
                    height_mm: Any = None, links: EmailLinks) -> Shipment:
    """Record a parcel of some order lines, ship its stock, move the order, tell the shopper."""
    store = require_store_staff(actor, store_id)
    errors = FieldErrors()
    code, number = _check_number(carrier, tracking_number, errors)
    sizes = {
        "weight_grams": clean_int(weight_grams, "weight_grams", errors, minimum=1,
                                  maximum=MAX_WEIGHT_GRAMS),
        **{name: clean_int(value, name, errors, minimum=1, maximum=MAX_DIMENSION_MM)
           for name, value in (("length_mm", length_mm), ("width_mm", width_mm),
                               ("height_mm", height_mm))},
    }
    requested = clean_quantity_lines(lines, "lines", errors, id_key="order_line_id",
                                     max_items=MAX_LINES)
    with db.session.begin_nested():  # a refusal below leaves nothing written
        order = _lock_order(store.id, order_id)
        if order.status not in SHIPPABLE:
            raise OrderNotShippable(
                _("Order %(id)s cannot ship: nothing is left to send, or it is closed.",
                  id=order.id))
        warehouse = _store_warehouse(store.id, warehouse_id, errors)
        by_id = {line.id: line for line in order.lines}
        shipped = shipped_quantities([order.id])
        chosen: dict[int, int] = {}
        first_path: dict[int, str] = {}
        for path, line_id, quantity in requested:
            if line_id is None or quantity is None:
                continue
            line = by_id.get(line_id)
            if line is None:
                errors.add(f"{path}.order_line_id", _("This order has no such line."),
                           "unknown_order_line")
                continue
            if line_id in chosen:
                errors.add(f"{path}.order_line_id", _("This line is listed twice."))
                continue
            left = line.quantity - line.refunded_quantity - shipped.get(line.id, 0)
            if quantity > left:
                errors.add(f"{path}.quantity", _("Only %(n)d of %(sku)s left to ship.", n=left,
                                                 sku=line.sku) if left > 0
                           else _("Nothing of %(sku)s is left to ship.", sku=line.sku),
                           "ship_quantity_exceeded")
                continue
            chosen[line_id] = quantity
            first_path.setdefault(line.variant_id, path)
        errors.raise_if_any(_("The shipment is not valid; nothing was recorded."))
        assert code and number and warehouse is not None
        _ensure_number_free(code, number)
        shipment = Shipment(order_id=order.id, store_id=store.id, warehouse_id=warehouse.id,
                            carrier=code, tracking_number=number, status="pending",
                            created_by_id=actor.id, shipped_at=utcnow(), **sizes)
        for line_id, quantity in chosen.items():
            shipment.lines.append(ShipmentLine(order_line_id=line_id, quantity=quantity))
        _insert_unique(shipment, number)
        _ship_stock(actor, store.id, order, warehouse.id, chosen, shipped, shipment,
                    first_path)
        _move_order(actor, order, shipped, chosen, shipment)
    notify_shipment_status(shipment, "shipped", links=links)
    return shipment


def _ship_stock(actor: User, store_id: int, order: Order, warehouse_id: int,
                chosen: Mapping[int, int], shipped: Mapping[int, int], shipment: Shipment,
                first_path: Mapping[int, str]) -> None:
    by_id = {line.id: line for line in order.lines}
    per_variant: dict[int, int] = {}
    for line_id, quantity in chosen.items():
        variant_id = by_id[line_id].variant_id
        per_variant[variant_id] = per_variant.get(variant_id, 0) + quantity
    try:
        inventory.ship_held_units(actor, store_id, inventory.order_owner(order.id),
                                  warehouse_id, per_variant,
                                  reference=("shipment", shipment.id),
                                  prepaid=_legacy_prepaid(order, shipped))
    except inventory.StockNotInWarehouse as exc:
        path = f"{first_path.get(exc.variant_id, 'lines.0')}.quantity"
        raise inventory.StockNotInWarehouse(
            exc.message, variant_id=exc.variant_id,
            fields={path: [exc.message], "warehouse_id": exc.fields.get("warehouse_id", [])}
        ) from None


def _move_order(actor: User, order: Order, shipped: Mapping[int, int],
                chosen: Mapping[int, int], shipment: Shipment) -> None:
    """partially_shipped, or shipped once every unit not refunded has left."""
    complete = all(
        shipped.get(line.id, 0) + chosen.get(line.id, 0) >= line.quantity - line.refunded_quantity
        for line in order.lines)
    target = "shipped" if complete else "partially_shipped"
    if order.status != target and target in ORDER_TRANSITIONS.get(order.status, ()):
        transition_order(order, target, actor=actor, reason_code="shipment_sent",
                         reason_params={"shipment": shipment.id, "carrier": shipment.carrier,
                                        "tracking_number": shipment.tracking_number})


def add_shipment_leg(actor: User, shipment_id: int, *, kind: Any, carrier: Any,
                     tracking_number: Any) -> ShipmentLeg:
    """Add a stretch of the journey (first mile, line haul, customs, last mile)."""
    shipment = get_store_shipment(actor, shipment_id)
    errors = FieldErrors()
    if kind not in LEG_KINDS:
        errors.add("kind", _("Use one of %(kinds)s.", kinds=", ".join(LEG_KINDS)),
                   "invalid_leg_kind")
    code, number = _check_number(carrier, tracking_number, errors)
    if len(shipment.legs) >= MAX_LEGS:
        errors.add("kind", _("A shipment has at most %(n)d legs.", n=MAX_LEGS))
    errors.raise_if_any(_("The leg is not valid; nothing was recorded."))
    assert code and number
    _ensure_number_free(code, number)
    position = max((leg.position for leg in shipment.legs), default=-1) + 1
    leg = ShipmentLeg(shipment_id=shipment.id, position=position, kind=kind, carrier=code,
                      tracking_number=number)
    _insert_unique(leg, number)
    db.session.expire(shipment, ["legs"])
    return leg


def create_return_parcel(actor: User, order: Order, *, warehouse_id: int, carrier: Any,
                         tracking_number: Any, lines: Mapping[int, int]) -> Shipment:
    """Record a parcel coming back from the shopper, tracked like any other; no stock moves.

    The caller (returns) has checked who may do this and which units travel; the number
    is checked here exactly as for an outbound parcel.
    """
    errors = FieldErrors()
    code, number = _check_number(carrier, tracking_number, errors)
    errors.raise_if_any(_("The return parcel is not valid; nothing was recorded."))
    assert code and number
    _ensure_number_free(code, number)
    shipment = Shipment(order_id=order.id, store_id=order.store_id, warehouse_id=warehouse_id,
                        direction="return", carrier=code, tracking_number=number,
                        status="pending", created_by_id=actor.id, shipped_at=utcnow())
    for line_id, quantity in lines.items():
        shipment.lines.append(ShipmentLine(order_line_id=line_id, quantity=quantity))
    _insert_unique(shipment, number)
    return shipment
