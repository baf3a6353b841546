"""Catalog CSV imports: upload, a row-by-row check, then the import with its progress.

`start_catalog_import` stores the upload and queues the check. `validate_catalog_import`
(a job) runs every row through the same path and the same validators as the import,
without writing, so the report names the errors the import would meet (state `ready` or
`invalid`). `begin_catalog_import`
queues the import of every row, or of the valid rows only. `run_catalog_import` (a job)
applies the rows in one transaction: if any row still fails, nothing changes unless only
valid rows were asked for. Rows become products in app.services.catalog.csv_rows and are
applied in app.services.catalog.csv_apply (products through app.services.catalog.products, stock
as ledger rows with the reference ("catalog_import", id)), so an import obeys the
portal's and the API's rules. Rows are upserted by SKU and rows that would change nothing
are left alone: importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.transaction import after_commit
from app.extensions import db
from app.models import CatalogImport, Store, User, utcnow
from app.services.catalog.csv_apply import Counts, ImportReport, ImportRun
from app.services.catalog.csv_format import decode_upload, read_csv
from app.services.catalog.csv_rows import (
    ProductRows,
    check_reserved,
    check_rows,
    existing_variants,
    load_products,
    match_products,
    parse_row,
    stock_levels,
    store_warehouses,
)
from app.services.errors import Conflict, NotFound
from app.services.pagination import Page
from app.services.permissions import not_found_in_organization, require_store_staff

ProgressCallback = Callable[[int], None]
PROGRESS_EVERY = 250  # rows between progress reports (and stock flushes)


# Lifecycle --------------------------------------------------------------------------------
def _import_of_store(store_id: int, import_id: int) -> CatalogImport:
    found = db.session.scalar(select(CatalogImport).where(
        CatalogImport.id == import_id, CatalogImport.store_id == store_id))
    if found is None:
        raise not_found_in_organization()
    return found


def get_catalog_import(actor: User, store_id: int, import_id: int) -> CatalogImport:
    """One of the store's imports, for its staff."""
    store = require_store_staff(actor, store_id)
    return _import_of_store(store.id, import_id)


def list_catalog_imports(actor: User, store_id: int, *, after: Sequence[Any] | None = None,
                         limit: int = 20) -> Page[CatalogImport]:
    """The store's imports, newest first."""
    store = require_store_staff(actor, store_id)
    stmt = (select(CatalogImport).where(CatalogImport.store_id == store.id)
            .order_by(CatalogImport.id.desc()).limit(limit + 1))
    if after:
        stmt = stmt.where(CatalogImport.id < int(after[0]))
    rows = list(db.session.scalars(stmt))
    items = rows[:limit]
    return Page(items=items, next_after=[items[-1].id] if len(rows) > limit and items else None)


def start_catalog_import(actor: User, store_id: int, filename: str,
                         data: bytes) -> CatalogImport:
    """Store an uploaded CSV and queue its check; unreadable files and bad headers raise."""
    store = require_store_staff(actor, store_id)
    text, encoding = decode_upload(data)
    _layout, rows = read_csv(text, store.base_currency)
    name = os.path.basename((filename or "").replace("\\", "/"))[:255] or "catalog.csv"
    upload = CatalogImport(store_id=store.id, created_by_id=actor.id, filename=name,
                           content=text.encode("utf-8"), encoding=encoding,
                           state="validating", total_rows=len(rows), errors=[])
    db.session.add(upload)
    db.session.flush()
    after_commit("qiao.validate_catalog_import", upload.id, actor.id)
    return upload


def valid_row_count(catalog_import: CatalogImport) -> int:
    """Rows of the file without errors."""
    return catalog_import.total_rows - len({e["row"] for e in catalog_import.errors})


def begin_catalog_import(actor: User, store_id: int, import_id: int, *,
                         valid_rows_only: bool = False) -> CatalogImport:
    """Queue the import of a checked file (with errors: only if just its valid rows go)."""
    store = require_store_staff(actor, store_id)
    upload = _import_of_store(store.id, import_id)
    if upload.state == "invalid":
        if not valid_rows_only:
            raise Conflict(_("This file has errors: correct them and upload it again, or "
                             "import only its valid rows."), code="import_has_errors")
        if valid_row_count(upload) == 0:
            raise Conflict(_("No row of this file is valid."), code="no_valid_rows")
    elif upload.state != "ready":
        raise Conflict(_("This file is not waiting to be imported."), code="import_not_ready")
    # Conditional, so a double click or a second tab cannot start the import twice.
    started = db.session.execute(
        update(CatalogImport)
        .where(CatalogImport.id == upload.id, CatalogImport.state == upload.state)
        .values(state="importing", processed_rows=0, updated_at=utcnow(),
                valid_rows_only=upload.state == "invalid"))
    if started.rowcount != 1:
        raise Conflict(_("This import has already started."), code="import_not_ready")
    db.session.refresh(upload)
    after_commit("qiao.run_catalog_import", upload.id, actor.id)
    return upload


def fail_catalog_import(import_id: int, message: str) -> None:
    """Mark an import failed (nothing was imported) with a message for the merchant."""
    upload = db.session.get(CatalogImport, import_id)
    if upload is not None and upload.state in ("validating", "importing"):
        upload.state = "failed"
        upload.errors = [{"row": 0, "column": "", "message": message}]
        upload.processed_rows = 0
        upload.finished_at = utcnow()
        db.session.flush()


