"""Merchant order pages: the queue with filters, an order with its ship, refund and cancel
forms, and its shipments with their legs.
"""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.orders_forms import LEG_KIND_LABELS, CancelForm, LegForm, RefundForm, ShipForm
from app.merchant.portal import (
    PAGE_SIZE,
    after_param,
    day_param,
    format_money,
    open_portal,
    render_portal,
)
from app.models import ORDER_STATES
from app.money import Money
from app.services import inventory, logistics, returns
from app.services.catalog.stores import list_warehouses
from app.services.errors import DomainError, NotFound
from app.services.logistics import customs_documents as customs
from app.services.logistics.carriers import list_carriers, tracking_url
from app.services.logistics.shipments import SHIPPABLE
from app.services.orders import lifecycle as orders
from app.services.orders import messages as conversation
from app.services.payments import refunds
from app.web.forms import reject_form
from app.web.links import site_links
from app.web.order_conversation import OrderMessageForm, conversation_context


@bp.get("/stores/<int:store_id>/orders")
@login_required
def order_queue(store_id: int):
    """The store's orders, newest first; filter by status, dates and reference."""
    portal = open_portal(store_id)
    status = request.args.get("status", "")
    filters = {"status": status if status in ORDER_STATES else "",
               "from": request.args.get("from", ""), "to": request.args.get("to", ""),
               "q": request.args.get("q", "").strip()[:40]}
    page = orders.list_store_orders(
        current_user, store_id, status=filters["status"] or None,
        created_from=day_param("from"), created_to=day_param("to", end=True),
        reference=filters["q"],
        after=after_param(), limit=PAGE_SIZE)
    next_url = url_for(".order_queue", store_id=store_id, after=page.next_after[0],
                       **{k: v for k, v in filters.items() if v}) if page.next_after else None
    body = render_portal("merchant/orders/queue.html", portal, tab="orders", orders=page.items,
                         filters=filters, statuses=ORDER_STATES, next_url=next_url,
                         settlement=orders.settlement)
    commit()
    return body


def _carrier_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "en")
    return [(c.code, c.display_name(locale)) for c in list_carriers()]


def _ship_form(order, warehouses, form: ShipForm | None) -> ShipForm:
    """The ship form with its choices; by default from the warehouse holding most units."""
    fresh = form is None
    form = form or ShipForm(formdata=None)
    form.warehouse_id.choices = [(w.id, w.name) for w in warehouses]
    form.carrier.choices = _carrier_choices()
    if fresh and warehouses:
        held: dict[int, int] = {}
        for per_warehouse in inventory.order_holds(order.id).values():
            for warehouse_id, units in per_warehouse.items():
                held[warehouse_id] = held.get(warehouse_id, 0) + units
        active = {w.id for w in warehouses}
        best = max((w for w in held if w in active), key=lambda w: held[w], default=None)
        form.warehouse_id.data = best or warehouses[0].id
    return form


def _detail(store_id: int, order_id: int, *, refund_form: RefundForm | None = None,
            cancel_form: CancelForm | None = None, ship_form: ShipForm | None = None,
            ship_line_errors: dict[int, list[str]] | None = None,
            leg_form: LegForm | None = None, leg_shipment_id: int | None = None,
            message_form: OrderMessageForm | None = None, status: int = 200):
    portal = open_portal(store_id)
    order = orders.get_store_order(current_user, store_id, order_id)
    warehouses = list_warehouses(current_user, store_id)
    remaining = logistics.remaining_quantities(order)
    shipments = logistics.list_order_shipments(current_user, store_id, order_id)
    if leg_form is None:
        leg_form = LegForm(formdata=None)
    leg_form.carrier.choices = _carrier_choices()
    # Refunds and cancellations need REFUND_ROLE (the service refuses anyone below it);
    # a form the viewer cannot use is not shown, a short note says who can.
    may_refund = portal.has_role(refunds.REFUND_ROLE)
    refundable_now = order.status in orders.REFUNDABLE and orders.refundable_minor(order) > 0
    cancellable_now = order.status in orders.CANCELLABLE and not shipments
    body = render_portal(
        "merchant/orders/detail.html", portal, status=status, tab="orders", order=order,
        settled=orders.settlement(order),
        refund_form=refund_form or RefundForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        can_cancel=cancellable_now and may_refund,
        can_refund=refundable_now and may_refund,
        refund_needs_role=(refundable_now or cancellable_now) and not may_refund,
        shipping_refunded=orders.shipping_refunded(order),
        refundable=orders.refundable_minor(order),
        document_kinds=customs.DOCUMENT_KINDS
        if order.status in customs.DOCUMENTED_STATUSES else (),
        document_number=shipments[-1].tracking_number if shipments else None,
        can_ship=order.status in SHIPPABLE and any(remaining.values()) and bool(warehouses),
        ship_form=_ship_form(order, warehouses, ship_form), remaining=remaining,
        ship_line_errors=ship_line_errors or {}, carriers=list_carriers(),
        carrier_names=dict(_carrier_choices()), shipments=shipments,
        tracking_url=tracking_url, leg_form=leg_form, leg_shipment_id=leg_shipment_id,
        leg_kinds=LEG_KIND_LABELS, order_returns=returns.order_returns(order.id),
        **conversation_context(order, message_form))
    commit()
    return body


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/messages")
@login_required
def post_order_message(store_id: int, order_id: int):
    """Answer the buyer (or write first) about this order; they are told by e-mail."""
    form = OrderMessageForm()
    if not form.validate():
        return _detail(store_id, order_id, message_form=form, status=400)
    try:
        message = conversation.post_order_message(current_user, order_id, form.body.data,
                                                  store_id=store_id, links=site_links)
    except DomainError as exc:
        reject_form(form, exc)
        return _detail(store_id, order_id, message_form=form, status=exc.status)
    commit()
    return redirect(url_for(".order_detail", store_id=store_id, order_id=order_id,
                            _anchor=f"message-{message.id}"), code=303)


