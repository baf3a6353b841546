"""The catalog CSV format: its columns, reading uploads, writing the export and the report.

One row per variant. The product's fields repeat on every row of the product, and rows
with the same `product_handle` are one product (the export uses the product's id; an
import may use any text). Fixed prices are `price_<CUR>` columns, stock is one
`stock:<warehouse name>` column per warehouse holding the on-hand units. Importing an
export changes nothing. Uploads may be UTF-8 (with or without a BOM) or GBK/GB18030.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import distinct, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    CatalogImport,
    InventoryLevel,
    Product,
    ProductOption,
    ProductVariant,
    User,
    VariantPrice,
    Warehouse,
)
from app.money import CurrencyError, Money, normalize_currency
from app.services.errors import ValidationFailed
from app.services.fields import MAX_OPTIONS, FieldErrors
from app.services.permissions import require_store_staff

PRODUCT_COLUMNS = (
    "product_handle", "title", "title_zh", "description", "description_zh", "category",
    "brand", "hs_code", "origin_country", "weight_grams", "status", "restricted_countries",
)
OPTION_COLUMNS = tuple(f"option{i}_{part}" for i in range(1, MAX_OPTIONS + 1)
                       for part in ("name", "value"))
VARIANT_COLUMNS = ("sku", "barcode", "active", *OPTION_COLUMNS, "currency", "price",
                   "compare_at_price", "variant_weight_grams")
FIXED_COLUMNS = (*PRODUCT_COLUMNS, *VARIANT_COLUMNS)
REQUIRED_COLUMNS = ("product_handle", "title", "sku", "price")
PRICE_PREFIX = "price_"
STOCK_PREFIX = "stock:"
MAX_ROWS = 50_000
# Export encodings: Excel needs the BOM to read UTF-8; GB18030 is the superset of GBK that
# can encode every character, so no product name is ever lost.
EXPORT_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gb18030"}
# Spreadsheets run a cell that starts with one of these as a formula; the export quotes it
# with an apostrophe and the import takes the apostrophe off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_BATCH = 500


@dataclass(frozen=True)
class CsvLayout:
    """The columns of a file, normalised, plus what its price and stock columns name."""

    columns: list[str]
    price_currencies: list[str]
    warehouse_names: list[str]

    def has(self, column: str) -> bool:
        """Whether the file has this column."""
        return column in self.columns


@dataclass(frozen=True)
class CsvRow:
    """One data row: its number as a spreadsheet shows it (the header is row 1)."""

    number: int
    values: dict[str, str]
    extra_cells: int


def _file_error(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"file": [message]})


def decode_upload(data: bytes) -> tuple[str, str]:
    """The text of an uploaded CSV and its encoding: UTF-8 (BOM or not), else GB18030/GBK."""
    if not data.strip():
        raise _file_error(_("The file is empty."), "empty_file")
    # NUL bytes mean a spreadsheet (.xlsx), UTF-16 text or another binary file.
    if b"\x00" not in data:
        if data.startswith(codecs.BOM_UTF8):
            try:
                return data.decode("utf-8-sig"), "utf-8-sig"
            except UnicodeDecodeError:
                pass
        else:
            for encoding in ("utf-8", "gb18030"):
                try:
                    return data.decode(encoding), encoding
                except UnicodeDecodeError:
                    continue
    raise _file_error(_("This file is not a CSV we can read: save it as \"CSV UTF-8\" "
                        "(or CSV in GBK) from your spreadsheet and upload it again."),
                      "undecodable_file")


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab some spreadsheets write instead."""
    first_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first_line.count)


def _normalise_column(raw: str) -> str:
    name = raw.strip().lstrip("\ufeff").strip()
    if name.lower().startswith(STOCK_PREFIX):
        return STOCK_PREFIX + name[len(STOCK_PREFIX):].strip()
    if name.lower().startswith(PRICE_PREFIX) and name.lower() != "price_":
        return PRICE_PREFIX + name[len(PRICE_PREFIX):].strip().upper()
    return name.lower()


def read_layout(header: Sequence[str], base_currency: str) -> CsvLayout:
    """Check the header: required columns present, every column known, none twice."""
    columns = [_normalise_column(cell) for cell in header]
    while columns and not columns[-1]:
        columns.pop()  # spreadsheets sometimes add empty trailing header cells
    errors = FieldErrors()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.add("file", _("Missing required columns: %(missing)s. The first row must name "
                             "the columns; required are %(required)s.",
                             missing=", ".join(missing), required=", ".join(REQUIRED_COLUMNS)),
                   "missing_columns")
    seen: set[str] = set()
    unknown, currencies, warehouses = [], [], []
    for column in columns:
        if column in seen:
            errors.add("file", _("The column %(column)s appears twice.", column=column),
                       "duplicate_columns")
            continue
        seen.add(column)
        if column in FIXED_COLUMNS:
            continue
        if column.startswith(STOCK_PREFIX) and len(column) > len(STOCK_PREFIX):
            warehouses.append(column[len(STOCK_PREFIX):])
        elif column.startswith(PRICE_PREFIX):
            code = column[len(PRICE_PREFIX):]
            try:
                code = normalize_currency(code)
            except CurrencyError:
                errors.add("file", _("The column %(column)s: %(code)s is not an ISO 4217 "
                                     "currency code (fixed prices are price_EUR, price_JPY...).",
                                     column=column, code=code),
                           "unknown_currency")
                continue
            if code == base_currency:
                errors.add("file", _("The column %(column)s: %(code)s is the store's own "
                                     "currency, which goes in the price column.",
                                     column=column, code=code), "unknown_columns")
                continue
            currencies.append(code)
        else:
            unknown.append(column or "(blank)")
    if unknown:
        errors.add("file", _("Unknown columns: %(unknown)s. Known columns are %(known)s, "
                             "price_<currency> and stock:<warehouse name>.",
                             unknown=", ".join(unknown), known=", ".join(FIXED_COLUMNS)),
                   "unknown_columns")
    errors.raise_if_any(_("The file's columns are not right; nothing was imported."))
    return CsvLayout(columns=columns, price_currencies=currencies, warehouse_names=warehouses)


