"""Applying checked catalog CSV rows: products through the catalog service, stock in batches.

Each product_handle becomes the payload create_product/update_product take, checked by
the catalog's validators (a refusal names the row and column) and applied with the
catalog's own helpers, a batch of products per flush; the check before an import runs
the same validation without writing. Rows that would change nothing are left alone,
which keeps re-imports fast and their counts honest. Stock is set in batches of
compare-and-swap UPDATEs plus their ledger rows (inventory.set_stock_levels); a batch that meets
a concurrent change falls back to inventory.bulk_set_inventory, which re-reads, retries
and names each item it refuses. (Measured: the catalog service and bulk_set_inventory
one product or item at a time took over a minute for 10,000 rows; batched, ~20 s.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import SessionTransaction

from app.extensions import db
from app.models import Product, ProductVariant, Store, User
from app.money import Money
from app.services import inventory
from app.services.catalog import products as catalog
from app.services.catalog.csv_format import CsvLayout
from app.services.catalog.csv_rows import FIELD_COLUMNS, ParsedRow, ProductRows
from app.services.catalog.variants import (
    VariantSpec,
    apply_options,
    apply_variant,
    clean_product_fields,
    clean_variants,
    match_existing,
    resolve_options,
)
from app.services.errors import DomainError
from app.services.fields import FieldErrors, clean_options

STOCK_BATCH = 1000  # bulk_set_inventory's limit per call
GROUP_ATTEMPTS = 3  # a product is retried without the rows the catalog refused


@dataclass
class ImportReport:
    """The rows that failed and why, in the CatalogImport.errors shape."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def add(self, row: int, column: str, message: str) -> None:
        """Record that `row` cannot be imported because of `column`."""
        self.entries.append({"row": row, "column": column, "message": message})
        self.bad_rows.add(row)

    def sorted_entries(self) -> list[dict[str, Any]]:
        """The entries in file order."""
        return sorted(self.entries, key=lambda e: e["row"])


@dataclass
class Counts:
    """What an import did, per row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _amount(minor: int, currency: str) -> str:
    return str(Money(minor, currency).amount)


def _payload(group: ProductRows, rows: list[ParsedRow], layout: CsvLayout
             ) -> tuple[dict[str, Any], list[ParsedRow | None]]:
    """create_product/update_product input for the rows, and the row behind each variant."""
    data = dict(rows[0].product_data)
    by_sku = {row.sku: row for row in rows}
    items: list[dict[str, Any]] = []
    owners: list[ParsedRow | None] = []
    product = group.product
    for variant in product.variants if product is not None else []:
        row = by_sku.pop(variant.sku, None)
        if row is None:  # not in the file: left as it is
            items.append({"id": variant.id, "sku": variant.sku,
                          "options": dict(variant.options), "is_active": variant.is_active})
        else:
            item = dict(row.item, id=variant.id)
            item.setdefault("is_active", variant.is_active)
            item.setdefault("options", dict(variant.options))
            if "fixed_prices" in item:  # currencies without a column keep their prices
                item["fixed_prices"] = [*item["fixed_prices"], *(
                    {"amount": _amount(p.price_minor, p.currency), "currency": p.currency}
                    for p in variant.fixed_prices
                    if p.currency not in layout.price_currencies)]
            items.append(item)
        owners.append(row)
    for row in by_sku.values():
        items.append(row.item)
        owners.append(row)
    data["variants"] = items
    if product is not None:
        names = [o.name for o in product.options]
        active = [item for item in items if item.get("is_active", True) not in (False, "false")]
        if active and all(set(item.get("options", {})) == set(names) for item in active):
            # Same options as now: keep their order and values, append new values.
            options = {o.name: [v.value for v in o.values] for o in product.options}
            for item in active:
                for name, value in item.get("options", {}).items():
                    if value not in options[name]:
                        options[name].append(value)
            data["options"] = [{"name": n, "values": v} for n, v in options.items()]
    return data, owners


def _product_level_changed(product: Product, data: dict[str, Any],
                           values: dict[str, Any]) -> bool:
    """Whether the product's own fields, options or variant order would change."""
    if any(getattr(product, name) != value for name, value in values.items()):
        return True
    if "options" in data and [(o.name, [v.value for v in o.values]) for o in product.options] \
            != [(o["name"], o["values"]) for o in data["options"]]:
        return True
    return any(variant.position != i for i, variant in enumerate(product.variants))


