"""Catalog CSV imports: the row-by-row check and the import itself."""

from __future__ import annotations

from flask import current_app

from app.core.transaction import commit, rollback
from app.extensions import celery
from app.services.catalog import csv_import
from app.services.errors import DomainError


@celery.task(name="qiao.validate_catalog_import")
def validate_catalog_import_job(import_id: int, actor_id: int) -> None:
    """Check an uploaded catalog CSV row by row and store its report."""
    try:
        csv_import.validate_catalog_import(import_id, actor_id)
    except DomainError as exc:
        rollback()
        csv_import.fail_catalog_import(import_id, exc.message)
    except Exception:
        # The upload must not stay "validating" forever: record the failure, keep the trace.
        rollback()
        current_app.logger.exception("catalog import %s: validation failed", import_id)
        csv_import.fail_catalog_import(
            import_id, "The file could not be checked because of an unexpected error.")
    commit()


@celery.task(name="qiao.run_catalog_import")
def run_catalog_import_job(import_id: int, actor_id: int) -> None:
    """Import a checked catalog CSV in one transaction, publishing its progress."""
    progress = csv_import.ImportProgress(import_id)
    try:
        csv_import.run_catalog_import(import_id, actor_id, on_progress=progress)
    except DomainError as exc:
        rollback()
        csv_import.fail_catalog_import(import_id, f"{exc.message} Nothing was changed.")
    except Exception:
        rollback()
        current_app.logger.exception("catalog import %s: import failed", import_id)
        csv_import.fail_catalog_import(
            import_id, "The import stopped because of an unexpected error; nothing was "
                       "changed.")
    commit()
    progress.close()