def _unquote_formula(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def read_csv(text: str, base_currency: str) -> tuple[CsvLayout, list[CsvRow]]:
    """The layout and the non-blank rows of a decoded file (header problems raise)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise _file_error(_("The file is empty."), "empty_file")
        layout = read_layout(header, base_currency)
        width = len(layout.columns)
        rows = []
        for index, cells in enumerate(reader):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(_("The file has more than %(n)s rows: split it into "
                                    "smaller files.", n=format(MAX_ROWS, ",")), "too_many_rows")
            values = {column: _unquote_formula(cell)
                      for column, cell in zip(layout.columns, cells, strict=False)}
            extra = sum(1 for cell in cells[width:] if cell.strip())
            rows.append(CsvRow(number=index + 2, values=values, extra_cells=extra))
    except csv.Error as exc:
        raise _file_error(_("The file is not valid CSV: %(problem)s.", problem=exc),
                          "invalid_csv") from None
    if not rows:
        raise _file_error(_("The file has a header but no rows."), "empty_file")
    return layout, rows


# Export -----------------------------------------------------------------------------------
def _formula_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _encode_lines(rows: Iterator[list[str]], encoding: str) -> Iterator[bytes]:
    encoder = codecs.getincrementalencoder(EXPORT_ENCODINGS[encoding])()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield encoder.encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)


def _amount(minor: int | None, currency: str) -> str:
    return "" if minor is None else str(Money(minor, currency).amount)


def _export_rows(store_id: int, currency: str, currencies: list[str],
                 warehouses: list[Warehouse]) -> Iterator[list[str]]:
    yield [*FIXED_COLUMNS, *(PRICE_PREFIX + c for c in currencies),
           *(STOCK_PREFIX + w.name for w in warehouses)]
    after = 0
    while True:
        products = list(db.session.scalars(
            select(Product).where(Product.store_id == store_id, Product.id > after)
            .order_by(Product.id).limit(EXPORT_BATCH)
            .options(selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
                     selectinload(Product.options).selectinload(ProductOption.values))))
        if not products:
            return
        after = products[-1].id
        variant_ids = [v.id for p in products for v in p.variants]
        on_hand = {(variant_id, warehouse_id): units for variant_id, warehouse_id, units in
                   db.session.execute(select(InventoryLevel.variant_id,
                                             InventoryLevel.warehouse_id,
                                             InventoryLevel.on_hand)
                                      .where(InventoryLevel.variant_id.in_(variant_ids)))}
        for product in products:
            product_cells = [
                str(product.id), product.title, product.title_zh or "", product.description,
                product.description_zh or "", product.category or "", product.brand_name or "",
                product.hs_code or "", product.origin_country or "",
                "" if product.weight_grams is None else str(product.weight_grams),
                product.status, " ".join(product.restricted_countries or []),
            ]
            names = [option.name for option in product.options]
            for variant in product.variants:
                option_names = names + [n for n in variant.options if n not in names]
                options: list[str] = []
                for name in option_names[:MAX_OPTIONS]:
                    options += [name, variant.options.get(name, "")]
                options += [""] * (len(OPTION_COLUMNS) - len(options))
                fixed = {p.currency: p.price_minor for p in variant.fixed_prices}
                row = [
                    *product_cells, variant.sku, variant.barcode or "",
                    "true" if variant.is_active else "false", *options, currency,
                    _amount(variant.price_minor, currency),
                    _amount(variant.compare_at_minor, currency),
                    "" if variant.weight_grams is None else str(variant.weight_grams),
                    *(_amount(fixed.get(c), c) for c in currencies),
                    *(str(on_hand.get((variant.id, w.id), 0)) for w in warehouses),
                ]
                yield [_formula_safe(cell) for cell in row]
        for product in products:
            db.session.expunge(product)  # keeps memory flat on big catalogs


def export_catalog_csv(actor: User, store_id: int, *, encoding: str = "utf-8"
                       ) -> Iterator[bytes]:
    """The store's products, variants, fixed prices and stock as CSV bytes, streamed."""
    store = require_store_staff(actor, store_id)
    if encoding not in EXPORT_ENCODINGS:
        raise ValidationFailed(_("Choose UTF-8 or GBK."), code="invalid_encoding",
                               fields={"encoding": [_("Choose UTF-8 or GBK.")]})
    currencies = list(db.session.scalars(
        select(distinct(VariantPrice.currency))
        .join(ProductVariant, ProductVariant.id == VariantPrice.variant_id)
        .where(ProductVariant.store_id == store.id).order_by(VariantPrice.currency)))
    warehouses = list(db.session.scalars(
        select(Warehouse).where(Warehouse.store_id == store.id, Warehouse.is_active.is_(True))
        .order_by(Warehouse.id)))
    return _encode_lines(_export_rows(store.id, store.base_currency, currencies, warehouses),
                         encoding)


def error_report_csv(catalog_import: CatalogImport) -> bytes:
    """An import's report (row, column, message) as a UTF-8 CSV with a BOM."""
    rows = iter([["row", "column", "message"],
                 *([str(e["row"]), e["column"], _formula_safe(e["message"])]
                   for e in catalog_import.errors)])
    return b"".join(_encode_lines(rows, "utf-8"))