def _variant_changed(variant: ProductVariant, row: ParsedRow) -> bool:
    """Whether the row would change its existing variant."""
    spec = row.spec
    assert spec is not None
    if "options" in row.item and variant.options != spec.options:
        return True
    if "is_active" in row.item and variant.is_active != spec.is_active:
        return True
    if spec.price is not None and (variant.price_minor, variant.currency) != \
            (spec.price.minor, spec.price.currency):
        return True
    if spec.compare_at_given and variant.compare_at_minor != \
            (spec.compare_at.minor if spec.compare_at else None):
        return True
    if (spec.barcode_given and variant.barcode != spec.barcode) or \
            (spec.weight_given and variant.weight_grams != spec.weight_grams):
        return True
    if spec.fixed_prices is not None:
        managed = {column.removeprefix("price_") for column in row.fixed_columns}
        wanted = {m.currency: m.minor for m in spec.fixed_prices}
        current = {p.currency: p.price_minor for p in variant.fixed_prices
                   if p.currency in managed or p.currency in wanted}
        return wanted != current
    return False


@dataclass
class _Pending:
    """A product changed in memory, waiting for the next batched flush."""

    group: ProductRows
    rows: list[ParsedRow]
    outcome: dict[int, str]
    original: Product | None  # None: a new product


