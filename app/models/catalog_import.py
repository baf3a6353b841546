"""CSV catalog imports: the uploaded file, its row-by-row report and its progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime

IMPORT_STATES = ("validating", "invalid", "ready", "importing", "done", "failed")


class CatalogImport(TimestampMixin, db.Model):
    """One uploaded CSV of products, variants and stock for a store.

    The file is validated first; a file with errors changes nothing unless the
    merchant asks to import only its valid rows (`valid_rows_only`).
    """

    __tablename__ = "catalog_imports"
    __table_args__ = (
        CheckConstraint(f"state IN {IMPORT_STATES}", name="state"),
        CheckConstraint("processed_rows >= 0 AND processed_rows <= total_rows",
                        name="processed_rows"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    # The upload decoded to UTF-8 (whatever its original encoding), kept until imported.
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    encoding: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(12), default="validating", nullable=False)
    valid_rows_only: Mapped[bool] = mapped_column(default=False, nullable=False)
    total_rows: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    created_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    unchanged_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # [{"row": 7, "column": "price", "message": "..."}], row numbers as in the file.
    errors: Mapped[list[dict]] = mapped_column(JSON, default=list, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    store = relationship("Store")
