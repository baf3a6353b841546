"""Refunds and cancellations started by a merchant, through the payment provider.

Like payments, a refund is two steps with a commit between them (the edge does it):
`request_refund` claims the amount (conditional UPDATEs, so two refunds racing cannot
together exceed what was captured) and writes the Refund row with its idempotency key;
`submit_refund` calls the provider with that key. A refund left pending by a crash or
an outage is submitted again by `flask payments reconcile`, with the same key.

Amounts: per line, the unit price times the quantity plus, when duties and taxes were
collected at checkout, the line's duty and tax in proportion to the units refunded. One
rounding rule: the share of units 1..n is rounded half-even and a refund returns the
difference between the shares after and before it, so refunds in any steps add up to the
line's duty and tax exactly and a full refund returns all of it. Tax charged on shipping
(a VAT or a state sales tax whose base includes it) is not shared by the lines: it goes
back with the shipping, when asked and not refunded yet. An explicit `amount` replaces the
computed one. Never more than what was captured minus earlier refunds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import (
    Order,
    OrderLine,
    Payment,
    Refund,
    RefundLine,
    User,
    utcnow,
)
from app.money import Money, round_minor
from app.providers.payments import PaymentProviderError, payment_provider
from app.services import inventory, logistics
from app.services.errors import Conflict, ValidationFailed
from app.services.orders import (
    CANCELLABLE,
    REFUNDABLE,
    get_store_order,
    refundable_minor,
    shipping_refunded,
    transition_order,
)
from app.services.payments.charge_limits import check_representable
from app.services.payments.quote_payments import QUOTE_OWNER
from app.services.permissions import require_store_staff

ORDERS = Order.__table__
PAYMENTS = Payment.__table__
ORDER_LINES = OrderLine.__table__
REFUNDS = Refund.__table__
REFUND_ROLE = "admin"


class RefundExceedsCaptured(ValidationFailed):
    """More than what was captured, minus earlier refunds."""

    code = "refund_exceeds_captured"


class RefundQuantityExceeded(ValidationFailed):
    """More units than are left to refund on a line."""

    code = "refund_quantity_exceeded"


class NothingToRefund(ValidationFailed):
    """No lines, no shipping and no amount."""

    code = "nothing_to_refund"


class OrderNotRefundable(Conflict):
    """The order's status allows no refund."""

    code = "order_not_refundable"


@dataclass(frozen=True)
class RefundRequest:
    """What a merchant asked to refund."""

    lines: Sequence[tuple[int, int]] = ()
    shipping: bool = False
    amount: Money | None = None
    restock: bool = False
    reason: str = ""
    # False for a returned item whose market keeps its duty, or its import tax (see markets).
    include_duty: bool = True
    include_tax: bool = True


def _share(total: int, part: int, whole: int) -> int:
    return round_minor(Decimal(total) * part / whole) if whole else 0


def _line_amount(order: Order, line: OrderLine, quantity: int, *,
                 include_duty: bool = True, include_tax: bool = True) -> int:
    amount = line.unit_price_minor * quantity
    if not order.collected_at_checkout:
        return amount
    before, after = line.refunded_quantity, line.refunded_quantity + quantity
    for total, included in ((line.duty_minor, include_duty), (line.tax_minor, include_tax)):
        if included:
            amount += _share(total, after, line.quantity) - _share(total, before, line.quantity)
    return amount


def _shipping_amount(order: Order, *, include_tax: bool = True) -> int:
    """Shipping, with the tax charged on it when that was collected at checkout."""
    amount = order.shipping_minor
    if order.collected_at_checkout and include_tax:
        amount += int((order.assessment or {}).get("shipping_tax_minor") or 0)
    return amount


