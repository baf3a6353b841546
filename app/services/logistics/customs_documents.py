"""Customs documents for cross-border parcels: CN22, CN23, commercial invoice, packing slip.

`gather_customs_declaration` collects what every document prints (sender, recipient, one
row per line still to ship with description, quantity, net weight, value, HS code and
origin, totals, the platform's tax registration); `render_customs_document` checks the
rules of the kind asked for and draws the PDF (`customs_pdf`). Nothing here writes.

The CN22 / CN23 rule (UPU Convention, Regulations article 20-001): a CN22 may declare
contents worth up to 300 SDR; above that the parcel needs a CN23. ECB publishes no SDR
rate, so the value goes to USD through the fx service (the mid-market rate, no conversion
fee: customs values the goods, not our margin) and is compared with 300 x
CUSTOMS_USD_PER_SDR, exactly, in Decimal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Order, Product, ProductVariant, User, Warehouse
from app.money import Money
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.fx import lock_rate
from app.services.logistics import customs_pdf
from app.services.logistics.customs_declaration import (
    CustomsDeclaration,
    DeclarationLine,
    Party,
)
from app.services.permissions import not_found_in_organization, require_store_staff
from app.services.regions import EU_COUNTRIES

DOCUMENT_KINDS = ("cn22", "cn23", "commercial-invoice", "packing-slip")
# The documents customs reads: every line needs an HS code, an origin and a weight.
CUSTOMS_KINDS = frozenset({"cn22", "cn23", "commercial-invoice"})
CN22_LIMIT_SDR = Decimal(300)
LIMIT_PRECISION = 100  # significant digits: 300 x any configured rate, without rounding
# Orders whose goods have left or will never leave get no documents.
DOCUMENTED_STATUSES = frozenset({"paid", "fulfilling", "partially_shipped", "shipped",
                                 "delivered", "completed", "partially_refunded"})
# Code 128 carries any printable ASCII; carriers' numbers are letters and digits.
TRACKING_NUMBER = re.compile(r"[A-Z0-9]{6,40}")


class Cn23Required(ValidationFailed):
    """The contents are worth more than a CN22 may declare (300 SDR)."""

    code = "cn23_required"


class OrderNotShippable(Conflict):
    """The order is unpaid, cancelled or fully refunded: there is nothing to declare."""

    code = "order_not_shippable"


class CustomsDataMissing(ValidationFailed):
    """A product lacks the HS code, origin or weight a customs document must show."""

    code = "customs_data_missing"


class NoShippingWarehouse(Conflict):
    """The store has no active warehouse to name as the sender's address."""

    code = "no_active_warehouse"


@dataclass(frozen=True)
class CustomsDocument:
    """A rendered document: PDF bytes and a file name to offer."""

    kind: str
    filename: str
    content: bytes
    media_type: str = "application/pdf"


# Settings --------------------------------------------------------------------------------
def usd_per_sdr() -> Decimal:
    """CUSTOMS_USD_PER_SDR as a positive Decimal (a bad setting is a deployment error)."""
    raw = str(current_app.config["CUSTOMS_USD_PER_SDR"]).strip()
    try:
        rate = Decimal(raw)
    except InvalidOperation:
        rate = Decimal(0)
    if not rate.is_finite() or rate <= 0:
        raise RuntimeError(f"CUSTOMS_USD_PER_SDR={raw!r} is not a positive decimal number.")
    return rate


def tax_registration_for(country: str, collected_at_checkout: bool) -> tuple[str, str] | None:
    """The platform's IOSS (EU), UK VAT, AU GST or SG GST number to print, when tax was
    collected at checkout (for a split Singapore parcel, on the items up to SGD 400).
    """
    if not collected_at_checkout:
        return None
    country = (country or "").upper()
    if country in EU_COUNTRIES:
        label, setting = "IOSS", "PLATFORM_IOSS_NUMBER"
    elif country == "GB":
        label, setting = "UK VAT", "PLATFORM_UK_VAT_NUMBER"
    elif country == "AU":
        label, setting = "AU GST (ARN)", "PLATFORM_AU_GST_NUMBER"
    elif country == "SG":
        label, setting = "SG GST", "PLATFORM_SG_GST_NUMBER"
    else:
        return None
    number = str(current_app.config.get(setting) or "").strip()
    return (label, number) if number else None


# Gathering --------------------------------------------------------------------------------
def _load_order(actor: User | None, store_id: int, order_id: int) -> Order:
    store = require_store_staff(actor, store_id)
    order = db.session.scalar(select(Order).where(Order.id == order_id,
                                                  Order.store_id == store.id))
    if order is None:
        raise not_found_in_organization()
    return order


def shipping_warehouse(order: Order) -> Warehouse:
    """The store's first active warehouse in its origin country, else its first active one."""
    warehouses = db.session.scalars(
        select(Warehouse).where(Warehouse.store_id == order.store_id,
                                Warehouse.is_active.is_(True)).order_by(Warehouse.id)).all()
    if not warehouses:
        raise NoShippingWarehouse(_("Add an active warehouse to the store: customs documents "
                                    "print it as the sender's address."))
    origin = order.store.origin_country
    return next((w for w in warehouses if w.country == origin), warehouses[0])


def _sender(order: Order, warehouse: Warehouse) -> Party:
    lines = (warehouse.address_line1, warehouse.address_line2,
             " ".join(p for p in (warehouse.postal_code, warehouse.city) if p),
             warehouse.region)
    return Party(name=order.store.name, address_lines=tuple(p for p in lines if p),
                 country=warehouse.country)


