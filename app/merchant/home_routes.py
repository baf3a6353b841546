"""Portal entry: pick a store, then the store's home with its counters."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from app.merchant import bp
from app.merchant.portal import open_portal, render_portal
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.catalog import stores
from app.services.orgs.organizations import organizations_of


@bp.get("/")
@login_required
def index():
    """The stores the user works for; with exactly one, its portal straight away."""
    store_list = [m.organization.store for m in organizations_of(current_user)
                  if m.organization.kind == "merchant" and m.organization.store is not None]
    if len(store_list) == 1:
        return redirect(url_for(".home", store_id=store_list[0].id))
    return render_template("merchant/stores.html", stores=store_list)


@bp.get("/stores/<int:store_id>/")
@login_required
def home(store_id: int):
    """A store's portal home: product and low-stock counters, and where to go next."""
    portal = open_portal(store_id)
    return render_portal(
        "merchant/home.html", portal, tab="home",
        counts=catalog.count_products_by_status(current_user, store_id),
        low_stock=inventory.count_low_stock_variants(current_user, store_id),
        warehouses=stores.list_warehouses(current_user, store_id))