@bp.get("/stores/<int:store_id>/orders/<int:order_id>")
@login_required
def order_detail(store_id: int, order_id: int):
    """One order: lines, both currencies, commission, history, refunds."""
    return _detail(store_id, order_id)


def _submit(claim, store_id: int, order_id: int, **forms):
    """Claim (commit), call Stripe (commit), then report like the API does."""
    try:
        refund = claim()
        commit()  # the claim and its idempotency key are durable before Stripe is called
        refunds.submit_refund(refund, current_user)
        commit()
    except DomainError as exc:
        rollback()
        form = forms.get("refund_form") or forms.get("cancel_form")
        form.form_errors.append(exc.message)
        for name, messages in exc.fields.items():
            form.form_errors.extend(f"{name}: {m}" for m in messages)
        return _detail(store_id, order_id, status=exc.status, **forms)
    if refund.state == "failed":
        flash(_("Stripe did not refund it: %(why)s", why=refund.failure_message), "error")
    elif refund.state == "pending":
        flash(_("The refund is on its way; it may take a moment to confirm."), "info")
    else:
        flash(_("Refunded %(amount)s.",
                amount=format_money(refund.amount_minor, refund.currency)), "success")
    return redirect(url_for(".order_detail", store_id=store_id, order_id=order_id))


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/refunds")
@login_required
def refund_order(store_id: int, order_id: int):
    """Refund chosen units and/or shipping, or an exact amount."""
    form = RefundForm()
    order = orders.get_store_order(current_user, store_id, order_id)
    if not form.validate():
        return _detail(store_id, order_id, refund_form=form, status=422)
    lines, bad = [], []
    for line in order.lines:
        raw = request.form.get(f"qty-{line.id}", "").strip()
        if not raw or raw == "0":
            continue
        if not raw.isdigit():
            bad.append(line.sku)
            continue
        lines.append((line.id, int(raw)))
    if bad:
        form.form_errors.append(_("Use whole numbers of units for %(skus)s.",
                                  skus=", ".join(bad)))
        return _detail(store_id, order_id, refund_form=form, status=422)
    amount = None
    if form.amount.data:
        try:
            amount = Money.from_decimal(form.amount.data, order.currency)
        except ValueError:
            form.amount.errors = [_("%(currency)s takes at most that many decimals.",
                                    currency=order.currency)]
            return _detail(store_id, order_id, refund_form=form, status=422)
    request_data = refunds.RefundRequest(lines=lines, shipping=form.shipping.data,
                                         amount=amount, restock=form.restock.data,
                                         reason=form.reason.data or "")
    return _submit(lambda: refunds.request_refund(current_user, store_id, order_id,
                                                  request_data),
                   store_id, order_id, refund_form=form)


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/cancel")
@login_required
def cancel_order(store_id: int, order_id: int):
    """Cancel before shipment: refund what is left and put the units back."""
    form = CancelForm()
    if not form.validate():
        return _detail(store_id, order_id, cancel_form=form, status=422)
    return _submit(lambda: refunds.request_cancellation(current_user, store_id, order_id,
                                                        reason=form.reason.data or ""),
                   store_id, order_id, cancel_form=form)