def _parse_lines(order: Order, lines: Sequence[tuple[int, int]]) -> list[tuple[OrderLine, int]]:
    by_id = {line.id: line for line in order.lines}
    chosen: dict[int, int] = {}
    errors: dict[str, list[str]] = {}
    for index, (line_id, quantity) in enumerate(lines):
        line = by_id.get(line_id) if isinstance(line_id, int) else None
        if line is None:
            errors[f"lines.{index}.order_line_id"] = [_("This order has no such line.")]
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            errors[f"lines.{index}.quantity"] = [_("Use a whole number of units.")]
        elif quantity:
            chosen[line_id] = chosen.get(line_id, 0) + quantity
    if errors:
        raise ValidationFailed(_("Some refund lines are invalid."), fields=errors)
    over = {f"lines.{index}.quantity": [_("Only %(left)d left to refund.",
                                   left=by_id[line_id].quantity - by_id[line_id].refunded_quantity)]
            for index, (line_id, _quantity) in enumerate(lines)
            if line_id in chosen
            and chosen[line_id] > by_id[line_id].quantity - by_id[line_id].refunded_quantity}
    if over:
        raise RefundQuantityExceeded(_("That is more units than are left to refund."),
                                     fields=over)
    return [(by_id[line_id], quantity) for line_id, quantity in chosen.items()]


def _claim(table, row_id: int, column: str, amount: int, limit_column: str) -> bool:
    """Add `amount` to `column` only if it stays within `limit_column` (one statement)."""
    result = db.session.execute(
        update(table).where(table.c.id == row_id,
                            table.c[column] + amount <= table.c[limit_column])
        .values({column: table.c[column] + amount}))
    return result.rowcount == 1


def _add_commissionable(order_id: int, amount: int) -> None:
    """Move the order's commissionable refunded total in one statement (refunds may race)."""
    db.session.execute(update(ORDERS).where(ORDERS.c.id == order_id).values(
        commissionable_refunded_minor=ORDERS.c.commissionable_refunded_minor + amount))


def request_refund(actor: User, store_id: int, order_id: int, request: RefundRequest, *,
                   cancel: bool = False) -> Refund:
    """Claim a refund on an order and write it (pending); the edge commits, then submits."""
    order = get_store_order(actor, store_id, order_id, for_update=True)
    require_store_staff(actor, store_id, min_role=REFUND_ROLE)
    allowed = CANCELLABLE if cancel else (*REFUNDABLE, "cancelled")
    if order.status not in allowed:
        raise OrderNotRefundable(
            _("This order cannot be cancelled any more: it has shipped or was closed.")
            if cancel else _("This order cannot be refunded."))
    if cancel and any(logistics.shipped_quantities([order.id]).values()):
        raise OrderNotRefundable(
            _("This order cannot be cancelled any more: it has shipped or was closed."))
    chosen = _parse_lines(order, request.lines)
    if request.shipping and shipping_refunded(order):
        raise ValidationFailed(_("Shipping has already been refunded."),
                               code="shipping_already_refunded",
                               fields={"shipping": [_("Already refunded.")]})
    computed = sum(_line_amount(order, line, quantity,
                                include_duty=request.include_duty,
                                include_tax=request.include_tax)
                   for line, quantity in chosen) \
        + (_shipping_amount(order, include_tax=request.include_tax) if request.shipping else 0)
    goods_and_shipping = sum(line.unit_price_minor * quantity for line, quantity in chosen) \
        + (order.shipping_minor if request.shipping else 0)
    if request.amount is not None:
        if request.amount.currency != order.currency:
            raise ValidationFailed(_("Refund in the order's currency (%(currency)s).",
                                     currency=order.currency),
                                   code="currency_mismatch",
                                   fields={"amount": [_("Use %(c)s.", c=order.currency)]})
        amount = request.amount.minor
    else:
        amount = computed
    # An amount typed without lines or shipping is a goodwill refund of the goods.
    commissionable = min(amount, goods_and_shipping if (chosen or request.shipping) else amount)
    if amount <= 0:
        raise NothingToRefund(_("Choose units or shipping to refund, or enter an amount."),
                              fields={"amount": [_("Nothing to refund.")]})
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == order.quote_id))
    left = min(refundable_minor(order), payment.amount_minor - payment.refunded_minor) \
        if payment else 0
    money = Money(amount, order.currency)
    too_much = RefundExceedsCaptured(
        _("%(amount)s is more than can still be refunded (%(left)s).",
          amount=money.format(), left=Money(max(left, 0), order.currency).format()),
        fields={"amount": [_("At most %(left)s.",
                             left=Money(max(left, 0), order.currency).format())]})
    if payment is None or amount > left:
        raise too_much
    check_representable(money)  # refuse what the provider cannot represent before claiming
    db.session.flush()
    if not (_claim(ORDERS, order.id, "refunded_minor", amount, "total_minor")
            and _claim(PAYMENTS, payment.id, "refunded_minor", amount, "amount_minor")):
        raise too_much  # a concurrent refund took it first; the edge rolls back
    _add_commissionable(order.id, commissionable)
    for line, quantity in chosen:
        if not _claim(ORDER_LINES, line.id, "refunded_quantity", quantity, "quantity"):
            raise RefundQuantityExceeded(_("That is more units than are left to refund."))
    refund = Refund(order_id=order.id, state="pending", currency=order.currency,
                    amount_minor=amount, commissionable_minor=commissionable,
                    includes_shipping=request.shipping,
                    restock=request.restock, idempotency_key=f"qiao-refund-{uuid.uuid4().hex}",
                    reason=(request.reason or "")[:2000], actor_id=actor.id)
    for line, quantity in chosen:
        refund.lines.append(RefundLine(order_line_id=line.id, quantity=quantity,
                                       amount_minor=_line_amount(
                                           order, line, quantity,
                                           include_duty=request.include_duty,
                                           include_tax=request.include_tax)))
    db.session.add(refund)
    if cancel:
        transition_order(order, "cancelled", actor=actor, reason=request.reason,
                         reason_code="cancelled_by_merchant")
        # Nothing of a cancelled order will ship: its held units are free to sell again.
        inventory.release_order_holds(actor, inventory.order_owner(order.id),
                                      reference=("order", order.id), reason="order cancelled")
    db.session.flush()
    db.session.expire(order)
    return refund