# Progress ---------------------------------------------------------------------------------
_live_progress: dict[int, int] = {}
_live_lock = threading.Lock()


class ImportProgress:
    """Publishes an import's processed rows while its own transaction is still open.

    On PostgreSQL a short transaction on a connection of its own writes processed_rows,
    so every app server sees it. SQLite has one writer at a time, and the import is it,
    so there the number stays in this process: the embedded default runs the import
    in-process and serves the status page from the same process, which reads it with
    `processed_rows`.
    """

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.shared = db.engine.dialect.name != "sqlite"

    def __call__(self, processed: int) -> None:
        """Publish that `processed` rows are done."""
        if self.shared:
            with db.engine.begin() as connection:
                connection.execute(update(CatalogImport.__table__)
                                   .where(CatalogImport.__table__.c.id == self.import_id)
                                   .values(processed_rows=processed))
        else:
            with _live_lock:
                _live_progress[self.import_id] = processed

    def close(self) -> None:
        """Forget the in-process number once the import row holds the result."""
        with _live_lock:
            _live_progress.pop(self.import_id, None)


def processed_rows(catalog_import: CatalogImport) -> int:
    """Rows done so far: the stored number, or a running import's in-process one."""
    if catalog_import.state == "importing":
        with _live_lock:
            live = _live_progress.get(catalog_import.id, 0)
        return min(max(catalog_import.processed_rows, live), catalog_import.total_rows)
    return catalog_import.processed_rows


# The jobs ---------------------------------------------------------------------------------
def validate_catalog_import(import_id: int, actor_id: int) -> CatalogImport | None:
    """Check every row the way the import will, without writing anything but the report."""
    upload = db.session.get(CatalogImport, import_id)
    if upload is None or upload.state != "validating":
        return None
    report = ImportReport()
    _process(upload, _actor(actor_id, upload), report, dry_run=True)
    upload.errors = report.sorted_entries()
    upload.state = "invalid" if report.entries else "ready"
    db.session.flush()
    return upload


def run_catalog_import(import_id: int, actor_id: int, *,
                       on_progress: ProgressCallback | None = None) -> CatalogImport | None:
    """Apply the rows (all or nothing, or the valid ones only) and record the counts.

    The import row itself is written only at the end, after the last progress report:
    progress goes through another connection, which must never wait for this one.
    """
    upload = db.session.get(CatalogImport, import_id)
    if upload is None or upload.state != "importing":
        return None
    report = ImportReport()
    savepoint = db.session.begin_nested()
    try:
        counts = _process(upload, _actor(actor_id, upload), report, dry_run=False,
                          valid_only=upload.valid_rows_only, on_progress=on_progress)
    except BaseException:
        savepoint.rollback()
        raise
    failed = bool(report.entries) and not upload.valid_rows_only
    if failed:
        savepoint.rollback()
        counts = Counts()
    else:
        savepoint.commit()
    upload = db.session.get(CatalogImport, import_id)
    assert upload is not None
    upload.state = "failed" if failed else "done"
    upload.errors = report.sorted_entries()
    upload.created_count, upload.updated_count = counts.created, counts.updated
    upload.unchanged_count = counts.unchanged
    upload.processed_rows = 0 if failed else upload.total_rows
    upload.finished_at = utcnow()
    if not failed:
        upload.content = b""  # imported: the file is no longer needed
    db.session.flush()
    return upload


def _actor(actor_id: int, upload: CatalogImport) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound(_("The person who started this import no longer exists."))
    require_store_staff(actor, upload.store_id)
    return actor


# Processing -------------------------------------------------------------------------------
def _process(upload: CatalogImport, actor: User, report: ImportReport, *, dry_run: bool,
             valid_only: bool = False, on_progress: ProgressCallback | None = None) -> Counts:
    """Read, check and apply (or, for `dry_run`, only check) every row of the upload."""
    store = db.session.get(Store, upload.store_id)
    assert store is not None
    layout, csv_rows = read_csv(upload.content.decode("utf-8"), store.base_currency)
    warehouses = store_warehouses(store.id)
    rows = [parse_row(r, layout, store, warehouses) for r in csv_rows]
    groups = [ProductRows(handle, members) for handle, members in check_rows(rows).items()]
    existing = existing_variants(store.id, [r.sku for r in rows if r.sku])
    products = load_products({product_id for _v, product_id in existing.values()})
    levels = stock_levels([variant_id for variant_id, _p in existing.values()])
    match_products(groups, existing, products)
    check_reserved(rows, existing, levels)
    for row in rows:
        for column, message in row.problems:
            report.add(row.number, column, message)

    run = ImportRun(actor=actor, store=store, layout=layout, report=report, levels=levels,
                    reference=("catalog_import", str(upload.id)), dry_run=dry_run,
                    reason=f"CSV import {upload.filename}",
                    variant_ids={sku: v for sku, (v, _p) in existing.items()})
    done, next_report = 0, PROGRESS_EVERY
    for group in groups:
        run.apply_group(group)
        done += len(group.rows)
        if done >= next_report:
            run.flush(valid_only)
            if on_progress is not None:
                on_progress(done)
            next_report = done + PROGRESS_EVERY
    run.flush(valid_only)
    if on_progress is not None:
        on_progress(len(rows))
    return run.counts()
