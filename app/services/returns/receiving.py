"""Receiving a return: the units are counted, optionally restocked, and refunded.

`receive_return` moves the return to received with a conditional UPDATE (so receiving
twice acts once), puts the chosen units back on hand through the inventory ledger in
the chosen warehouse (by default the one they shipped from), and claims the refund
through payments exactly as a merchant refund does: `request_refund` here, the edge
commits, then `submit_refund`, then `settle_return_refund` records the outcome.

The refund is in the order's (presentment) currency: each unit's price, plus its share
of the duty and import tax collected at checkout only where the market rule the order
was assessed under says they are refundable on return (markets).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Refund, ReturnRequest, User, utcnow
from app.services import inventory, logistics, markets, payments
from app.services.errors import ValidationFailed
from app.services.fields import FieldErrors, clean_bool, clean_id, clean_int, clean_objects
from app.services.mail import EmailLinks
from app.services.permissions import require_store_staff
from app.services.returns.notices import notify_shopper
from app.services.returns.requests import MAX_LINES, get_store_return, lock_order, move_return


def _choices(request: ReturnRequest, lines: Any, errors: FieldErrors
             ) -> dict[int, tuple[int, bool, int | None]]:
    """{order_line_id: (quantity, restock, warehouse_id)}; every line by default, restocked."""
    by_line = {line.order_line_id: line for line in request.lines}
    if lines is None:
        return {line_id: (line.quantity, True, None) for line_id, line in by_line.items()}
    chosen: dict[int, tuple[int, bool, int | None]] = {}
    for path, item in clean_objects(lines, "lines", errors, max_items=MAX_LINES,
                                    shape="order_line_id and quantity"):
        line_id = clean_id(item.get("order_line_id"), f"{path}.order_line_id", errors)
        line = by_line.get(line_id) if line_id is not None else None
        if line_id is not None and line is None:
            errors.add(f"{path}.order_line_id", _("This return has no such line."),
                       "unknown_order_line")
            continue
        if line is None:
            continue
        if line_id in chosen:
            errors.add(f"{path}.order_line_id", _("This line is listed twice."))
            continue
        quantity = clean_int(item.get("quantity", line.quantity), f"{path}.quantity", errors,
                             minimum=0, maximum=line.quantity)
        restock = clean_bool(item.get("restock", True), f"{path}.restock", errors)
        warehouse_id = clean_id(item.get("warehouse_id"), f"{path}.warehouse_id", errors,
                                required=False)
        if quantity is not None and restock is not None:
            chosen[line.order_line_id] = (quantity, restock, warehouse_id)
    return chosen


def receive_return(actor: User, store_id: int, return_id: int, *, lines: Any = None
                   ) -> ReturnRequest:
    """Count the parcel in, restock what was chosen, and claim the refund (pending).

    The edge commits, then calls `submit_refund` and `settle_return_refund`.
    """
    require_store_staff(actor, store_id, min_role=payments.REFUND_ROLE)
    request = get_store_return(actor, store_id, return_id)
    errors = FieldErrors()
    chosen = _choices(request, lines, errors)
    errors.raise_if_any(_("The receipt is not valid; nothing was recorded."))
    with db.session.begin_nested():  # a refusal below leaves nothing written
        order = lock_order(request.order_id, store_id=store_id)
        move_return(request, "received", received_at=utcnow())
        shipped_from = logistics.shipped_from(order.id)
        by_id = {line.id: line for line in order.lines}
        refund_lines = []
        for index, line in enumerate(request.lines):
            quantity, restock, warehouse_id = chosen.get(line.order_line_id, (0, False, None))
            line.received_quantity = quantity
            if not quantity:
                continue
            refund_lines.append((line.order_line_id, quantity))
            if not restock:
                continue
            warehouse_id = warehouse_id or shipped_from.get(line.order_line_id)
            if warehouse_id is None:
                raise ValidationFailed(_("Choose a warehouse for the restocked units."),
                                       fields={f"lines.{index}.warehouse_id": [
                                           _("Choose a warehouse.")]})
            inventory.return_stock(actor, store_id, by_id[line.order_line_id].variant_id,
                                   warehouse_id, quantity,
                                   reference=("return", str(request.id)),
                                   reason=_("return %(id)s", id=request.id))
            line.restocked_quantity = quantity
            line.restock_warehouse_id = warehouse_id
        if refund_lines:
            duty_back, tax_back = markets.duty_tax_refundable_on_return(order.assessment or {})
            refund = payments.request_refund(
                actor, store_id, order.id,
                payments.RefundRequest(lines=refund_lines, include_duty=duty_back,
                                       include_tax=tax_back,
                                       reason=_("return %(id)s", id=request.id)))
            request.refund_id = refund.id
        db.session.flush()
    return request


def settle_return_refund(request: ReturnRequest, *, links: EmailLinks) -> ReturnRequest:
    """After the provider answered: refunded once the refund succeeded; the shopper is told."""
    refund = request.refund
    if refund is None:
        notify_shopper(request, "received", links=links)
        return request
    db.session.refresh(refund)
    if refund.state == "succeeded" and request.status == "received":
        move_return(request, "refunded", refunded_at=utcnow())
        notify_shopper(request, "refunded", links=links)
    elif request.status == "received":
        notify_shopper(request, "received", links=links)
    return request


def settle_refunded_returns(*, links: EmailLinks, limit: int = 500) -> int:
    """Mark refunded the received returns whose refund the provider confirmed later.

    A refund left pending at receipt (an outage, a slow answer) is completed by the
    payments reconciliation; this follows it so the return does not stay "received".
    """
    waiting = db.session.scalars(
        select(ReturnRequest).join(Refund, Refund.id == ReturnRequest.refund_id)
        .where(ReturnRequest.status == "received", Refund.state == "succeeded")
        .order_by(ReturnRequest.id).limit(limit)).all()
    for request in waiting:
        settle_return_refund(request, links=links)
    return len(waiting)