def submit_refund(refund: Refund, actor: User | None = None) -> Refund:
    """Send a pending refund to the provider with its stored key and record the answer."""
    if refund.state != "pending" or refund.provider_refund_id:
        return refund
    order = refund.order
    payment = db.session.scalar(select(Payment).where(Payment.quote_id == order.quote_id))
    try:
        answer = payment_provider().refund(
            payment.intent_id, Money(refund.amount_minor, refund.currency),
            idempotency_key=refund.idempotency_key,
            metadata={"qiao_refund_id": str(refund.id), "qiao_order_id": str(order.id)})
    except PaymentProviderError as exc:
        if exc.unavailable:
            return refund  # still pending: reconcile retries with the same key
        fail_refund(refund, exc.message)
        return refund
    refund.provider_refund_id = answer.id
    if answer.status in ("failed", "canceled"):
        fail_refund(refund, f"the provider reports the refund {answer.status}")
        return refund
    refund.state = "succeeded" if answer.status == "succeeded" else "pending"
    _settle(refund, actor)
    return refund


def _settle(refund: Refund, actor: User | None) -> None:
    """The money is on its way back: move the order's status and restock if asked."""
    order = refund.order
    # Flush first: refreshing the order cascades to its loaded refunds, which would
    # otherwise throw away this refund's unflushed state and provider id.
    db.session.flush()
    db.session.refresh(order)
    if order.status in REFUNDABLE:
        full = order.refunded_minor >= order.total_minor
        transition_order(order, "refunded" if full else "partially_refunded", actor=actor,
                         reason_code="refund_issued", reason_params={"refund": refund.id})
    shipped = logistics.shipped_quantities([order.id])
    for line in refund.lines:
        _put_back(order, line.order_line, line.quantity, shipped.get(line.order_line_id, 0),
                  refund, actor)


