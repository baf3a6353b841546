"""The shopper's returns: ask to return delivered items, follow the return, send the parcel."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.checkout import bp
from app.checkout.payment_routes import money
from app.checkout.returns_forms import (
    CancelReturnForm,
    ReturnParcelForm,
    ReturnRequestForm,
)
from app.checkout.tracking_routes import timeline_context
from app.core.transaction import commit, rollback
from app.services import returns
from app.services.errors import DomainError
from app.services.logistics.carriers import list_carriers
from app.services.logistics.tracking_reads import get_shipment_journey
from app.services.orders import lifecycle as orders
from app.web.links import site_links
from app.web.returns import REASON_LABELS


def _carrier_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "en")
    return [(c.code, c.display_name(locale)) for c in list_carriers()]


def _new_page(order_id: int, form: ReturnRequestForm, *, status: int = 200,
              line_errors: dict[int, list[str]] | None = None):
    order = orders.get_shopper_order(current_user, order_id)
    returnable = returns.returnable_lines(order)
    body = render_template("returns/new.html", order=order, form=form, returnable=returnable,
                           line_errors=line_errors or {}, reason_labels=REASON_LABELS)
    commit()
    return body, status


@bp.get("/orders/<int:order_id>/returns/new")
@login_required
def new_return(order_id: int):
    """Choose the items to return, how many, and why."""
    return _new_page(order_id, ReturnRequestForm(formdata=None))


@bp.post("/orders/<int:order_id>/returns")
@login_required
def create_return(order_id: int):
    """Send the return request to the store."""
    form = ReturnRequestForm()
    if not form.validate():
        return _new_page(order_id, form, status=422)
    order = orders.get_shopper_order(current_user, order_id)
    lines, index_of = [], {}
    for line in order.lines:
        raw = request.form.get(f"qty-{line.id}", "").strip()
        if raw and raw != "0":
            index_of[len(lines)] = line.id
            lines.append({"order_line_id": line.id, "quantity": raw})
    if not lines:
        form.form_errors.append(_("Choose at least one item and how many to return."))
        return _new_page(order_id, form, status=422)
    try:
        photos = [upload.read() for upload in request.files.getlist("photos")
                  if upload.filename]
        made = returns.request_return(current_user, order_id, lines=lines,
                                      reason=form.reason.data, comment=form.comment.data,
                                      photos=photos, links=site_links)
        commit()
    except DomainError as exc:
        rollback()
        form.form_errors.append(exc.message)
        line_errors: dict[int, list[str]] = {}
        for name, messages in exc.fields.items():
            index = name.removeprefix("lines.").split(".")[0]
            if name.startswith("lines.") and index.isdigit() and int(index) in index_of:
                line_errors.setdefault(index_of[int(index)], []).extend(messages)
            elif name in ("reason", "comment", "photos"):
                getattr(form, name).errors = list(messages)
        return _new_page(order_id, form, status=exc.status, line_errors=line_errors)
    flash(_("Your return request was sent to the store."), "success")
    return redirect(url_for(".return_detail", return_id=made.id))


def _detail(return_id: int, *, parcel_form: ReturnParcelForm | None = None, status: int = 200):
    found = returns.get_return(current_user, return_id)
    if found.user_id != current_user.id:  # store staff use the merchant portal's page
        return redirect(url_for("merchant.return_detail", store_id=found.store_id,
                                return_id=found.id))
    parcel_form = parcel_form or ReturnParcelForm(formdata=None)
    parcel_form.carrier.choices = _carrier_choices()
    journeys = [get_shipment_journey(current_user, found.shipment_id)] \
        if found.shipment_id else []
    body = render_template("returns/detail.html", ret=found, order=found.order,
                           parcel_form=parcel_form, cancel_form=CancelReturnForm(formdata=None),
                           reason_labels=REASON_LABELS, money=money,
                           **timeline_context(journeys, shareable=False))
    commit()
    return body, status


@bp.get("/returns/<int:return_id>")
@login_required
def return_detail(return_id: int):
    """The return's status, its items, the refund, and the return parcel's timeline."""
    return _detail(return_id)


@bp.post("/returns/<int:return_id>/parcel")
@login_required
def add_return_parcel(return_id: int):
    """The parcel's carrier and tracking number, once the store approved the return."""
    form = ReturnParcelForm()
    form.carrier.choices = _carrier_choices()
    if not form.validate():
        return _detail(return_id, parcel_form=form, status=422)
    try:
        returns.add_return_parcel(current_user, return_id, carrier=form.carrier.data,
                                  tracking_number=form.tracking_number.data)
        commit()
    except DomainError as exc:
        rollback()
        form.form_errors.append(exc.message)
        for name, messages in exc.fields.items():
            if name in ("carrier", "tracking_number"):
                getattr(form, name).errors = list(messages)
        return _detail(return_id, parcel_form=form, status=exc.status)
    flash(_("Thank you: the store can now follow the parcel."), "success")
    return redirect(url_for(".return_detail", return_id=return_id))


@bp.post("/returns/<int:return_id>/cancel")
@login_required
def cancel_return(return_id: int):
    """Withdraw the request before the store receives the parcel."""
    if not CancelReturnForm().validate():
        return _detail(return_id, status=422)
    try:
        returns.cancel_return(current_user, return_id)
        commit()
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for(".return_detail", return_id=return_id))
    flash(_("The return was cancelled."), "info")
    return redirect(url_for(".return_detail", return_id=return_id))
