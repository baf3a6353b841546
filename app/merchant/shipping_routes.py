"""Shipping profile pages: store staff see the zones; owners and admins change them.

Another store's pages answer 404 (app.services.permissions), whoever asks.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.portal import Portal, open_portal, plain_amount, render_portal
from app.merchant.shipping_forms import DeleteZoneForm, ZoneForm
from app.models import ShippingZone
from app.services.checkout import shipping_rates as shipping
from app.services.errors import ValidationFailed
from app.services.regions import country_names

BLANK_RATE_ROWS = 2
ZONE_FIELDS = ("name", "countries", "free_over", "delivery_days_min", "delivery_days_max")
TRANSIT_FIELDS = ("transit_days_min", "transit_days_max")


@bp.get("/stores/<int:store_id>/shipping")
@login_required
def shipping_profile(store_id: int):
    """The store's shipping zones, in the order they are tried."""
    portal = open_portal(store_id)
    _store, found = shipping.get_shipping_profile(current_user, store_id)
    return render_portal("merchant/shipping/profile.html", portal, tab="shipping",
                         zones=found.zones if found else [], delete_form=DeleteZoneForm(),
                         country_names=country_names(str(get_locale() or "en")))


def _zone_form(portal: Portal, zone: ShippingZone | None) -> ZoneForm:
    """The form for a zone, with its tiers and blank rows for new ones."""
    currency = portal.store.base_currency
    if zone is None:
        data = {"rates": []}
    else:
        data = {"name": zone.name, "countries": ", ".join(zone.countries),
                "free_over": plain_amount(zone.free_over_minor, currency),
                "delivery_days_min": str(zone.delivery_days_min),
                "delivery_days_max": str(zone.delivery_days_max),
                "rates": [{"max_weight_grams": "" if r.max_weight_grams is None
                           else str(r.max_weight_grams),
                           "price": plain_amount(r.price_minor, currency),
                           **{name: "" if getattr(r, name) is None else str(getattr(r, name))
                              for name in TRANSIT_FIELDS}} for r in zone.rates]}
    form = ZoneForm(formdata=None, data=data)
    while len(form.rates) < min(len(data["rates"]) + BLANK_RATE_ROWS, shipping.MAX_RATES):
        form.rates.append_entry()
    return form


def _zone_data(form: ZoneForm) -> dict:
    return {**{name: getattr(form, name).data or "" for name in ZONE_FIELDS},
            "rates": [{"max_weight_grams": (row.max_weight_grams.data or "").strip(),
                       "price": (row.price.data or "").strip(),
                       **{name: (getattr(row, name).data or "").strip()
                          for name in TRANSIT_FIELDS}} for row in form.rates]}


def _show_errors(form: ZoneForm, exc: ValidationFailed) -> None:
    """Service errors onto the inputs: `rates.<n>.<field>` onto that tier's row."""
    for name, messages in exc.fields.items():
        parts = name.split(".")
        if parts[0] == "rates" and len(parts) == 3 and parts[1].isdigit() \
                and int(parts[1]) < len(form.rates):
            getattr(form.rates[int(parts[1])], parts[2]).errors = list(messages)
        elif name in ZONE_FIELDS:
            getattr(form, name).errors = list(messages)
        else:
            form.form_errors.extend(messages)
    if not exc.fields:
        form.form_errors.append(exc.message)


def _zone_page(portal: Portal, form: ZoneForm, zone: ShippingZone | None, status: int = 200):
    return render_portal("merchant/shipping/zone.html", portal, status=status, tab="shipping",
                         form=form, zone=zone)


def _save(portal: Portal, zone: ShippingZone | None):
    form = ZoneForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form expired. Please try again."))
        return _zone_page(portal, form, zone, 400)
    try:
        shipping.save_shipping_zone(current_user, portal.store.id, _zone_data(form),
                                    zone_id=zone.id if zone else None)
    except ValidationFailed as exc:
        rollback()
        _show_errors(form, exc)
        return _zone_page(portal, form, zone, exc.status)
    commit()
    flash(_("The shipping zone was saved."), "success")
    return redirect(url_for(".shipping_profile", store_id=portal.store.id), code=303)


@bp.route("/stores/<int:store_id>/shipping/zones/new", methods=["GET", "POST"])
@login_required
def new_shipping_zone(store_id: int):
    """Add a zone (owners and admins)."""
    portal = open_portal(store_id)
    if ZoneForm().is_submitted():
        return _save(portal, None)  # staff get 403 from the service
    if not portal.can_manage:
        flash(_("Owners and admins change the shipping zones; you can see them."), "error")
        return redirect(url_for(".shipping_profile", store_id=portal.store.id), code=303)
    return _zone_page(portal, _zone_form(portal, None), None)


@bp.route("/stores/<int:store_id>/shipping/zones/<int:zone_id>", methods=["GET", "POST"])
@login_required
def edit_shipping_zone(store_id: int, zone_id: int):
    """Change a zone's countries, estimate, threshold and tiers (owners and admins save)."""
    portal = open_portal(store_id)
    _store, zone = shipping.get_shipping_zone(current_user, store_id, zone_id)
    if ZoneForm().is_submitted():
        return _save(portal, zone)
    return _zone_page(portal, _zone_form(portal, zone), zone)


@bp.post("/stores/<int:store_id>/shipping/zones/<int:zone_id>/delete")
@login_required
def delete_shipping_zone(store_id: int, zone_id: int):
    """Remove a zone (owners and admins)."""
    portal = open_portal(store_id)
    if not DeleteZoneForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for(".shipping_profile", store_id=store_id), code=303)
    shipping.delete_shipping_zone(current_user, portal.store.id, zone_id)
    commit()
    flash(_("The shipping zone was deleted."), "success")
    return redirect(url_for(".shipping_profile", store_id=store_id), code=303)

