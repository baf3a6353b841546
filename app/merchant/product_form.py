"""The product editor's form <-> service payload: options, the variant matrix, errors.

The matrix has one row per combination of option values. Rows carry their variant's
id and option values in hidden fields, so when the options change the rows are
rebuilt around them: a combination keeps its row (or the saved variant with those
values), and a new combination inherits the identity and prices of the row it grew
out of, so adding "Size" to a Colour-only product keeps each colour's SKU and stock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from app.merchant.forms import ProductForm
from app.merchant.portal import plain_amount
from app.models import Product, ProductVariant, Store
from app.services.catalog.products import build_variant_matrix
from app.services.errors import DomainError

PRODUCT_FIELDS = ("title", "title_en", "title_zh", "description", "description_en",
                  "description_zh", "category", "brand_name", "status", "hs_code",
                  "origin_country", "weight_grams", "length_mm", "width_mm", "height_mm",
                  "restricted_countries", "low_stock_threshold")
ROW_FIELDS = {"sku": "sku", "barcode": "barcode", "price": "price",
              "compare_at_price": "compare_at", "weight_grams": "weight_grams",
              "fixed_prices": "fixed_prices"}
ROW_VALUES = ("sku", "barcode", "price", "compare_at", "weight_grams", "fixed_prices")
# "EUR 18.00" or "18.00 EUR".
FIXED_PRICE = re.compile(r"([A-Za-z]{3})\s*(-?\d[\d.]*)|(-?\d[\d.]*)\s*([A-Za-z]{3})")


# Reading the form ---------------------------------------------------------------------------
def form_options(form: ProductForm) -> list[tuple[str, list[str]]]:
    """The options typed in the editor (blank rows left out, values split at commas)."""
    options = []
    for row in form.options:
        name = (row.form.name.data or "").strip()
        values = list(dict.fromkeys(v.strip() for v in re.split(r"[,，]", row.form.values.data
                                                                  or "") if v.strip()))
        if name or values:
            options.append((name, values))
    return options


def row_options(raw: str | None) -> dict[str, str]:
    """A row's option values from its hidden JSON field ({} when missing or malformed)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def form_rows(form: ProductForm) -> list[dict[str, Any]]:
    """The matrix rows as submitted."""
    rows = []
    for entry in form.variants:
        row = entry.form
        rows.append({"id": row.id.data or "", "options": row_options(row.options.data),
                     "is_active": bool(row.is_active.data),
                     **{name: (getattr(row, name).data or "").strip() for name in ROW_VALUES}})
    return rows


def variant_row(variant: ProductVariant) -> dict[str, Any]:
    """A saved variant as a matrix row."""
    return {
        "id": str(variant.id), "options": dict(variant.options), "is_active": variant.is_active,
        "sku": variant.sku, "barcode": variant.barcode or "",
        "price": plain_amount(variant.price_minor, variant.currency),
        "compare_at": plain_amount(variant.compare_at_minor, variant.currency),
        "weight_grams": "" if variant.weight_grams is None else str(variant.weight_grams),
        "fixed_prices": ", ".join(f"{p.currency} {plain_amount(p.price_minor, p.currency)}"
                                  for p in variant.fixed_prices),
    }


def _blank_row(options: dict[str, str]) -> dict[str, Any]:
    return {"id": "", "options": options, "is_active": True,
            **dict.fromkeys(ROW_VALUES, "")}


def _grew_from(row_opts: dict[str, str], combo: dict[str, str]) -> bool:
    """Whether one combination extends the other (an option was added or removed)."""
    small, large = (row_opts, combo) if len(row_opts) <= len(combo) else (combo, row_opts)
    return all(large.get(name) == value for name, value in small.items())


def build_rows(options: list[tuple[str, list[str]]], rows: list[dict[str, Any]],
               saved: list[ProductVariant]) -> list[dict[str, Any]]:
    """One row per combination of `options`, keeping the data of `rows` and `saved`."""
    named = [(name, values) for name, values in options if name and values]
    shown_ids = {row["id"] for row in rows if row["id"]}
    spare = [variant_row(v) for v in saved if str(v.id) not in shown_ids]
    used: set[int] = set()
    result = []
    for combo in build_variant_matrix(named):
        match = next((i for i, row in enumerate(rows) if i not in used
                      and row["options"] == combo), None)
        if match is not None:
            used.add(match)
            result.append({**rows[match], "options": combo})
            continue
        old = next((row for row in spare if row["options"] == combo), None)
        if old is not None:
            spare.remove(old)
            result.append(old)
            continue
        donor = next((i for i, row in enumerate(rows) if _grew_from(row["options"], combo)),
                     None)
        if donor is None:
            result.append(_blank_row(combo))
        elif donor not in used:
            used.add(donor)  # the first new combination takes over the variant itself
            result.append({**rows[donor], "options": combo})
        else:
            inherited = {name: rows[donor][name] for name in
                         ("price", "compare_at", "weight_grams", "fixed_prices")}
            result.append({**_blank_row(combo), **inherited})
    return result


def matrix_is_stale(options: list[tuple[str, list[str]]], rows: list[dict[str, Any]]) -> bool:
    """Whether the rows were built for other options than the ones now typed."""
    named = [(name, values) for name, values in options if name and values]
    wanted = sorted(json.dumps(c, sort_keys=True) for c in build_variant_matrix(named))
    return wanted != sorted(json.dumps(row["options"], sort_keys=True) for row in rows)


