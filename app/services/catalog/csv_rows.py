"""Catalog CSV rows turned into catalog payloads, each problem named by row and column.

A row becomes the product fields and the variant item that app.services.catalog.products takes
(cleaned here with the same catalog_input/catalog_variants checkers, so a row error
reads like the portal's), plus its stock targets per warehouse. Checks that need
several rows (a SKU twice, a product's rows disagreeing) follow in `check_rows`, and
checks against the store (which product a handle updates, reserved stock) after it; the
store's data is read in a few batched queries, never per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    InventoryLevel,
    Product,
    ProductOption,
    ProductVariant,
    Store,
    Warehouse,
)
from app.services.catalog.csv_format import (
    OPTION_COLUMNS,
    PRICE_PREFIX,
    STOCK_PREFIX,
    CsvLayout,
    CsvRow,
)
from app.services.catalog.variants import VariantSpec, clean_product_fields, clean_variants
from app.services.fields import (
    MAX_OPTIONS,
    MAX_QUANTITY,
    FieldErrors,
    clean_currency,
    clean_int,
)

# CSV column -> product field of app.services.catalog.products.
PRODUCT_FIELDS = {
    "title": "title", "title_zh": "title_zh", "description": "description",
    "description_zh": "description_zh", "category": "category", "brand": "brand_name",
    "hs_code": "hs_code", "origin_country": "origin_country", "weight_grams": "weight_grams",
    "status": "status", "restricted_countries": "restricted_countries",
}
FIELD_COLUMNS = {f: c for c, f in PRODUCT_FIELDS.items()} | {"options": "option1_name",
                                                              "variants": "sku"}
VARIANT_FIELD_COLUMNS = {
    "sku": "sku", "id": "sku", "price": "price", "compare_at_price": "compare_at_price",
    "barcode": "barcode", "weight_grams": "variant_weight_grams", "is_active": "active",
}
# Variant item keys read from optional columns.
OPTIONAL_VARIANT_COLUMNS = {"compare_at_price": "compare_at_price", "barcode": "barcode",
                            "variant_weight_grams": "weight_grams"}


@dataclass
class ParsedRow:
    """One CSV row as catalog input: product fields, a variant item and stock targets."""

    number: int
    handle: str
    sku: str
    product_data: dict[str, Any] = field(default_factory=dict)
    product_values: dict[str, Any] = field(default_factory=dict)
    item: dict[str, Any] = field(default_factory=dict)
    spec: VariantSpec | None = None
    option_columns: dict[str, str] = field(default_factory=dict)
    fixed_columns: list[str] = field(default_factory=list)
    stock: dict[int, int] = field(default_factory=dict)
    stock_columns: dict[int, str] = field(default_factory=dict)  # warehouse id -> column
    problems: list[tuple[str, str]] = field(default_factory=list)

    def column_for(self, variant_path: list[str]) -> str:
        """The column behind a variant field path such as ["fixed_prices", "1"]."""
        head = variant_path[0] if variant_path else "sku"
        if head == "fixed_prices" and len(variant_path) > 1 and variant_path[1].isdigit():
            index = int(variant_path[1])
            if index < len(self.fixed_columns):
                return self.fixed_columns[index]
        if head == "fixed_prices":
            return self.fixed_columns[0] if self.fixed_columns else "price"
        if head == "options":
            name = variant_path[1] if len(variant_path) > 1 else ""
            return self.option_columns.get(name, "option1_value")
        return VARIANT_FIELD_COLUMNS.get(head, head)


def _add_all(row: ParsedRow, errors: FieldErrors, columns: Mapping[str, str]) -> None:
    for path, messages in errors.fields.items():
        column = columns.get(path.split(".")[0], path)
        row.problems.extend((column, message) for message in messages)


def parse_row(csv_row: CsvRow, layout: CsvLayout, store: Store,
              warehouses: Mapping[str, Warehouse]) -> ParsedRow:
    """Clean one row; its problems are (column, message) pairs in `problems`."""
    cells = csv_row.values

    def cell(column: str) -> str:
        return (cells.get(column) or "").strip()

    row = ParsedRow(number=csv_row.number, handle=cell("product_handle"), sku=cell("sku"))
    if csv_row.extra_cells:
        row.problems.append(("", _("This row has %(n)d more cells than the header has "
                                   "columns: put cells that contain a comma in double quotes.",
                                   n=csv_row.extra_cells)))
    if not row.handle:
        row.problems.append(("product_handle", _("This field is required: rows with the "
                                                 "same product_handle are one product.")))

    for column, name in PRODUCT_FIELDS.items():
        value = cells.get(column)
        if value is None or (name in ("status", "origin_country") and not value.strip()):
            continue  # a missing column (or a blank status/origin) keeps what is there
        row.product_data[name] = value.strip().lower() if name == "status" else value
    product_errors = FieldErrors()
    row.product_values = clean_product_fields(row.product_data, product_errors, creating=True)
    _add_all(row, product_errors, FIELD_COLUMNS)

    item: dict[str, Any] = {"sku": row.sku, "price": cell("price")}
    if not item["price"]:
        row.problems.append(("price", _("This field is required.")))
    currency_errors = FieldErrors()
    currency = clean_currency(cell("currency"), "currency", currency_errors) \
        if cell("currency") else store.base_currency
    _add_all(row, currency_errors, {})
    if currency and currency != store.base_currency:
        row.problems.append(("currency", _("Prices are in the store's currency "
                                           "%(currency)s; put other currencies in "
                                           "%(prefix)s<currency> columns.",
                                           currency=store.base_currency, prefix=PRICE_PREFIX)))
    for column, key in OPTIONAL_VARIANT_COLUMNS.items():
        if layout.has(column):
            item[key] = cell(column)
    if cell("active"):
        item["is_active"] = cell("active")
    if any(layout.has(column) for column in OPTION_COLUMNS):
        item["options"] = _options(row, cell)  # without option columns, options stay
    if layout.price_currencies:
        item["fixed_prices"] = []
        for code in layout.price_currencies:
            if cell(PRICE_PREFIX + code):
                item["fixed_prices"].append({"amount": cell(PRICE_PREFIX + code),
                                             "currency": code})
                row.fixed_columns.append(PRICE_PREFIX + code)
    variant_errors = FieldErrors()
    specs = clean_variants([item], variant_errors, store)
    for path, messages in variant_errors.fields.items():
        column = row.column_for(path.split(".")[2:])
        row.problems.extend((column, message) for message in messages)
    row.item, row.spec = item, specs[0] if specs else None
    _stock(row, layout, cell, warehouses)
    return row


def _options(row: ParsedRow, cell) -> dict[str, str]:
    options: dict[str, str] = {}
    for i in range(1, MAX_OPTIONS + 1):
        name, value = cell(f"option{i}_name"), cell(f"option{i}_value")
        if not name and not value:
            continue
        if not name:
            row.problems.append((f"option{i}_name", _("Name the option of this value, "
                                                      "e.g. Size.")))
        elif not value:
            row.problems.append((f"option{i}_value", _("Give the option %(name)s a value.",
                                                       name=name)))
        elif name in options:
            row.problems.append((f"option{i}_name", _("The option %(name)s is named twice.",
                                                      name=name)))
        else:
            options[name] = value
            row.option_columns[name] = f"option{i}_value"
    return options


def _stock(row: ParsedRow, layout: CsvLayout, cell,
           warehouses: Mapping[str, Warehouse]) -> None:
    for name in layout.warehouse_names:
        column = STOCK_PREFIX + name
        if not cell(column):
            continue  # blank: this warehouse's stock stays as it is
        warehouse = warehouses.get(name) or warehouses.get(name.casefold())
        if warehouse is None:
            row.problems.append((column, _("No warehouse named %(name)s in this store: add "
                                           "it under Warehouses or correct the column name.",
                                           name=name)))
            continue
        if not warehouse.is_active:
            row.problems.append((column, _("%(warehouse)s is closed and takes no stock.",
                                           warehouse=warehouse.name)))
            continue
        errors = FieldErrors()
        quantity = clean_int(cell(column), column, errors, maximum=MAX_QUANTITY)
        if errors:
            row.problems.extend((column, _("Stock cannot be negative.") if "negative_value"
                                 in errors.codes else message)
                                for message in errors.fields[column])
        elif quantity is not None:
            row.stock[warehouse.id] = quantity
            row.stock_columns[warehouse.id] = column


def check_rows(rows: list[ParsedRow]) -> dict[str, list[ParsedRow]]:
    """Problems between rows (a SKU twice, a product's rows disagreeing); rows by handle."""
    first_of_sku: dict[str, int] = {}
    groups: dict[str, list[ParsedRow]] = {}
    for row in rows:
        if row.sku:
            if row.sku in first_of_sku:
                row.problems.append(("sku", _("SKU %(sku)s is also on row %(row)d: each SKU "
                                              "may appear once.", sku=row.sku,
                                              row=first_of_sku[row.sku])))
            else:
                first_of_sku[row.sku] = row.number
        if row.handle:
            groups.setdefault(row.handle, []).append(row)
    for handle, members in groups.items():
        first = members[0]
        for row in members[1:]:
            for name, value in row.product_values.items():
                if name in first.product_values and first.product_values[name] != value:
                    row.problems.append((FIELD_COLUMNS[name], _(
                        "Differs from row %(row)d, the first row of product %(handle)s: every "
                        "row of a product repeats its product fields.", row=first.number,
                        handle=handle)))
    return groups


# Against the store's data ------------------------------------------------------------
LOOKUP_BATCH = 500  # values per IN (...) list


@dataclass
class ProductRows:
    """The rows of one product_handle and the store's product they update, if any."""

    handle: str
    rows: list[ParsedRow]
    product: Product | None = None


def store_warehouses(store_id: int) -> dict[str, Warehouse]:
    """The store's warehouses by name and by case-folded name."""
    found: dict[str, Warehouse] = {}
    for warehouse in db.session.scalars(select(Warehouse).where(
            Warehouse.store_id == store_id).order_by(Warehouse.is_active, Warehouse.id)):
        found[warehouse.name.casefold()] = warehouse  # open warehouses win a case clash
        found[warehouse.name] = warehouse
    return found


def chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    """`values` in slices short enough for an IN (...) list."""
    return [values[i:i + LOOKUP_BATCH] for i in range(0, len(values), LOOKUP_BATCH)]


def existing_variants(store_id: int, skus: list[str]) -> dict[str, tuple[int, int]]:
    """SKU -> (variant id, product id) for the SKUs the store already has."""
    found: dict[str, tuple[int, int]] = {}
    for chunk in chunks(sorted(set(skus))):
        found.update({sku: (variant_id, product_id) for sku, variant_id, product_id in
                      db.session.execute(select(ProductVariant.sku, ProductVariant.id,
                                                ProductVariant.product_id)
                                         .where(ProductVariant.store_id == store_id,
                                                ProductVariant.sku.in_(chunk)))})
    return found


def load_products(product_ids: set[int]) -> dict[int, Product]:
    """The products with their variants, fixed prices, options and images loaded."""
    found: dict[int, Product] = {}
    for chunk in chunks(sorted(product_ids)):
        found.update({p.id: p for p in db.session.scalars(
            select(Product).where(Product.id.in_(chunk)).options(
                selectinload(Product.variants).selectinload(ProductVariant.fixed_prices),
                selectinload(Product.options).selectinload(ProductOption.values)))})
    return found


def stock_levels(variant_ids: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """(variant id, warehouse id) -> (on_hand, reserved) for the variants' levels."""
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for chunk in chunks(sorted(variant_ids)):
        found.update({(v, w): (on_hand, reserved) for v, w, on_hand, reserved in
                      db.session.execute(select(InventoryLevel.variant_id,
                                                InventoryLevel.warehouse_id,
                                                InventoryLevel.on_hand, InventoryLevel.reserved)
                                         .where(InventoryLevel.variant_id.in_(chunk)))})
    return found


def match_products(groups: list[ProductRows], existing: dict[str, tuple[int, int]],
                   products: dict[int, Product]) -> None:
    """Each handle's product, found by its rows' SKUs; SKUs of two products are refused."""
    claimed: dict[int, ParsedRow] = {}
    for group in groups:
        owners = [existing[r.sku][1] for r in group.rows if r.sku in existing]
        if not owners:
            continue
        product = products[owners[0]]
        if product.id in claimed:
            other = claimed[product.id]
            for row in group.rows:
                row.problems.append(("product_handle", _(
                    "This product is also in product_handle %(handle)s (row %(row)d): give "
                    "all rows of a product the same product_handle.", handle=other.handle,
                    row=other.number)))
            continue
        claimed[product.id] = group.rows[0]
        group.product = product
        for row in group.rows:
            if row.sku in existing and existing[row.sku][1] != product.id:
                row.problems.append(("sku", _(
                    "SKU %(sku)s belongs to another product (%(title)s) than the other rows "
                    "of %(handle)s.", sku=row.sku, title=products[existing[row.sku][1]].title,
                    handle=group.handle)))


def check_reserved(rows: list[ParsedRow], existing: dict[str, tuple[int, int]],
                   levels: dict[tuple[int, int], tuple[int, int]]) -> None:
    """Refuse stock below the units already reserved for shoppers."""
    for row in rows:
        if row.sku not in existing:
            continue
        for warehouse_id, target in row.stock.items():
            _on_hand, reserved = levels.get((existing[row.sku][0], warehouse_id), (0, 0))
            if target < reserved:
                row.problems.append((row.stock_columns[warehouse_id],
                                     _("%(reserved)d units are reserved for shoppers here: "
                                       "on hand cannot go below that (this row says "
                                       "%(target)d).", reserved=reserved, target=target)))
