"""Portal store pages: settings and logo, warehouses (owners and admins change them)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.forms import LogoForm, StoreSettingsForm, WarehouseForm
from app.merchant.portal import Portal, open_portal, render_portal
from app.models import Warehouse
from app.services.catalog import stores
from app.services.errors import Conflict, ValidationFailed
from app.services.images import MediaUnavailable
from app.web.forms import reject_form

SETTINGS_FIELDS = ("name", "slug", "description", "base_currency", "origin_country",
                   "sells_to", "return_policy", "return_window_days")
WAREHOUSE_FIELDS = ("name", "address_line1", "address_line2", "city", "region",
                    "postal_code", "country")


# Settings -----------------------------------------------------------------------------------
def _settings_page(portal: Portal, *, form: StoreSettingsForm | None = None,
                   logo_form: LogoForm | None = None, status: int = 200):
    store = portal.store
    if form is None:
        form = StoreSettingsForm(formdata=None, data={
            **{name: getattr(store, name) for name in SETTINGS_FIELDS},
            "sells_to": ", ".join(store.sells_to or [])})
    return render_portal("merchant/settings.html", portal, status=status, tab="settings",
                         form=form, logo_form=logo_form or LogoForm(formdata=None))


@bp.get("/stores/<int:store_id>/settings")
@login_required
def settings(store_id: int):
    """The store's name, address, description, currency, countries and return policy."""
    return _settings_page(open_portal(store_id))


@bp.post("/stores/<int:store_id>/settings")
@login_required
def save_settings(store_id: int):
    """Save the store settings; every field is checked before anything changes."""
    portal = open_portal(store_id)
    form = StoreSettingsForm()
    try:
        stores.update_store_settings(current_user, store_id,
                                     {name: getattr(form, name).data or ""
                                      for name in SETTINGS_FIELDS})
    except (ValidationFailed, Conflict) as exc:
        reject_form(form, exc)
        return _settings_page(portal, form=form, status=exc.status)
    commit()
    flash(_("The store settings were saved."), "success")
    return redirect(url_for(".settings", store_id=portal.store.id), code=303)


@bp.post("/stores/<int:store_id>/logo")
@login_required
def upload_logo(store_id: int):
    """Replace the store logo (JPEG, PNG or WebP up to 5 MB)."""
    portal = open_portal(store_id)
    form = LogoForm()
    upload = form.logo.data
    if not upload or not upload.filename:
        form.logo.errors = [_("Choose an image file.")]
        return _settings_page(portal, logo_form=form, status=422)
    try:
        stores.set_store_logo(current_user, store_id, upload.read())
    except (ValidationFailed, MediaUnavailable) as exc:
        rollback()
        form.logo.errors = [m for ms in exc.fields.values() for m in ms] or [exc.message]
        return _settings_page(portal, logo_form=form, status=exc.status)
    commit()
    flash(_("The logo was updated."), "success")
    return redirect(url_for(".settings", store_id=store_id), code=303)


# Warehouses ---------------------------------------------------------------------------------
def _warehouse_data(form: WarehouseForm) -> dict[str, str]:
    return {name: getattr(form, name).data or "" for name in WAREHOUSE_FIELDS}


def _warehouses_page(portal: Portal, *, form: WarehouseForm | None = None,
                     errors: list[str] | None = None, status: int = 200):
    warehouses = stores.list_warehouses(current_user, portal.store.id, include_inactive=True)
    form = form or WarehouseForm(formdata=None, data={"country": portal.store.origin_country})
    return render_portal("merchant/warehouses.html", portal, status=status, tab="warehouses",
                         warehouses=warehouses, form=form, errors=errors or [])


@bp.get("/stores/<int:store_id>/warehouses")
@login_required
def warehouses(store_id: int):
    """The store's warehouses, and a form to add one."""
    return _warehouses_page(open_portal(store_id))


@bp.post("/stores/<int:store_id>/warehouses")
@login_required
def create_warehouse(store_id: int):
    """Add a warehouse."""
    portal = open_portal(store_id)
    form = WarehouseForm()
    try:
        warehouse = stores.create_warehouse(current_user, store_id, _warehouse_data(form))
    except (ValidationFailed, Conflict) as exc:
        reject_form(form, exc)
        return _warehouses_page(portal, form=form, status=exc.status)
    commit()
    flash(_("%(name)s was added.", name=warehouse.name), "success")
    return redirect(url_for(".warehouses", store_id=store_id), code=303)


def _edit_page(portal: Portal, warehouse: Warehouse, form: WarehouseForm, status: int = 200):
    return render_portal("merchant/warehouse_edit.html", portal, status=status,
                         tab="warehouses", warehouse=warehouse, form=form)


@bp.route("/stores/<int:store_id>/warehouses/<int:warehouse_id>", methods=["GET", "POST"])
@login_required
def edit_warehouse(store_id: int, warehouse_id: int):
    """Change a warehouse's name or address."""
    portal = open_portal(store_id)
    warehouse = stores.get_warehouse(current_user, store_id, warehouse_id)
    if request.method != "POST":
        return _edit_page(portal, warehouse, WarehouseForm(formdata=None, obj=warehouse))
    form = WarehouseForm()
    try:
        stores.update_warehouse(current_user, store_id, warehouse_id, _warehouse_data(form))
    except (ValidationFailed, Conflict) as exc:
        reject_form(form, exc)
        warehouse = stores.get_warehouse(current_user, store_id, warehouse_id)
        return _edit_page(portal, warehouse, form, status=exc.status)
    commit()
    flash(_("%(name)s was saved.", name=warehouse.name), "success")
    return redirect(url_for(".warehouses", store_id=store_id), code=303)


@bp.post("/stores/<int:store_id>/warehouses/<int:warehouse_id>/open")
@login_required
def reopen_warehouse(store_id: int, warehouse_id: int):
    """Reopen a closed warehouse."""
    open_portal(store_id)
    stores.get_warehouse(current_user, store_id, warehouse_id)  # another store's: 404
    warehouse = stores.set_warehouse_active(current_user, store_id, warehouse_id, True)
    commit()
    flash(_("%(name)s is open again.", name=warehouse.name), "success")
    return redirect(url_for(".warehouses", store_id=store_id), code=303)


@bp.post("/stores/<int:store_id>/warehouses/<int:warehouse_id>/close")
@login_required
def close_warehouse(store_id: int, warehouse_id: int):
    """Close a warehouse that holds no stock (its history stays)."""
    portal = open_portal(store_id)
    stores.get_warehouse(current_user, store_id, warehouse_id)  # another store's: 404
    try:
        warehouse = stores.set_warehouse_active(current_user, store_id, warehouse_id, False)
    except Conflict as exc:
        rollback()
        return _warehouses_page(portal, errors=[exc.message], status=exc.status)
    commit()
    flash(_("%(name)s is closed.", name=warehouse.name), "success")
    return redirect(url_for(".warehouses", store_id=store_id), code=303)