@bp.get("/stores/<int:store_id>/orders/<int:order_id>/documents/<kind>.pdf")
@login_required
def order_document(store_id: int, order_id: int, kind: str):
    """A customs document (CN22, CN23, commercial invoice) or packing slip as PDF; no writes."""
    document = customs.render_customs_document(
        current_user, store_id, order_id, kind,
        tracking_number=request.args.get("tracking_number"))
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'inline; filename="{document.filename}"',
        "Cache-Control": "private, no-store"})


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/shipments")
@login_required
def ship_order(store_id: int, order_id: int):
    """Ship units of the order's lines from a warehouse under a tracking number."""
    form = ShipForm()
    order = orders.get_store_order(current_user, store_id, order_id)
    form.warehouse_id.choices = [(w.id, w.name) for w in list_warehouses(current_user,
                                                                            store_id)]
    form.carrier.choices = _carrier_choices()
    if not form.validate():
        return _detail(store_id, order_id, ship_form=form, status=422)
    lines, sent = [], []
    for line in order.lines:
        raw = request.form.get(f"ship-{line.id}", "").strip()
        if raw in ("", "0"):
            continue
        lines.append({"order_line_id": line.id, "quantity": raw})
        sent.append(line.id)
    try:
        shipment = logistics.create_shipment(
            current_user, store_id, order_id, warehouse_id=form.warehouse_id.data,
            carrier=form.carrier.data, tracking_number=form.tracking_number.data or "",
            lines=lines, weight_grams=form.weight_grams.data, length_mm=form.length_mm.data,
            width_mm=form.width_mm.data, height_mm=form.height_mm.data, links=site_links)
        commit()
    except DomainError as exc:
        rollback()
        line_errors = _place_errors(form, exc, sent)
        return _detail(store_id, order_id, ship_form=form, ship_line_errors=line_errors,
                       status=exc.status)
    flash(_("Shipped with %(carrier)s, tracking number %(number)s.",
            carrier=dict(_carrier_choices()).get(shipment.carrier, shipment.carrier),
            number=shipment.tracking_number), "success")
    return redirect(url_for(".order_detail", store_id=store_id, order_id=order_id,
                            _anchor=f"shipment-{shipment.id}"))


def _place_errors(form, exc: DomainError, sent: list[int]) -> dict[int, list[str]]:
    """Put each error next to its field: form fields, per-line quantities, or the top."""
    line_errors: dict[int, list[str]] = {}
    placed = False
    for name, messages in exc.fields.items():
        if name.startswith("lines."):
            index = name.split(".")[1]
            if index.isdigit() and int(index) < len(sent):
                line_errors.setdefault(sent[int(index)], []).extend(messages)
                placed = True
                continue
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and name != "lines":
            field.errors = [*field.errors, *messages]
            placed = True
        else:
            form.form_errors.extend(messages)
            placed = True
    if not placed or not exc.fields:
        form.form_errors.append(exc.message)
    return line_errors


@bp.post("/stores/<int:store_id>/orders/<int:order_id>/shipments/<int:shipment_id>/legs")
@login_required
def add_leg(store_id: int, order_id: int, shipment_id: int):
    """Add a leg (first mile, line haul, customs, last mile) to one of the order's parcels."""
    form = LegForm()
    form.carrier.choices = _carrier_choices()
    shipment = logistics.get_store_shipment(current_user, shipment_id)
    if shipment.order_id != order_id or shipment.store_id != store_id:
        raise NotFound(_("No such shipment."))
    if not form.validate():
        return _detail(store_id, order_id, leg_form=form, leg_shipment_id=shipment_id,
                       status=422)
    try:
        logistics.add_shipment_leg(current_user, shipment_id, kind=form.kind.data,
                                   carrier=form.carrier.data,
                                   tracking_number=form.tracking_number.data or "")
        commit()
    except DomainError as exc:
        rollback()
        _place_errors(form, exc, [])
        return _detail(store_id, order_id, leg_form=form, leg_shipment_id=shipment_id,
                       status=exc.status)
    flash(_("Leg added."), "success")
    return redirect(url_for(".order_detail", store_id=store_id, order_id=order_id,
                            _anchor=f"shipment-{shipment_id}"))
