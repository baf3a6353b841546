"""Portal inventory: counts per warehouse, one SKU's stock and history, low stock.

Every change goes through app.services.inventory, so each one is a conditional
update plus a ledger row naming who changed what and why.
"""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.forms import AdjustForm, StockCountForm, ThresholdForm, TransferForm
from app.merchant.portal import PAGE_SIZE, Portal, after_param, open_portal, render_portal
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.catalog import stores
from app.services.errors import Conflict, ValidationFailed
from app.web.forms import select_choices, show_errors_on_form

SIGNED_WHOLE_NUMBER = re.compile(r"[+-]?\d{1,9}")
MOVEMENT_LABELS = {
    "receive": _l("Received"), "adjust": _l("Adjusted"), "reserve": _l("Reserved for a buyer"),
    "release": _l("Reservation released"), "commit": _l("Shipped"), "return": _l("Returned"),
    "transfer_out": _l("Transferred out"), "transfer_in": _l("Transferred in"),
}


def _number(text: str | None) -> int | str:
    """A typed quantity as an int when it is one ("+5" too), else the text for the service."""
    text = (text or "").strip()
    return int(text) if SIGNED_WHOLE_NUMBER.fullmatch(text) else text


# Warehouse counts ---------------------------------------------------------------------------
@bp.get("/stores/<int:store_id>/inventory")
@login_required
def inventory_home(store_id: int):
    """The first open warehouse's stock, or a prompt to add a warehouse."""
    portal = open_portal(store_id)
    warehouses = stores.list_warehouses(current_user, store_id)
    if warehouses:
        return redirect(url_for(".warehouse_stock", store_id=store_id,
                                warehouse_id=warehouses[0].id))
    return render_portal("merchant/inventory_empty.html", portal, tab="inventory")


def _warehouse_page(portal: Portal, warehouse_id: int, *, form: StockCountForm | None = None,
                    status: int = 200):
    warehouse = stores.get_warehouse(current_user, portal.store.id, warehouse_id)
    warehouses = stores.list_warehouses(current_user, portal.store.id, include_inactive=True)
    query = request.args.get("q", "")
    page = inventory.list_inventory(current_user, portal.store.id, warehouse.id, text=query,
                                    after=after_param(), limit=PAGE_SIZE)
    if form is None:
        form = StockCountForm(formdata=None)
        for row in page.items:
            form.rows.append_entry({"sku": row.variant.sku, "quantity": ""})
    inputs = {entry.form.sku.data: entry.form for entry in form.rows}
    return render_portal("merchant/inventory.html", portal, status=status, tab="inventory",
                         warehouse=warehouse, warehouses=warehouses, page=page, form=form,
                         inputs=inputs, query=query)


@bp.get("/stores/<int:store_id>/inventory/<int:warehouse_id>")
@login_required
def warehouse_stock(store_id: int, warehouse_id: int):
    """Every SKU's on-hand, reserved and available units in one warehouse."""
    return _warehouse_page(open_portal(store_id), warehouse_id)


@bp.post("/stores/<int:store_id>/inventory/<int:warehouse_id>")
@login_required
def count_stock(store_id: int, warehouse_id: int):
    """Set (a stock count) or adjust the typed SKUs at once: every row applies or none."""
    portal = open_portal(store_id)
    stores.get_warehouse(current_user, store_id, warehouse_id)
    form = StockCountForm()
    if not form.validate_on_submit():
        return _warehouse_page(portal, warehouse_id, form=form, status=422)
    items, rows = [], []
    for index, entry in enumerate(form.rows):
        if (entry.form.quantity.data or "").strip():
            items.append({"sku": entry.form.sku.data, "warehouse_id": warehouse_id,
                          "quantity": _number(entry.form.quantity.data)})
            rows.append(index)
    if not items:
        form.form_errors.append(_("Type a number next to at least one SKU."))
    if form.form_errors:
        return _warehouse_page(portal, warehouse_id, form=form, status=422)
    try:
        lines = inventory.bulk_set_inventory(current_user, store_id, form.mode.data, items,
                                             reason=form.reason.data or None)
    except (ValidationFailed, Conflict) as exc:
        rollback()
        for name, messages in exc.fields.items():
            parts = name.split(".")
            if parts[0] == "items" and len(parts) > 1 and parts[1].isdigit():
                quantity = form.rows[rows[int(parts[1])]].form.quantity
                quantity.errors = [*quantity.errors, *messages]
            elif name == "reason":
                form.reason.errors = [*form.reason.errors, *messages]
            else:
                form.form_errors.extend(messages)
        if not exc.fields:
            form.form_errors.append(exc.message)
        return _warehouse_page(portal, warehouse_id, form=form, status=exc.status)
    commit()
    flash(ngettext("%(num)d SKU was updated; nothing else changed.",
                   "%(num)d SKUs were updated together.", len(lines)), "success")
    return redirect(url_for(".warehouse_stock", store_id=store_id, warehouse_id=warehouse_id,
                            **request.args), code=303)


# One SKU ------------------------------------------------------------------------------------
def _open_choices(store_id: int) -> list[SelectChoice]:
    return select_choices((w.id, w.name) for w in stores.list_warehouses(current_user, store_id))