def _recipient(order: Order) -> Party:
    address = order.shipping_address or {}
    lines = (address.get("line1", ""), address.get("line2", ""),
             " ".join(p for p in (address.get("postal_code", ""), address.get("city", ""))
                      if p),
             address.get("region", ""))
    return Party(name=address.get("name", ""), address_lines=tuple(p for p in lines if p),
                 country=(address.get("country") or "").upper(),
                 phone=address.get("phone", ""))


def gather_customs_declaration(actor: User | None, store_id: int, order_id: int
                               ) -> CustomsDeclaration:
    """The declaration data of one of the store's orders; others answer 404."""
    order = _load_order(actor, store_id, order_id)
    if order.status not in DOCUMENTED_STATUSES:
        raise OrderNotShippable(
            _("Customs documents are for paid orders; this order is %(status)s.",
              status=order.status))
    sender = _sender(order, shipping_warehouse(order))
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_({line.product_id for line in order.lines})))}
    variants = {v.id: v for v in db.session.scalars(
        select(ProductVariant).where(
            ProductVariant.id.in_({line.variant_id for line in order.lines})))}
    # When each line's duties and taxes are paid, as quoted (a split parcel has both).
    due = {o["variant_id"]: o["due"] for o in (order.assessment or {}).get("origins", [])
           if "variant_id" in o and "due" in o}
    rows = []
    for line in order.lines:
        # Refunded units stay behind: the parcel holds only what is still owed.
        quantity = line.quantity - line.refunded_quantity
        if quantity <= 0:
            continue
        product = products[line.product_id]
        weight = variants[line.variant_id].effective_weight_grams
        unit = Money(line.unit_price_minor, order.currency)
        rows.append(DeclarationLine(
            sku=line.sku, description=(product.title_en or line.title).strip(),
            quantity=quantity, unit_value=unit, value=unit.times(quantity),
            net_weight_grams=None if weight is None else weight * quantity,
            hs_code=product.hs_code or None, origin_country=product.origin_country or None,
            paid_at_checkout=due[line.variant_id] == "checkout" if line.variant_id in due
            else None))
    if not rows:
        raise OrderNotShippable(_("Every unit of this order was refunded: nothing to ship."))
    total = sum((row.value for row in rows), Money.zero(order.currency))
    recipient = _recipient(order)
    return CustomsDeclaration(
        order_id=order.id, reference=f"{order.checkout_reference}-{order.id}",
        issued_at=order.paid_at or order.created_at, currency=order.currency,
        sender=sender, recipient=recipient, lines=tuple(rows), total_value=total,
        shipping=Money(order.shipping_minor, order.currency),
        duties_and_taxes=Money(order.duties_minor + order.taxes_minor, order.currency),
        collected_at_checkout=order.collected_at_checkout,
        tax_registration=tax_registration_for(recipient.country,
                                              order.collected_at_checkout),
        due_on_delivery=Money(order.due_on_delivery_minor, order.currency))


# Rules ------------------------------------------------------------------------------------
def value_in_usd(amount: Money) -> Money:
    """`amount` in USD at the newest fresh mid-market rate (the fx service's errors if none)."""
    if amount.currency == "USD":
        return amount
    locked = lock_rate(amount.currency, "USD")
    return amount.convert(locked.mid_rate, "USD")


def fits_cn22(declaration: CustomsDeclaration) -> bool:
    """Whether the declared contents are worth at most 300 SDR."""
    usd = value_in_usd(declaration.total_value).amount
    with localcontext(prec=LIMIT_PRECISION):  # exact: the default 28 digits would round
        return usd <= CN22_LIMIT_SDR * usd_per_sdr()


def check_customs_data(declaration: CustomsDeclaration) -> None:
    """Refuse, naming each SKU and what it lacks, when a line cannot be declared."""
    missing: dict[str, list[str]] = {}
    for line in declaration.lines:
        gaps = [label for label, value in ((_("HS code"), line.hs_code),
                                           (_("country of origin"), line.origin_country),
                                           (_("weight"), line.net_weight_grams))
                if value is None]
        if gaps:
            missing[line.sku] = [_("Add the %(what)s to the product.", what=", ".join(gaps))]
    if missing:
        raise CustomsDataMissing(
            _("Customs documents need an HS code, a country of origin and a weight for "
              "every item: %(skus)s.", skus=", ".join(sorted(missing))), fields=missing)


def normalize_tracking_number(raw: str | None) -> str | None:
    """Upper-case without spaces or dashes; None for none; ValidationFailed if unusable."""
    if raw is None:
        return None
    number = re.sub(r"[\s-]", "", raw).upper()
    if not number:
        return None
    if not TRACKING_NUMBER.fullmatch(number):
        raise ValidationFailed(
            _("A tracking number is 6 to 40 letters and digits."),
            code="invalid_tracking_number",
            fields={"tracking_number": [_("Use only letters and digits (6 to 40).")]})
    return number


def render_customs_document(actor: User | None, store_id: int, order_id: int, kind: str, *,
                            tracking_number: str | None = None,
                            compress: bool = True) -> CustomsDocument:
    """One of DOCUMENT_KINDS for the store's order as PDF; CN22 over 300 SDR is refused."""
    if kind not in DOCUMENT_KINDS:
        raise NotFound(_("No such document."), code="unknown_document")
    number = normalize_tracking_number(tracking_number)
    declaration = gather_customs_declaration(actor, store_id, order_id)
    if kind in CUSTOMS_KINDS:
        check_customs_data(declaration)
    if kind == "cn22" and not fits_cn22(declaration):
        raise Cn23Required(
            _("The contents are worth more than 300 SDR, the most a CN22 may declare: "
              "print a CN23 instead."))
    content = customs_pdf.draw_document(kind, declaration, tracking_number=number,
                                        compress=compress)
    return CustomsDocument(kind=kind, filename=f"{kind}-{declaration.reference}.pdf",
                           content=content)