@dataclass
class ImportRun:
    """One pass over the products of a file: check or save each, then set the stock.

    Products are validated one by one (`_check_product`, the catalog's validators) and
    built or changed in memory with the catalog's own apply helpers, then flushed a batch
    at a time, so thousands of products cost a few statements each rather than dozens.
    When a batch's flush fails (a SKU taken by a concurrent change) it is rolled back and
    redone through catalog.create_product/update_product, which name the culprit.
    """

    actor: User
    store: Store
    layout: CsvLayout
    report: ImportReport
    levels: dict[tuple[int, int], tuple[int, int]]
    reference: tuple[str, str]
    reason: str
    dry_run: bool  # the check: payloads are validated, nothing is written
    outcome: dict[int, str] = field(default_factory=dict)  # row number -> Counts field
    pending: list[_Pending] = field(default_factory=list)
    savepoint: SessionTransaction | None = None
    lost_race: bool = False  # a unique constraint failed: redo the batch product by product
    # (row, warehouse id, target on hand) waiting for `flush_stock`
    stock_queue: list[tuple[ParsedRow, int, int]] = field(default_factory=list)
    variant_ids: dict[str, int] = field(default_factory=dict)

    def apply_group(self, group: ProductRows) -> None:
        """Check the group's valid rows and stage its product, retrying without refused rows."""
        rows = [r for r in group.rows if r.number not in self.report.bad_rows]
        for _attempt in range(GROUP_ATTEMPTS):
            if not rows:
                return
            refused = self._stage(group, rows)
            if not refused:
                return
            rows = [r for r in rows if r.number not in refused]
        for row in rows:
            self.report.add(row.number, "", _("The catalog refused this product."))

    def _stage(self, group: ProductRows, rows: list[ParsedRow]) -> set[int]:
        """Validate and apply in memory; the numbers of the rows the catalog refused."""
        data, owners = _payload(group, rows, self.layout)
        product = group.product
        current = {v.sku: v for v in product.variants} if product is not None else {}
        level_change = product is not None and \
            _product_level_changed(product, data, rows[0].product_values)
        outcome = {row.number: "created" if row.sku not in current else
                   "updated" if level_change or _variant_changed(current[row.sku], row)
                   else "unchanged" for row in rows}
        if any(value != "unchanged" for value in outcome.values()):
            try:
                values, options, specs = _check_product(product, data, self.store)
            except DomainError as exc:
                return self._refuse(exc, owners, rows)
            if not self.dry_run and not self.lost_race:
                self._apply(group, values, options, specs)
        self.pending.append(_Pending(group, rows, outcome, product))
        return set()

    def _apply(self, group: ProductRows, values: dict[str, Any],
               options: list[tuple[str, list[str]]], specs: list[VariantSpec]) -> None:
        # The batch's savepoint opens before its first change, so a failed flush (even an
        # autoflush while applying) can be undone for the whole batch.
        if self.savepoint is None:
            self.savepoint = db.session.begin_nested()
        try:
            group.product = _apply_product(self.store, group.product, values, options, specs)
        except IntegrityError:
            self.savepoint.rollback()
            self.lost_race = True

    def _refuse(self, exc: DomainError, owners: list[ParsedRow | None],
                rows: list[ParsedRow]) -> set[int]:
        refused: set[int] = set()
        for path, messages in (exc.fields or {"": [exc.message]}).items():
            parts = path.split(".")
            owner = owners[int(parts[1])] if parts[0] == "variants" and len(parts) > 1 \
                and parts[1].isdigit() and int(parts[1]) < len(owners) else None
            if owner is not None:
                for message in messages:
                    self.report.add(owner.number, owner.column_for(parts[2:]), message)
                refused.add(owner.number)
                continue
            column = FIELD_COLUMNS.get(parts[0], parts[0])
            for row in rows:  # about the whole product: none of its rows can go
                for message in messages:
                    self.report.add(row.number, column, message)
                refused.add(row.number)
        return refused

    def flush(self, valid_only: bool) -> None:
        """Write the staged products, then the stock their rows give."""
        pending, self.pending = self.pending, []
        savepoint, self.savepoint = self.savepoint, None
        if savepoint is not None and not self.lost_race:
            try:
                db.session.add_all([p.group.product for p in pending
                                    if p.original is None and p.group.product is not None])
                db.session.flush()
                savepoint.commit()
            except IntegrityError:
                savepoint.rollback()
                self.lost_race = True
        if self.lost_race:
            self.lost_race = False
            pending = self._redo_with_catalog(pending)
        for item in pending:
            self.outcome.update(item.outcome)
            if item.group.product is not None and not self.dry_run:
                self.variant_ids.update({v.sku: v.id for v in item.group.product.variants})
            for row in item.rows:
                self._queue_stock(row)
        self._flush_stock(valid_only)

    def _redo_with_catalog(self, pending: list[_Pending]) -> list[_Pending]:
        """The batch lost a race: save its products one by one through the catalog."""
        saved = []
        for item in pending:
            item.group.product = item.original
            data, owners = _payload(item.group, item.rows, self.layout)
            try:
                with db.session.begin_nested():
                    if item.original is None:
                        item.group.product = catalog.create_product(self.actor, self.store.id,
                                                                    data)
                    else:
                        catalog.update_product(self.actor, self.store.id, item.original.id,
                                               data)
            except DomainError as exc:
                self._refuse(exc, owners, item.rows)
                item.group.product = item.original
                continue
            saved.append(item)
        return saved

    def _queue_stock(self, row: ParsedRow) -> None:
        variant_id = self.variant_ids.get(row.sku)
        for warehouse_id, target in row.stock.items():
            on_hand, _reserved = self.levels.get((variant_id, warehouse_id), (0, 0)) \
                if variant_id is not None else (0, 0)
            if target == on_hand:
                continue
            if self.outcome.get(row.number) == "unchanged":
                self.outcome[row.number] = "updated"
            if not self.dry_run:
                self.stock_queue.append((row, warehouse_id, target))

    def _flush_stock(self, valid_only: bool) -> None:
        """Set the queued stock: a batch at a time, per item when a batch meets a change."""
        queued, self.stock_queue = self.stock_queue, []
        for start in range(0, len(queued), STOCK_BATCH):
            batch = queued[start:start + STOCK_BATCH]
            targets = [(self.variant_ids[row.sku], warehouse_id,
                        self.levels.get((self.variant_ids[row.sku], warehouse_id), (0, 0))[0],
                        target) for row, warehouse_id, target in batch]
            if not inventory.set_stock_levels(self.actor, targets, reference=self.reference,
                                    reason=self.reason):
                self._bulk_set(batch, valid_only)

    def _bulk_set(self, batch: list[tuple[ParsedRow, int, int]], valid_only: bool) -> None:
        for _attempt in range(2):
            try:
                inventory.bulk_set_inventory(
                    self.actor, self.store.id, "set",
                    [{"sku": row.sku, "warehouse_id": warehouse_id, "quantity": target}
                     for row, warehouse_id, target in batch],
                    reference=self.reference, reason=self.reason)
                return
            except DomainError as exc:
                refused = self._refuse_stock(exc, batch)
                batch = [entry for entry in batch if entry[0].number not in refused]
                if not valid_only or not batch:
                    return

    def _refuse_stock(self, exc: DomainError, batch: list[tuple[ParsedRow, int, int]]
                      ) -> set[int]:
        refused: set[int] = set()
        for path, messages in (exc.fields or {"": [exc.message]}).items():
            parts = path.split(".")
            named = [batch[int(parts[1])]] if parts[0] == "items" and len(parts) > 1 \
                and parts[1].isdigit() else batch
            for row, warehouse_id, _target in named:
                for message in messages:
                    self.report.add(row.number, row.stock_columns[warehouse_id], message)
                refused.add(row.number)
        return refused

    def counts(self) -> Counts:
        """Created, updated and unchanged rows (rows in the report are not counted)."""
        counts = Counts()
        for number, outcome in self.outcome.items():
            if number not in self.report.bad_rows:
                setattr(counts, outcome, getattr(counts, outcome) + 1)
        return counts


