"""Merchant shipment pages: the filtered list, the exceptions board and the CSV export."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.forms import BulkShippingForm
from app.merchant.portal import (
    PAGE_SIZE,
    after_param,
    day_param,
    open_portal,
    render_portal,
)
from app.models.logistics import TRACKING_STATUSES
from app.services import logistics
from app.services.errors import DomainError
from app.services.logistics import bulk_shipping
from app.web.forms import reject_form
from app.web.links import site_links
from app.web.times import format_when

# What each group of the exceptions board is called and why a shipment is in it.
BOARD_TITLES = {
    "quiet": _l("No news"), "customs_held": _l("Held at customs"),
    "attempt_failed": _l("Failed delivery attempts"), "exception": _l("Carrier exceptions"),
    "returned": _l("Returned to sender"), "expired": _l("Tracking expired"),
}
BOARD_HINTS = {
    "quiet": _l("No tracking event for %(days)s days or more (counted from shipping when "
                "there has been none)."),
    "customs_held": _l("Held for inspection, or waiting for duties to be paid."),
    "attempt_failed": _l("The courier could not deliver; the shopper may need to rearrange."),
    "exception": _l("The carrier reported a problem: damage, a wrong address, a delay."),
    "returned": _l("On the way back to you, or already back."),
    "expired": _l("The carrier stopped reporting before delivery."),
}
# The list filter that shows the whole of a board group, where its status alone names it
# (a customs hold is a sub-status, and quiet is no status at all).
BOARD_STATUS = {"attempt_failed": "attempt_failed", "exception": "exception",
                "returned": "returned", "expired": "expired"}


def _filters() -> dict[str, str]:
    """The list's filters from the query string; unknown values are dropped, not refused."""
    status = request.args.get("status", "")
    carrier = request.args.get("carrier", "")
    return {"status": status if status in TRACKING_STATUSES else "",
            "carrier": carrier if carrier in {c.code for c in logistics.list_carriers()} else "",
            "q": request.args.get("q", "").strip()[:40],
            "from": request.args.get("from", ""), "to": request.args.get("to", "")}


def _service_filters(filters: dict[str, str]) -> logistics.ShipmentFilters:
    return logistics.ShipmentFilters(
        status=filters["status"] or None, carrier=filters["carrier"] or None,
        text=filters["q"] or None, shipped_from=day_param("from"),
        shipped_to=day_param("to", end=True))


def _shown(filters: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in filters.items() if v}


def _row_helpers() -> dict:
    """What the shipment rows need: carrier names and links, times, references."""
    locale = str(get_locale() or "en")
    return {"carrier_name": lambda code: logistics.get_carrier(code).display_name(locale),
            "carrier_url": logistics.tracking_url, "moment": format_when,
            "order_reference": logistics.order_reference}


@bp.get("/stores/<int:store_id>/shipments")
@login_required
def shipments(store_id: int):
    """The store's shipments, newest first; filter by status, carrier, number, order, date."""
    portal = open_portal(store_id)
    filters = _filters()
    chosen = _service_filters(filters)
    page = logistics.list_store_shipments(
        current_user, store_id, status=chosen.status, carrier=chosen.carrier, text=chosen.text,
        shipped_from=chosen.shipped_from, shipped_to=chosen.shipped_to, after=after_param(),
        limit=PAGE_SIZE)
    next_url = url_for(".shipments", store_id=store_id, after=page.next_after[0],
                       **_shown(filters)) if page.next_after else None
    return render_portal(
        "merchant/shipments/list.html", portal, tab="shipments", shipments=page.items,
        filters=filters, statuses=TRACKING_STATUSES, carriers=logistics.list_carriers(),
        next_url=next_url,
        export_url=url_for(".export_shipments", store_id=store_id, **_shown(filters)),
        **_row_helpers())


@bp.get("/stores/<int:store_id>/shipments/exceptions")
@login_required
def shipment_exceptions(store_id: int):
    """Undelivered shipments that need a look: quiet, held, failed, exceptions, returned."""
    portal = open_portal(store_id)
    board = logistics.exception_board(
        current_user, store_id, quiet_days=current_app.config["TRACKING_QUIET_DAYS"])
    return render_portal(
        "merchant/shipments/exceptions.html", portal, tab="shipments", board=board,
        titles=BOARD_TITLES, hints=BOARD_HINTS, board_status=BOARD_STATUS, **_row_helpers())


@bp.get("/stores/<int:store_id>/shipments/export.csv")
@login_required
def export_shipments(store_id: int):
    """The shipments the list's filters select, every page of them, as a CSV download."""
    portal = open_portal(store_id)
    data = logistics.export_shipments_csv(current_user, store_id, _service_filters(_filters()))
    filename = f"{portal.store.slug}-shipments-{date.today().isoformat()}.csv"
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _bulk_page(portal, form: BulkShippingForm, status: int = 200, **context):
    return render_portal("merchant/shipments/bulk.html", portal, form=form, tab="shipments",
                         status=status, max_rows=bulk_shipping.MAX_ROWS, **_row_helpers(),
                         **context)


@bp.route("/stores/<int:store_id>/shipments/bulk", methods=["GET", "POST"])
@login_required
def bulk_ship(store_id: int):
    """Mark many orders shipped from one CSV: every row checked, then all or nothing."""
    portal = open_portal(store_id)
    form = BulkShippingForm()
    if not form.validate_on_submit():
        return _bulk_page(portal, form, 422 if form.is_submitted() else 200)
    try:
        result = bulk_shipping.ship_from_csv(
            current_user, portal.store.id, form.file.data.read(),
            valid_only=bool(form.valid_only.data), links=site_links)
    except bulk_shipping.BulkShippingRejected as exc:
        rollback()
        return _bulk_page(portal, form, 422, problems=exc.problems)
    except DomainError as exc:
        reject_form(form, exc)
        return _bulk_page(portal, form, 422)
    commit()
    return _bulk_page(portal, BulkShippingForm(formdata=None), result=result)