def _put_back(order: Order, line: OrderLine, quantity: int, shipped: int, refund: Refund,
              actor: User | None) -> None:
    """Settle the stock of refunded units: held ones first, then those that shipped.

    Units still in the warehouse are held for the order: a restock releases the hold, a
    refund without restock writes the units off (they leave on_hand, as they did when
    stock was committed at payment). Shipped units come back on hand, in the warehouse
    they left, only with restock. Orders paid before holds existed have no hold: their
    unshipped units were committed at payment and are returned as before.
    """
    reference = ("refund", str(refund.id))
    reason = _("refund %(id)s", id=refund.id)
    # The units of this refund are counted as unshipped first.
    unshipped = max(line.quantity - (line.refunded_quantity - quantity) - shipped, 0)
    from_unshipped = min(quantity, unshipped)
    done = 0
    if from_unshipped:
        done = inventory.release_order_holds(
            actor, inventory.order_owner(order.id), {line.variant_id: from_unshipped},
            write_off=not refund.restock, reference=reference, reason=reason,
        ).get(line.variant_id, 0)
    if not refund.restock:
        return
    actor = actor or (db.session.get(User, refund.actor_id) if refund.actor_id else None)
    if actor is None:
        return
    legacy = from_unshipped - done
    if legacy:
        committed = inventory.owner_reservations(QUOTE_OWNER, order.quote_id,
                                                 states=("committed",))
        warehouse_id = next((r.level.warehouse_id for r in committed
                             if r.level.variant_id == line.variant_id), None)
        if warehouse_id is not None:
            inventory.return_stock(actor, order.store_id, line.variant_id, warehouse_id,
                                   legacy, reference=reference, reason=reason)
    back = quantity - from_unshipped
    warehouse_id = logistics.shipped_from(order.id).get(line.id)
    if back and warehouse_id is not None:
        inventory.return_stock(actor, order.store_id, line.variant_id, warehouse_id, back,
                               reference=reference, reason=reason)


def fail_refund(refund: Refund, message: str) -> None:
    """Give the claimed amount and units back: nothing was refunded."""
    order = refund.order
    refund.state = "failed"
    refund.failure_message = message[:2000]
    db.session.flush()
    _add_commissionable(order.id, -refund.commissionable_minor)
    db.session.execute(update(ORDERS).where(ORDERS.c.id == order.id)
                       .values(refunded_minor=ORDERS.c.refunded_minor - refund.amount_minor))
    db.session.execute(update(PAYMENTS).where(PAYMENTS.c.quote_id == order.quote_id)
                       .values(refunded_minor=PAYMENTS.c.refunded_minor - refund.amount_minor))
    for line in refund.lines:
        db.session.execute(update(ORDER_LINES).where(ORDER_LINES.c.id == line.order_line_id)
                           .values(refunded_quantity=ORDER_LINES.c.refunded_quantity
                                   - line.quantity))
    db.session.expire(order)


def record_refund_status(refund: Refund, status: str | None, failure_reason: str = "") -> str:
    """Record what the provider now says of a refund it took as pending: the webhook's
    `refund.*` events and the sweep of refunds whose webhook never came both land here.

    The state moves by a conditional UPDATE, so a late webhook after the sweep (or the
    two at once) changes nothing the second time and never gives the amount back twice.
    """
    if status == "succeeded":
        to, from_states = "succeeded", ("pending",)
    elif status in ("failed", "canceled"):
        # Stripe can fail a refund after reporting it succeeded (the card account closed).
        to, from_states = "failed", ("pending", "succeeded")
    else:
        return "no change"
    db.session.flush()
    moved = db.session.execute(
        update(REFUNDS).where(REFUNDS.c.id == refund.id, REFUNDS.c.state.in_(from_states))
        .values(state=to, updated_at=utcnow())).rowcount
    db.session.expire(refund, ["state", "updated_at"])
    if not moved:
        return "no change"
    if to == "succeeded":
        return "refund succeeded"
    fail_refund(refund, failure_reason or f"refund {status}")
    return "refund failed"


def request_cancellation(actor: User, store_id: int, order_id: int, *, reason: str = ""
                         ) -> Refund:
    """Cancel an order before shipment: refund what is left and put the units back."""
    order = get_store_order(actor, store_id, order_id)
    request = RefundRequest(
        lines=[(line.id, line.quantity - line.refunded_quantity) for line in order.lines
               if line.quantity > line.refunded_quantity],
        shipping=order.shipping_minor > 0 and not shipping_refunded(order), restock=True,
        reason=reason, amount=Money(refundable_minor(order), order.currency))
    return request_refund(actor, store_id, order_id, request, cancel=True)


def pending_refunds(limit: int = 100) -> list[Refund]:
    """Refunds never confirmed by the provider (a crash or an outage), oldest first."""
    return list(db.session.scalars(
        select(Refund).where(Refund.state == "pending", Refund.provider_refund_id.is_(None),
                             Refund.created_at <= utcnow())
        .order_by(Refund.id).limit(limit)))
