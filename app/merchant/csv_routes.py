"""Catalog CSV pages: upload and check a file, its report, the import's progress, export."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, jsonify, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.merchant import bp
from app.merchant.csv_forms import ExportForm, StartImportForm, UploadForm
from app.merchant.portal import Portal, after_param, open_portal, render_portal
from app.models import CatalogImport
from app.services.catalog import csv_import as catalog_csv_import
from app.services.catalog.csv_format import error_report_csv, export_catalog_csv
from app.services.errors import Conflict, ValidationFailed

REPORT_PAGE = 100
STATE_LABELS = {
    "validating": _l("Checking the file"), "invalid": _l("Has errors"),
    "ready": _l("Ready to import"), "importing": _l("Importing"), "done": _l("Imported"),
    "failed": _l("Failed"),
}


def _index(portal: Portal, *, form: UploadForm | None = None, status: int = 200):
    imports = catalog_csv_import.list_catalog_imports(current_user, portal.store.id,
                                                      after=after_param())
    return render_portal("merchant/csv/index.html", portal, status=status, tab="csv",
                         form=form or UploadForm(), export_form=ExportForm(formdata=None),
                         imports=imports, state_labels=STATE_LABELS)


@bp.get("/stores/<int:store_id>/csv/")
@login_required
def csv_index(store_id: int):
    """Upload a CSV, export the catalog, and the store's recent imports."""
    return _index(open_portal(store_id))


@bp.post("/stores/<int:store_id>/csv/imports")
@login_required
def csv_upload(store_id: int):
    """Store the file and check it row by row (in the background when there is a worker)."""
    portal = open_portal(store_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _index(portal, form=form, status=422)
    try:
        created = catalog_csv_import.start_catalog_import(
            current_user, store_id, form.file.data.filename or "", form.file.data.read())
    except ValidationFailed as exc:
        rollback()
        form.file.errors = [*exc.fields.get("file", [exc.message])]
        return _index(portal, form=form, status=422)
    commit()
    return redirect(url_for(".csv_import", store_id=store_id, import_id=created.id), code=303)


def _status(upload: CatalogImport) -> dict:
    return {
        "state": upload.state, "state_label": str(STATE_LABELS[upload.state]),
        "total_rows": upload.total_rows,
        "processed_rows": catalog_csv_import.processed_rows(upload),
        "error_count": len(upload.errors),
        "valid_rows": catalog_csv_import.valid_row_count(upload),
        "created": upload.created_count, "updated": upload.updated_count,
        "unchanged": upload.unchanged_count,
        "finished": upload.state in ("invalid", "ready", "done", "failed"),
    }


@bp.get("/stores/<int:store_id>/csv/imports/<int:import_id>")
@login_required
def csv_import(store_id: int, import_id: int):
    """An import's state: its report, the buttons to import, its progress, its counts."""
    portal = open_portal(store_id)
    upload = catalog_csv_import.get_catalog_import(current_user, store_id, import_id)
    raw = request.args.get("page", "")
    page = max(int(raw), 1) if raw.isdigit() else 1
    entries = upload.errors[(page - 1) * REPORT_PAGE:page * REPORT_PAGE]
    return render_portal("merchant/csv/import.html", portal, tab="csv", upload=upload,
                         progress=_status(upload), entries=entries, page=page,
                         has_next=len(upload.errors) > page * REPORT_PAGE,
                         start_form=StartImportForm(formdata=None),
                         state_labels=STATE_LABELS)


@bp.get("/stores/<int:store_id>/csv/imports/<int:import_id>/status")
@login_required
def csv_import_status(store_id: int, import_id: int):
    """The import's state and progress as JSON, for the page's progress bar."""
    open_portal(store_id)
    upload = catalog_csv_import.get_catalog_import(current_user, store_id, import_id)
    response = jsonify(_status(upload))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/stores/<int:store_id>/csv/imports/<int:import_id>/report.csv")
@login_required
def csv_import_report(store_id: int, import_id: int):
    """The import's report (row, column, message) as a CSV download."""
    open_portal(store_id)
    upload = catalog_csv_import.get_catalog_import(current_user, store_id, import_id)
    return Response(error_report_csv(upload), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{upload.id}-report.csv"'})


@bp.post("/stores/<int:store_id>/csv/imports/<int:import_id>/start")
@login_required
def csv_start_import(store_id: int, import_id: int):
    """Import the checked file: all of it, or only its valid rows."""
    open_portal(store_id)
    target = url_for(".csv_import", store_id=store_id, import_id=import_id)
    form = StartImportForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(target, code=303)
    try:
        catalog_csv_import.begin_catalog_import(
            current_user, store_id, import_id, valid_rows_only=form.valid_rows_only.data == "1")
    except Conflict as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(target, code=303)
    # Without a worker the import runs right here, after this commit; the page's script
    # shows its progress meanwhile.
    commit()
    return redirect(target, code=303)


@bp.get("/stores/<int:store_id>/csv/export.csv")
@login_required
def csv_export(store_id: int):
    """Every product, variant, fixed price and stock level of the store, as a CSV."""
    portal = open_portal(store_id)
    form = ExportForm(request.args)
    encoding = form.encoding.data if form.validate() else "utf-8"
    chunks = export_catalog_csv(current_user, store_id, encoding=encoding)
    filename = f"{portal.store.slug}-catalog-{date.today().isoformat()}.csv"
    charset = "utf-8" if encoding == "utf-8" else "gb18030"
    return Response(stream_with_context(chunks), mimetype=f"text/csv; charset={charset}",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
