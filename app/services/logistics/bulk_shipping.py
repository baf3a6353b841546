"""Bulk "mark shipped": one CSV of order, SKU, quantity, carrier and number, many shipments.

Every row is checked before anything is written, and each problem names its row (as a
spreadsheet numbers it: the header is row 1), its column and the reason. A file with
any problem changes nothing, unless the merchant asks for the valid shipments only: then
a parcel with a bad row is left out whole and the others ship. Rows sharing order,
carrier and tracking number are one parcel with several lines; each parcel goes through
`create_shipment`, so stock, order state and the shopper's notice follow as for one
shipment, all inside the caller's single transaction.

Uploading the same file again ships nothing twice: each row then reports its number as
already used for that order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, User, Warehouse
from app.models.logistics import Shipment, ShipmentLeg
from app.services import inventory
from app.services.catalog import decode_upload
from app.services.errors import DomainError, ValidationFailed
from app.services.fields import MAX_QUANTITY
from app.services.logistics.carriers import CARRIERS_BY_CODE, validate_tracking_number
from app.services.logistics.shipment_lists import order_reference
from app.services.logistics.shipments import SHIPPABLE, create_shipment, shipped_quantities
from app.services.mail import EmailLinks
from app.services.permissions import require_store_staff

REQUIRED_COLUMNS = ("order", "sku", "quantity", "carrier", "tracking_number")
COLUMNS = (*REQUIRED_COLUMNS, "warehouse")
MAX_BYTES = 1024 * 1024
# Each parcel costs a full create_shipment (about 60 ms on SQLite, 100 ms on PostgreSQL in
# bench/bulk_shipping.py), and the upload is one request: bigger files are split.
MAX_ROWS = 500


@dataclass(frozen=True)
class RowProblem:
    """Why one cell of the file cannot ship."""

    row: int
    column: str
    message: str
    code: str


@dataclass
class _Parcel:
    order: Order
    carrier: str
    number: str
    warehouse_id: int | None
    lines: dict[int, int] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    # Every row naming this parcel, the wrong ones too: a parcel ships whole or not at all.
    all_rows: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class BulkShipment:
    """What one upload did: the shipments made and the rows left out (valid-only mode)."""

    shipments: list[Shipment]
    skipped: list[RowProblem]
    rows: int


class BulkShippingRejected(ValidationFailed):
    """The file has problems; nothing was shipped. `problems` lists every one."""

    code = "bulk_shipping_has_errors"

    def __init__(self, problems: list[RowProblem]) -> None:
        fields: dict[str, list[str]] = {}
        for p in problems:
            fields.setdefault(f"rows.{p.row}.{p.column}", []).append(p.message)
        super().__init__(ngettext("%(num)d problem in the file; nothing was shipped.",
                                  "%(num)d problems in the file; nothing was shipped.",
                                  len(problems)),
                         fields=fields)
        self.problems = problems


def _file_error(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={"file": [message]})


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (row number, {column: text}); problems with the file raise."""
    if len(data) > MAX_BYTES:
        raise _file_error(_("The file is larger than %(kb)d KB: split it into smaller files.",
                            kb=MAX_BYTES // 1024), "file_too_large")
    text, _encoding = decode_upload(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lstrip("\ufeff").strip().lower() for cell in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise _file_error(_("The first row must name the columns; missing: %(columns)s.",
                            columns=", ".join(missing)), "missing_columns")
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise _file_error(_("Unknown columns: %(unknown)s. Use: %(columns)s.",
                            unknown=", ".join(unknown), columns=", ".join(COLUMNS)),
                          "unknown_columns")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(_("The file has more than %(n)d rows: split it into smaller "
                                "files.", n=MAX_ROWS), "too_many_rows")
        rows.append((number, {name: (cells[i].strip() if i < len(cells) else "")
                              for i, name in enumerate(header) if name}))
    if not rows:
        raise _file_error(_("The file has a header but no rows."), "empty_file")
    return rows


def _carrier_code(text: str) -> str | None:
    wanted = text.strip().lower()
    if wanted in CARRIERS_BY_CODE:
        return wanted
    return next((c.code for c in CARRIERS_BY_CODE.values()
                 if c.display_name("en").lower() == wanted), None)


class _Checker:
    """Checks rows against the store's orders, warehouses and tracking numbers."""

    def __init__(self, store_id: int, rows: list[tuple[int, dict[str, str]]]) -> None:
        self.problems: list[RowProblem] = []
        ids = set()
        for _n, row in rows:
            ref = row["order"].rsplit("-", 1)[-1]
            if ref.isdigit() and len(ref) < 10:
                ids.add(int(ref))
        self.orders = {o.id: o for o in db.session.scalars(
            select(Order).where(Order.store_id == store_id, Order.id.in_(ids))
            .options(selectinload(Order.lines)))}
        self.shipped = shipped_quantities(list(self.orders))
        self.left = {line.id: line.quantity - line.refunded_quantity - self.shipped.get(line.id, 0)
                     for o in self.orders.values() for line in o.lines}
        self.warehouses = list(db.session.scalars(
            select(Warehouse).where(Warehouse.store_id == store_id)))
        self.holds: dict[int, dict[int, dict[int, int]]] = {}

    def flag(self, row: int, column: str, message: str, code: str) -> None:
        self.problems.append(RowProblem(row, column, message, code))

    def order(self, n: int, text: str) -> Order | None:
        ref = text.rsplit("-", 1)[-1]
        order = self.orders.get(int(ref)) if ref.isdigit() and len(ref) < 10 else None
        # A full reference must match the order's checkout reference, not only its number.
        if order is not None and "-" in text and order_reference(order) != text.upper():
            order = None
        if order is None:
            self.flag(n, "order", _("No order %(ref)s in this store.", ref=text or "—"),
                     "unknown_order")
        return order

    def warehouse(self, n: int, text: str, order: Order, variant_id: int) -> int | None:
        if not text:
            if order.id not in self.holds:
                self.holds[order.id] = inventory.order_holds(order.id)
            places = self.holds[order.id].get(variant_id) or {}
            if places:
                return max(places, key=places.get)
            active = [w for w in self.warehouses if w.is_active]
            if len(active) == 1:
                return active[0].id
            self.flag(n, "warehouse", _("No stock is held for this line: name the warehouse "
                                       "it ships from."), "unknown_warehouse")
            return None
        found = next((w for w in self.warehouses
                      if (text.isdigit() and w.id == int(text))
                      or w.name.strip().lower() == text.lower()), None)
        if found is None:
            self.flag(n, "warehouse", _("No warehouse %(name)s in this store.", name=text),
                      "unknown_warehouse")
            return None
        if not found.is_active:
            self.flag(n, "warehouse", _("%(name)s is closed.", name=found.name),
                      "warehouse_inactive")
            return None
        return found.id


def _numbers_in_use(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int | None]:
    """(carrier, number) already recorded -> the order it ships (None for a leg)."""
    if not pairs:
        return {}
    numbers = {number for _c, number in pairs}
    used: dict[tuple[str, str], int | None] = {}
    for carrier, number, order_id in db.session.execute(
            select(Shipment.carrier, Shipment.tracking_number, Shipment.order_id)
            .where(Shipment.tracking_number.in_(numbers))):
        used[(carrier, number)] = order_id
    for carrier, number in db.session.execute(
            select(ShipmentLeg.carrier, ShipmentLeg.tracking_number)
            .where(ShipmentLeg.tracking_number.in_(numbers))):
        used.setdefault((carrier, number), None)
    return {pair: used[pair] for pair in pairs if pair in used}


def plan_parcels(store_id: int, rows: list[tuple[int, dict[str, str]]]
                 ) -> tuple[list[_Parcel], list[RowProblem]]:
    """Group the rows into parcels and find every problem, writing nothing."""
    check = _Checker(store_id, rows)
    parsed = []
    for n, row in rows:
        order = check.order(n, row["order"])
        code = _carrier_code(row["carrier"])
        number = None
        if code is None:
            check.flag(n, "carrier", _("Unknown carrier %(code)s; choose one of: %(codes)s.",
                                      code=row["carrier"] or "—",
                                      codes=", ".join(CARRIERS_BY_CODE)), "unknown_carrier")
        else:
            try:
                number = validate_tracking_number(code, row["tracking_number"])
            except ValidationFailed as exc:
                check.flag(n, "tracking_number", exc.message, exc.code)
        quantity = int(row["quantity"]) if row["quantity"].isdigit() else None
        if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            check.flag(n, "quantity", _("Use a whole number from 1 to %(n)d.", n=MAX_QUANTITY),
                      "invalid_quantity")
            quantity = None
        parsed.append((n, row, order, code, number, quantity))

    in_use = _numbers_in_use({(c, num) for _n, _r, _o, c, num, _q in parsed if c and num})
    parcels: dict[tuple[int, str, str], _Parcel] = {}
    owner_in_file: dict[tuple[str, str], tuple[int, int]] = {}
    # Rows already wrong claim no units, so the next rows of the line are judged fairly.
    already_bad = {p.row for p in check.problems}
    keyed: dict[tuple[int, str, str], list[int]] = {}
    for n, row, order, code, number, quantity in parsed:
        if order is None:
            continue
        if code and number:
            keyed.setdefault((order.id, code, number), []).append(n)
        if n in already_bad:
            quantity = None
        if code and number:
            if (code, number) in in_use:
                if in_use[(code, number)] == order.id:
                    check.flag(n, "tracking_number", _("Already shipped: %(number)s is recorded "
                                                      "for this order.", number=number),
                               "already_shipped")
                else:
                    check.flag(n, "tracking_number", _("%(number)s is already used by another "
                                                      "order.", number=number),
                               "tracking_number_taken")
                continue
            first = owner_in_file.setdefault((code, number), (order.id, n))
            if first[0] != order.id:
                check.flag(n, "tracking_number", _("%(number)s is also given to another order "
                                                  "in row %(row)d.", number=number, row=first[1]),
                           "tracking_number_taken")
                continue
        if order.status not in SHIPPABLE:
            check.flag(n, "order", _("Order %(ref)s cannot ship: nothing is left to send, or "
                                    "it is closed.", ref=order_reference(order)),
                      "order_not_shippable")
            continue
        line = next((li for li in order.lines if li.sku.lower() == row["sku"].lower()), None)
        if line is None:
            check.flag(n, "sku", _("SKU %(sku)s is not on order %(ref)s.",
                                  sku=row["sku"] or "—", ref=order_reference(order)),
                       "unknown_sku")
            continue
        if quantity is not None:
            left = check.left.get(line.id, 0)
            if quantity > left:
                check.flag(n, "quantity", _("Only %(n)d of %(sku)s left to ship.", n=left,
                                            sku=line.sku)
                          if left > 0 else _("Nothing of %(sku)s is left to ship.", sku=line.sku),
                          "ship_quantity_exceeded")
                continue
            check.left[line.id] = left - quantity
        warehouse_id = check.warehouse(n, row.get("warehouse", ""), order, line.variant_id)
        if not (code and number and quantity and warehouse_id):
            continue
        parcel = parcels.setdefault((order.id, code, number),
                                    _Parcel(order, code, number, warehouse_id))
        if parcel.warehouse_id != warehouse_id:
            check.flag(n, "warehouse", _("One parcel ships from one warehouse: this row names "
                                        "another than row %(row)d.", row=parcel.rows[0]),
                       "unknown_warehouse")
            continue
        parcel.lines[line.id] = parcel.lines.get(line.id, 0) + quantity
        parcel.rows.append(n)
    for key, parcel in parcels.items():
        parcel.all_rows = keyed[key]
    return list(parcels.values()), check.problems


def _as_problems(exc: DomainError, parcel: _Parcel) -> list[RowProblem]:
    column = "warehouse" if exc.code == "insufficient_stock" else \
        "tracking_number" if exc.code in ("tracking_number_taken", "invalid_tracking_number") \
        else "order"
    return [RowProblem(row, column, exc.message, exc.code) for row in parcel.rows]


def ship_from_csv(actor: User, store_id: int, data: bytes, *, valid_only: bool = False,
                  links: EmailLinks) -> BulkShipment:
    """Create the shipments a CSV describes: all of them, or (valid_only) the sound ones.

    Raises BulkShippingRejected listing every problem when the file has any and
    `valid_only` is off (or nothing is valid); the rows are then rolled back, and the
    caller rolls back too, to drop the notices the undone shipments had queued.
    """
    require_store_staff(actor, store_id)
    rows = read_rows(data)
    parcels, problems = plan_parcels(store_id, rows)
    bad_rows = {p.row for p in problems}
    created: list[Shipment] = []
    # Parcels with sound rows ship even when others are wrong, so that stock missing in a
    # warehouse is found too; without valid_only the savepoint then undoes them all.
    with db.session.begin_nested():
        for parcel in parcels:
            if bad_rows.intersection(parcel.all_rows):
                continue
            try:
                created.append(create_shipment(
                    actor, store_id, parcel.order.id, warehouse_id=parcel.warehouse_id,
                    carrier=parcel.carrier, tracking_number=parcel.number,
                    lines=[{"order_line_id": line_id, "quantity": quantity}
                           for line_id, quantity in parcel.lines.items()], links=links))
            except DomainError as exc:
                problems += _as_problems(exc, parcel)
        problems.sort(key=lambda p: p.row)
        if problems and (not valid_only or not created):
            raise BulkShippingRejected(problems)
    return BulkShipment(created, problems, len(rows))


def problem_rows(problems: list[RowProblem]) -> list[Mapping[str, object]]:
    """The problems as JSON-ready rows: row, column, code and message."""
    return [{"row": p.row, "column": p.column, "code": p.code, "message": p.message}
            for p in problems]