def load_rows(form: ProductForm, rows: list[dict[str, Any]]) -> None:
    """Put `rows` into the form's matrix (replacing what was submitted)."""
    while form.variants.entries:
        form.variants.pop_entry()
    for row in rows:
        form.variants.append_entry({**row, "options": json.dumps(row["options"],
                                                                 ensure_ascii=False)})


def product_form_data(product: Product) -> dict[str, Any]:
    """The editor's initial values for a saved product."""
    data: dict[str, Any] = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    data["restricted_countries"] = ", ".join(product.restricted_countries or [])
    for name in ("weight_grams", "length_mm", "width_mm", "height_mm", "low_stock_threshold"):
        data[name] = "" if data[name] is None else str(data[name])
    data["options"] = [{"name": o.name, "values": ", ".join(v.value for v in o.values)}
                       for o in product.options]
    return data


def new_product_data(store: Store) -> dict[str, Any]:
    """The editor's initial values for a new product."""
    return {"origin_country": store.origin_country, "status": "draft",
            "low_stock_threshold": "5"}


# Building the payload ----------------------------------------------------------------------
@dataclass
class Payload:
    """The service payload and where each variant and option came from.

    `problems` are those found while reading the form, reported with the service's.
    """

    data: dict[str, Any]
    variant_rows: list[int] = field(default_factory=list)
    option_rows: list[int] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)


def _fixed_prices(text: str, path: str, problems: dict[str, list[str]]) -> list[dict[str, str]]:
    prices = []
    for part in (p.strip() for p in re.split(r"[,;\n]", text)):
        if not part:
            continue
        match = FIXED_PRICE.fullmatch(part)
        if match is None:
            problems.setdefault(path, []).append(_(
                "Write each fixed price as a currency code and an amount, e.g. EUR 18.00."))
            return []
        currency, amount = (match.group(1), match.group(2)) if match.group(1) \
            else (match.group(4), match.group(3))
        prices.append({"currency": currency.upper(), "amount": amount})
    return prices


def build_payload(form: ProductForm) -> Payload:
    """The create/update payload of the submitted editor; blank new rows are skipped."""
    data: dict[str, Any] = {name: getattr(form, name).data or "" for name in PRODUCT_FIELDS}
    payload = Payload(data=data)
    options = []
    for index, row in enumerate(form.options):
        name = (row.form.name.data or "").strip()
        values = [v.strip() for v in re.split(r"[,，]", row.form.values.data or "")]
        if name or any(values):
            options.append({"name": name, "values": [v for v in values if v]})
            payload.option_rows.append(index)
    data["options"] = options
    variants = []
    for index, row in enumerate(form_rows(form)):
        if not row["id"] and not any(row[name] for name in ROW_VALUES):
            continue  # a combination the merchant does not sell
        path = f"variants.{len(variants)}"
        if not row["price"]:
            payload.problems.setdefault(f"{path}.price", []).append(_("Enter a price."))
        item: dict[str, Any] = {
            "sku": row["sku"], "barcode": row["barcode"], "price": row["price"] or None,
            "compare_at_price": row["compare_at"] or None,
            "weight_grams": row["weight_grams"] or None, "options": row["options"],
            "is_active": row["is_active"],
            "fixed_prices": _fixed_prices(row["fixed_prices"], f"{path}.fixed_prices",
                                          payload.problems),
        }
        if row["id"].isdigit():
            item["id"] = int(row["id"])
        variants.append(item)
        payload.variant_rows.append(index)
    data["variants"] = variants
    return payload


# Showing errors ----------------------------------------------------------------------------
@dataclass
class EditorErrors:
    """Problems that belong to no single field: the whole form, the options, the matrix."""

    general: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    matrix: list[str] = field(default_factory=list)


def _add(field_, messages: list[str]) -> None:
    field_.errors = [*field_.errors, *messages]


def place_product_errors(form: ProductForm, payload: Payload,
                         error: DomainError | None) -> EditorErrors:
    """Put each problem next to its field, option row or variant row; return the rest."""
    fields = {name: list(messages) for name, messages in payload.problems.items()}
    for name, messages in (error.fields if error else {}).items():
        known = fields.setdefault(name, [])
        known.extend(m for m in messages if m not in known)
    rest = EditorErrors()
    for name, messages in fields.items():
        parts = name.split(".")
        index = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        if parts[0] in PRODUCT_FIELDS and len(parts) == 1:
            _add(getattr(form, parts[0]), messages)
        elif parts[0] == "variants" and index is not None \
                and index < len(payload.variant_rows):
            row = form.variants[payload.variant_rows[index]].form
            target = ROW_FIELDS.get(parts[2]) if len(parts) > 2 else None
            _add(getattr(row, target) if target else row.options, messages)
        elif parts[0] == "variants":
            rest.matrix.extend(messages)
        elif parts[0] == "options" and index is not None \
                and index < len(payload.option_rows):
            row = form.options[payload.option_rows[index]].form
            _add(row.name if len(parts) > 2 and parts[2] == "name" else row.values, messages)
        elif parts[0] == "options":
            rest.options.extend(messages)
        elif parts[0] == "image":
            _add(form.images, messages)
        else:
            rest.general.extend(messages)
    if error is not None and not error.fields:
        rest.general.append(error.message)
    return rest