def _sku_page(portal: Portal, variant_id: int, *, adjust_form: AdjustForm | None = None,
              transfer_form: TransferForm | None = None, status: int = 200):
    variant = inventory.get_store_variant(current_user, portal.store.id, variant_id)
    warehouses = stores.list_warehouses(current_user, portal.store.id, include_inactive=True)
    levels = {level.warehouse_id: level
              for level in inventory.variant_levels([variant.id])[variant.id]}
    choices = select_choices((w.id, w.name) for w in warehouses if w.is_active)
    adjust_form = adjust_form or AdjustForm(formdata=None)
    transfer_form = transfer_form or TransferForm(formdata=None)
    adjust_form.warehouse_id.choices = choices
    transfer_form.from_warehouse_id.choices = choices
    transfer_form.to_warehouse_id.choices = choices
    if transfer_form.to_warehouse_id.data is None and len(choices) > 1:
        transfer_form.to_warehouse_id.data = choices[1].value
    raw = request.args.get("warehouse", "")
    shown = int(raw) if raw.isdigit() else None
    history = inventory.stock_history(current_user, portal.store.id, variant.id,
                                      warehouse_id=shown, after=after_param(), limit=PAGE_SIZE)
    return render_portal("merchant/sku.html", portal, status=status, tab="inventory",
                         variant=variant, warehouses=warehouses, levels=levels,
                         adjust_form=adjust_form, transfer_form=transfer_form,
                         history=history, shown_warehouse=shown,
                         movement_kinds=MOVEMENT_LABELS,
                         movement_reason=inventory.movement_reason)


@bp.get("/stores/<int:store_id>/stock/<int:variant_id>")
@login_required
def sku_stock(store_id: int, variant_id: int):
    """One SKU: stock per warehouse, adjust and transfer forms, and its ledger history."""
    return _sku_page(open_portal(store_id), variant_id)


@bp.post("/stores/<int:store_id>/stock/<int:variant_id>/adjust")
@login_required
def adjust_sku(store_id: int, variant_id: int):
    """Add or remove units in one warehouse; the reason is required."""
    portal = open_portal(store_id)
    variant = inventory.get_store_variant(current_user, store_id, variant_id)
    form = AdjustForm()
    form.warehouse_id.choices = _open_choices(store_id)
    if not form.validate_on_submit():
        return _sku_page(portal, variant_id, adjust_form=form, status=422)
    try:
        level = inventory.adjust_stock(current_user, store_id, variant.id, form.warehouse_id.data,
                                       _number(form.quantity.data), reason=form.reason.data)
    except (ValidationFailed, Conflict) as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _sku_page(portal, variant_id, adjust_form=form, status=exc.status)
    commit()
    flash(_("%(warehouse)s now has %(num)d of %(sku)s on hand.", warehouse=level.warehouse.name,
            num=level.on_hand, sku=variant.sku), "success")
    return redirect(url_for(".sku_stock", store_id=store_id, variant_id=variant.id), code=303)


@bp.post("/stores/<int:store_id>/stock/<int:variant_id>/transfer")
@login_required
def transfer_sku(store_id: int, variant_id: int):
    """Move available units between two warehouses of the store."""
    portal = open_portal(store_id)
    variant = inventory.get_store_variant(current_user, store_id, variant_id)
    form = TransferForm()
    form.from_warehouse_id.choices = form.to_warehouse_id.choices = _open_choices(store_id)
    if not form.validate_on_submit():
        return _sku_page(portal, variant_id, transfer_form=form, status=422)
    try:
        source, target = inventory.transfer_stock(
            current_user, store_id, variant.id, form.from_warehouse_id.data,
            form.to_warehouse_id.data, _number(form.quantity.data), reason=form.reason.data)
    except (ValidationFailed, Conflict) as exc:
        rollback()
        show_errors_on_form(form, exc)
        return _sku_page(portal, variant_id, transfer_form=form, status=exc.status)
    commit()
    flash(_("Moved. %(from)s has %(a)d and %(to)s has %(b)d of %(sku)s on hand.",
            **{"from": source.warehouse.name, "to": target.warehouse.name},
            a=source.on_hand, b=target.on_hand, sku=variant.sku), "success")
    return redirect(url_for(".sku_stock", store_id=store_id, variant_id=variant.id), code=303)


# Low stock ----------------------------------------------------------------------------------
def _low_stock_page(portal: Portal, *, errors: dict[int, list[str]] | None = None,
                    status: int = 200):
    page = inventory.low_stock_variants(current_user, portal.store.id, after=after_param(),
                                        limit=PAGE_SIZE)
    return render_portal("merchant/low_stock.html", portal, status=status, tab="low_stock",
                         page=page, errors=errors or {})


@bp.get("/stores/<int:store_id>/low-stock")
@login_required
def low_stock(store_id: int):
    """SKUs whose available units are at or below their product's threshold."""
    return _low_stock_page(open_portal(store_id))


@bp.post("/stores/<int:store_id>/products/<int:product_id>/threshold")
@login_required
def set_threshold(store_id: int, product_id: int):
    """Change a product's low-stock threshold."""
    portal = open_portal(store_id)
    form = ThresholdForm()
    try:
        product = catalog.update_product(current_user, store_id, product_id,
                                         {"low_stock_threshold": form.low_stock_threshold.data})
    except ValidationFailed as exc:
        rollback()
        messages = [m for ms in exc.fields.values() for m in ms] or [exc.message]
        return _low_stock_page(portal, errors={product_id: messages}, status=exc.status)
    commit()
    flash(_("%(title)s: low stock now means %(num)d or fewer available.", title=product.title,
            num=product.low_stock_threshold), "success")
    return redirect(url_for(".low_stock", store_id=store_id), code=303)
