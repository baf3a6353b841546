"""Portal product pages: the product list with bulk status changes, and the editor."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.forms import (
    STATUS_CHOICES,
    BulkActionForm,
    ProductFilterForm,
    ProductForm,
)
from app.merchant.portal import PAGE_SIZE, Portal, after_param, open_portal, render_portal
from app.merchant.product_form import (
    EditorErrors,
    build_payload,
    build_rows,
    form_options,
    form_rows,
    load_rows,
    matrix_is_stale,
    new_product_data,
    place_product_errors,
    product_form_data,
    row_options,
)
from app.models import PRODUCT_STATUSES, Product, ProductImage
from app.services.catalog import products as catalog
from app.services.catalog import reads as catalog_reads
from app.services.errors import Conflict, ValidationFailed
from app.services.fields import CATEGORIES
from app.services.images import MediaUnavailable, discard_stored
from app.services.inventory import variant_levels

STATUS_LABELS = dict(STATUS_CHOICES)


def _stock_by_variant(variant_ids: list[int]) -> dict[int, int]:
    """Available units per variant over the store's open warehouses (one query)."""
    return {variant_id: sum(level.available for level in levels if level.warehouse.is_active)
            for variant_id, levels in variant_levels(variant_ids).items()}


def _product_list(portal: Portal, *, bulk_form: BulkActionForm | None = None,
                  bulk_errors: dict[int, list[str]] | None = None, status: int = 200):
    filters = ProductFilterForm(request.args)
    chosen_status = filters.status.data if filters.status.data in PRODUCT_STATUSES else None
    category = filters.category.data if filters.category.data in CATEGORIES else None
    page = catalog_reads.list_products(
        current_user, portal.store.id, status=chosen_status, text=filters.q.data,
        category=category, low_stock=bool(filters.low_stock.data), after=after_param(),
        limit=PAGE_SIZE)
    stock = _stock_by_variant([v.id for p in page.items for v in p.variants])
    totals = {p.id: sum(stock[v.id] for v in p.variants if v.is_active) for p in page.items}
    low = {p.id for p in page.items
           if any(v.is_active and stock[v.id] <= p.low_stock_threshold for v in p.variants)}
    filter_args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_portal(
        "merchant/products.html", portal, status=status, tab="products", page=page,
        filters=filters, filter_args=filter_args, bulk_form=bulk_form or BulkActionForm(
            formdata=None), bulk_errors=bulk_errors or {}, totals=totals, low=low,
        titles={p.id: p.title for p in page.items},
        status_labels=STATUS_LABELS,
        categories={c.value: c.label for c in filters.category.choices})


@bp.get("/stores/<int:store_id>/products")
@login_required
def products(store_id: int):
    """The store's products: search, filters, pages, and boxes to tick for bulk actions."""
    return _product_list(open_portal(store_id))


@bp.post("/stores/<int:store_id>/products/bulk")
@login_required
def bulk_status(store_id: int):
    """Activate, unpublish or archive the ticked products: all of them or none."""
    portal = open_portal(store_id)
    form = BulkActionForm()
    if not form.validate_on_submit():
        return _product_list(portal, bulk_form=form, status=422)
    try:
        changed = catalog.bulk_change_status(current_user, store_id, form.product_ids.data,
                                             form.action.data)
    except ValidationFailed as exc:
        rollback()
        errors: dict[int, list[str]] = {}
        for name, messages in exc.fields.items():
            key = name.rpartition(".")[2]
            errors.setdefault(int(key) if key.isdigit() else 0, []).extend(messages)
        return _product_list(portal, bulk_form=form, bulk_errors=errors, status=exc.status)
    commit()
    flash(ngettext("%(num)d product is now %(status)s.", "%(num)d products are now %(status)s.",
                   len(changed), status=str(STATUS_LABELS[form.action.data]).lower()),
          "success")
    return redirect(url_for(".products", store_id=store_id, **request.args), code=303)


# The editor ---------------------------------------------------------------------------------
def _render_editor(portal: Portal, form: ProductForm, product: Product | None, *,
                   errors: EditorErrors | None = None, notice: str | None = None,
                   status: int = 200):
    variants = product.variants if product is not None else []
    return render_portal(
        "merchant/product_edit.html", portal, status=status, tab="products", form=form,
        product=product, errors=errors or EditorErrors(), notice=notice,
        stock=_stock_by_variant([v.id for v in variants]),
        row_options=[row_options(entry.form.options.data) for entry in form.variants])


def _uploads() -> list[tuple[str, bytes]]:
    return [(f.filename or "", f.read()) for f in request.files.getlist("images")
            if f and f.filename]


def _save(portal: Portal, product: Product | None):
    """Handle a submitted editor: rebuild the matrix, or save everything or nothing."""
    form = ProductForm()
    saved_variants = product.variants if product is not None else []
    options, rows = form_options(form), form_rows(form)
    stale = matrix_is_stale(options, rows)
    if form.update_matrix.data or stale:
        load_rows(form, build_rows(options, rows, saved_variants))
        notice = _("The variant rows now follow the options. Check them, then save.") \
            if stale and not form.update_matrix.data else None
        return _render_editor(portal, form, product, notice=notice)
    payload = build_payload(form)
    added: list[ProductImage] = []
    try:
        if product is None:
            target = catalog.create_product(current_user, portal.store.id, payload.data)
        else:
            target = catalog.update_product(current_user, portal.store.id, product.id,
                                            payload.data)
        if payload.problems:
            raise ValidationFailed(_("Please correct the highlighted fields."))
        for filename, data in _uploads():
            try:
                added.append(catalog.add_product_image(current_user, portal.store.id,
                                                       target.id, data))
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, code=exc.code, fields={"image": [
                    f"{filename}: {m}" for ms in exc.fields.values() for m in ms]}) from None
    except (ValidationFailed, Conflict, MediaUnavailable) as exc:
        stored = [key for image in added for key in image.keys.values()]
        rollback()
        discard_stored(stored)  # images of this request whose rows were just rolled back
        errors = place_product_errors(form, payload, exc)
        return _render_editor(portal, form, product, errors=errors, status=exc.status)
    commit()
    flash(_("%(title)s was saved.", title=target.title), "success")
    return redirect(url_for(".edit_product", store_id=portal.store.id, product_id=target.id),
                    code=303)


@bp.route("/stores/<int:store_id>/products/new", methods=["GET", "POST"])
@login_required
def new_product(store_id: int):
    """Add a product: details, options and their variant matrix, images."""
    portal = open_portal(store_id)
    if request.method == "POST":
        return _save(portal, None)
    form = ProductForm(formdata=None, data=new_product_data(portal.store))
    load_rows(form, build_rows([], [], []))
    return _render_editor(portal, form, None)


@bp.route("/stores/<int:store_id>/products/<int:product_id>", methods=["GET", "POST"])
@login_required
def edit_product(store_id: int, product_id: int):
    """Change a product; editing the options adds or removes matrix rows, keeping data."""
    portal = open_portal(store_id)
    product = catalog.get_product(current_user, store_id, product_id)
    if request.method == "POST":
        return _save(portal, product)
    form = ProductForm(formdata=None, data=product_form_data(product))
    options = [(o.name, [v.value for v in o.values]) for o in product.options]
    load_rows(form, build_rows(options, [], product.variants))
    return _render_editor(portal, form, product)