def _apply_product(store: Store, product: Product | None, values: dict[str, Any],
                   options: list[tuple[str, list[str]]], specs: list[VariantSpec]) -> Product:
    """Build or change the product in memory as create_product/update_product do.

    Every variant of the product is in `specs` (the payload lists them all), so none is
    left out and deactivated.
    """
    status = values.pop("status", None)
    if product is None:
        values.setdefault("origin_country", store.origin_country)
        product = Product(store_id=store.id, status=status or "draft", **values)
    else:
        for name, value in values.items():
            setattr(product, name, value)
        if status is not None:
            product.status = status
    apply_options(product, options)
    for position, spec in enumerate(specs):
        apply_variant(product, store, spec, position)
    return product


def _check_product(product: Product | None, data: dict[str, Any], store: Store
                   ) -> tuple[dict[str, Any], list[tuple[str, list[str]]], list[VariantSpec]]:
    """Validate a payload as create_product/update_product do: cleaned values, options, specs.

    The same validators over the whole payload (variants together, options that fit,
    each SKU's variant), plus the status rule of catalog._set_status: a product that is
    or goes live needs an HS code and an active variant.
    """
    errors = FieldErrors()
    values = clean_product_fields(data, errors, creating=product is None)
    explicit = clean_options(data["options"], "options", errors) \
        if data.get("options") is not None else None
    specs = clean_variants(data["variants"], errors, store)
    if product is not None:
        match_existing(product, specs, errors)
    options = resolve_options(explicit, specs, errors)
    status = values.get("status") or (product.status if product is not None else "draft")
    if product is not None and not product.can_become(status):
        errors.add("status", _("A %(current)s product cannot become %(status)s.",
                               current=product.status, status=status),
                   "invalid_status_transition")
    elif status == "active":
        hs_code = values["hs_code"] if "hs_code" in values else \
            (product.hs_code if product is not None else None)
        if not hs_code:
            errors.add("hs_code", _("Add an HS code before the product goes live: customs "
                                    "and duties need it."), "not_ready")
        if not any(spec.is_active for spec in specs):
            errors.add("variants", _("Activate at least one variant first."), "not_ready")
    errors.raise_if_any()
    return values, options, specs
