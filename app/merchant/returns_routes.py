"""Merchant return pages: the store's returns by status, and one return with its decisions."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.portal import PAGE_SIZE, after_param, open_portal, render_portal
from app.merchant.returns_forms import (
    ApproveReturnForm,
    ReceiveReturnForm,
    RefuseReturnForm,
    ReturnParcelForm,
)
from app.models import RETURN_STATES
from app.services import logistics, returns
from app.services.catalog.stores import list_warehouses
from app.services.errors import DomainError
from app.services.logistics.tracking_reads import get_shipment_journey
from app.services.payments import REFUND_ROLE, submit_refund
from app.web.links import site_links
from app.web.returns import REASON_LABELS


@bp.get("/stores/<int:store_id>/returns")
@login_required
def store_returns(store_id: int):
    """The store's returns, newest first; filter by status."""
    portal = open_portal(store_id)
    status = request.args.get("status", "")
    status = status if status in RETURN_STATES else ""
    page = returns.list_store_returns(current_user, store_id, status=status or None,
                                      after=after_param(), limit=PAGE_SIZE)
    next_url = url_for(".store_returns", store_id=store_id, after=page.next_after[0],
                       **({"status": status} if status else {})) if page.next_after else None
    body = render_portal("merchant/returns/list.html", portal, tab="returns",
                         returns=page.items, status_filter=status, statuses=RETURN_STATES,
                         next_url=next_url, reason_labels=REASON_LABELS)
    commit()
    return body


def _carrier_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "en")
    return [(c.code, c.display_name(locale)) for c in logistics.list_carriers()]


def _detail(store_id: int, return_id: int, *, refuse_form: RefuseReturnForm | None = None,
            parcel_form: ReturnParcelForm | None = None, errors: list[str] | None = None,
            status: int = 200):
    portal = open_portal(store_id)
    found = returns.get_store_return(current_user, store_id, return_id)
    journeys = [get_shipment_journey(current_user, found.shipment_id)] \
        if found.shipment_id else []
    locale = str(get_locale() or "en")
    parcel_form = parcel_form or ReturnParcelForm(formdata=None)
    parcel_form.carrier.choices = _carrier_choices()
    body = render_portal(
        "merchant/returns/detail.html", portal, status=status, tab="returns", ret=found,
        order=found.order, reason_labels=REASON_LABELS, errors=errors or [],
        approve_form=ApproveReturnForm(formdata=None),
        refuse_form=refuse_form or RefuseReturnForm(formdata=None),
        receive_form=ReceiveReturnForm(formdata=None), parcel_form=parcel_form,
        may_receive=portal.has_role(REFUND_ROLE),
        warehouses=list_warehouses(current_user, store_id),
        shipped_from=logistics.shipped_from(found.order_id),
        journeys=journeys, carrier_name=lambda code: logistics.get_carrier(code)
        .display_name(locale), carrier_url=logistics.tracking_url)
    commit()
    return body


@bp.get("/stores/<int:store_id>/returns/<int:return_id>")
@login_required
def return_detail(store_id: int, return_id: int):
    """One return: items, reason, the parcel's tracking, and the next step's buttons."""
    return _detail(store_id, return_id)


def _run(store_id: int, return_id: int, step, done: str, **forms):
    try:
        step()
        commit()
    except DomainError as exc:
        rollback()
        messages = [exc.message] + [f"{name}: {m}" for name, ms in exc.fields.items()
                                    for m in ms]
        return _detail(store_id, return_id, errors=messages, status=exc.status, **forms)
    flash(done, "success")
    return redirect(url_for(".return_detail", store_id=store_id, return_id=return_id))


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/approve")
@login_required
def approve_return(store_id: int, return_id: int):
    """Accept the return; the shopper is asked to send the parcel."""
    if not ApproveReturnForm().validate():
        return _detail(store_id, return_id, status=422)
    return _run(store_id, return_id,
                lambda: returns.approve_return(current_user, store_id, return_id,
                                               links=site_links),
                _("Return approved; the shopper was told."))


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/refuse")
@login_required
def refuse_return(store_id: int, return_id: int):
    """Refuse the return with a reason."""
    form = RefuseReturnForm()
    if not form.validate():
        return _detail(store_id, return_id, refuse_form=form, status=422)
    return _run(store_id, return_id,
                lambda: returns.refuse_return(current_user, store_id, return_id,
                                              reason=form.reason.data, links=site_links),
                _("Return refused; the shopper was told."), refuse_form=form)


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/parcel")
@login_required
def add_return_parcel(store_id: int, return_id: int):
    """The store books the return parcel itself and enters its carrier and number."""
    form = ReturnParcelForm()
    form.carrier.choices = _carrier_choices()
    if not form.validate():
        return _detail(store_id, return_id, parcel_form=form, status=422)
    returns.get_store_return(current_user, store_id, return_id)  # another store's: 404
    return _run(store_id, return_id,
                lambda: returns.add_return_parcel(current_user, return_id,
                                                  carrier=form.carrier.data,
                                                  tracking_number=form.tracking_number.data),
                _("The return parcel is being tracked."), parcel_form=form)


@bp.post("/stores/<int:store_id>/returns/<int:return_id>/receive")
@login_required
def receive_return(store_id: int, return_id: int):
    """The parcel arrived: restock what was chosen and refund through Stripe."""
    if not ReceiveReturnForm().validate():
        return _detail(store_id, return_id, status=422)
    found = returns.get_store_return(current_user, store_id, return_id)
    lines = [{"order_line_id": line.order_line_id,
              "quantity": request.form.get(f"received-{line.order_line_id}", "").strip(),
              "restock": bool(request.form.get(f"restock-{line.order_line_id}")),
              "warehouse_id": request.form.get(f"warehouse-{line.order_line_id}") or None}
             for line in found.lines]
    try:
        got = returns.receive_return(current_user, store_id, return_id, lines=lines)
        commit()  # the claim and its idempotency key are durable before Stripe is called
        if got.refund is not None:
            submit_refund(got.refund, current_user)
            commit()
        returns.settle_return_refund(got, links=site_links)
        commit()
    except DomainError as exc:
        rollback()
        messages = [exc.message] + [f"{name}: {m}" for name, ms in exc.fields.items()
                                    for m in ms]
        return _detail(store_id, return_id, errors=messages, status=exc.status)
    if got.refund is not None and got.refund.state == "failed":
        flash(_("Stripe did not refund it: %(why)s", why=got.refund.failure_message), "error")
    elif got.refund is not None and got.refund.state == "pending":
        flash(_("The refund is on its way; it may take a moment to confirm."), "info")
    else:
        flash(_("Return received."), "success")
    return redirect(url_for(".return_detail", store_id=store_id, return_id=return_id))
