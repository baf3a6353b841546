"""Merchant order pages: the queue with filters, an order with its refund and cancel forms."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.orders_forms import CancelForm, RefundForm
from app.merchant.portal import PAGE_SIZE, after_param, open_portal, render_portal
from app.models import ORDER_STATES
from app.money import Money
from app.services.errors import DomainError
from app.services.logistics import customs_documents as customs
from app.services.orders import lifecycle as orders
from app.services.payments import refunds


def _day(name: str, *, end: bool = False) -> datetime | None:
    raw = request.args.get(name, "").strip()
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date() if raw else None
    except ValueError:
        return None
    if day is None:
        return None
    moment = datetime.combine(day, time.min, UTC)
    return moment + timedelta(days=1) if end else moment


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
        created_from=_day("from"), created_to=_day("to", end=True), reference=filters["q"],
        after=after_param(), limit=PAGE_SIZE)
    next_url = url_for(".order_queue", store_id=store_id, after=page.next_after[0],
                       **{k: v for k, v in filters.items() if v}) if page.next_after else None
    body = render_portal("merchant/orders/queue.html", portal, tab="orders", orders=page.items,
                         filters=filters, statuses=ORDER_STATES, next_url=next_url)
    commit()
    return body


def _detail(store_id: int, order_id: int, *, refund_form: RefundForm | None = None,
            cancel_form: CancelForm | None = None, status: int = 200):
    portal = open_portal(store_id)
    order = orders.get_store_order(current_user, store_id, order_id)
    # Refunds and cancellations need REFUND_ROLE (the service refuses anyone below it);
    # a form the viewer cannot use is not shown, a short note says who can.
    may_refund = portal.has_role(refunds.REFUND_ROLE)
    refundable_now = order.status in orders.REFUNDABLE and orders.refundable_minor(order) > 0
    cancellable_now = order.status in orders.CANCELLABLE
    body = render_portal(
        "merchant/orders/detail.html", portal, status=status, tab="orders", order=order,
        refund_form=refund_form or RefundForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        can_cancel=cancellable_now and may_refund,
        can_refund=refundable_now and may_refund,
        refund_needs_role=(refundable_now or cancellable_now) and not may_refund,
        shipping_refunded=orders.shipping_refunded(order),
        refundable=orders.refundable_minor(order),
        document_kinds=customs.DOCUMENT_KINDS
        if order.status in customs.DOCUMENTED_STATUSES else ())
    commit()
    return body


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
                amount=Money(refund.amount_minor, refund.currency).format()), "success")
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
