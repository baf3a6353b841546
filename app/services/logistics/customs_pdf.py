"""Drawing customs documents with reportlab: CN22 label, CN23, commercial invoice, packing slip.

The forms are in English, with the French captions the UPU forms carry, whatever the
merchant's language: customs officers and carriers read them, not the merchant. Text that
is not Latin-1 (Chinese titles and addresses) is set in STSong-Light, one of the Adobe CID
fonts reportlab knows by name: PDF readers bring its glyphs, so nothing is downloaded or
embedded and rendering works offline. Amounts are printed from `Money.amount` (exact
Decimal) and weights from integer grams; no float reaches the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from io import BytesIO

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from app.services.logistics.customs_declaration import CustomsDeclaration, Party

LATIN, LATIN_BOLD, CJK = "Helvetica", "Helvetica-Bold", "STSong-Light"
# A CN22 is a label: 4 x 6 inches fits thermal label printers; the rest are A4 sheets.
LABEL = (4 * inch, 6 * inch)
CATEGORIES = ("Gift", "Commercial sample", "Documents", "Returned goods", "Sale of goods",
              "Other")
UPU_DECLARATION = (
    "I, the undersigned, whose name and address are given on the item, certify that the "
    "particulars given in this declaration are correct and that this item does not contain "
    "any dangerous article or articles prohibited by legislation or by postal or customs "
    "regulations.")
# After the description of a split parcel's items whose duties and taxes were paid.
PAID_MARK = " (*)"
INVOICE_DECLARATION = ("I declare that the information in this invoice is true and correct "
                       "and that the contents of this shipment are as stated above.")


@cache
def _cjk_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    return CJK


def printable(text: str) -> str:
    """Text a PDF font can carry: control characters and non-BMP symbols become spaces/'?'."""
    out = []
    for char in unicodedata.normalize("NFC", text or ""):
        if ord(char) > 0xFFFF:
            out.append("?")  # the CID font's 2-byte encoding cannot address emoji and the like
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def font_for(text: str, *, bold: bool = False) -> str:
    """Helvetica for Latin-1 text, STSong-Light for anything else (Chinese)."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return _cjk_font()
    return LATIN_BOLD if bold else LATIN


def wrap(text: str, font: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    """Lines of `text` no wider than `width`, by words, or by characters for CJK runs."""
    lines: list[str] = []
    current = ""
    # Words for Latin text; each CJK character may break anywhere.
    tokens = text.split(" ") if font != CJK else list(text)
    joiner = " " if font != CJK else ""
    for token in tokens:
        candidate = f"{current}{joiner}{token}" if current else token
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = token
        while pdfmetrics.stringWidth(current, font, size) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and pdfmetrics.stringWidth(current[:cut], font, size) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…" if font == CJK else lines[-1][:-2] + "..."
    return lines or [""]


def kilograms(grams: int | None) -> str:
    """Integer grams as kilograms with 3 decimals ("" when unknown)."""
    return "" if grams is None else f"{Decimal(grams).scaleb(-3):.3f}"


@dataclass(frozen=True)
class Column:
    """A table column: caption, width in points, right-aligned or not."""

    caption: str
    width: float
    right: bool = False


class Sheet:
    """A canvas with a cursor that moves down and starts a new page when it runs out."""

    def __init__(self, canvas: Canvas, title: str, margin: float, size: float) -> None:
        self.canvas = canvas
        self.title = title
        self.margin = margin
        self.size = size
        self.width, self.height = canvas._pagesize
        self.y = self.height - margin
        self.page = 1

    @property
    def inner_width(self) -> float:
        """Width between the margins."""
        return self.width - 2 * self.margin

    def text(self, x: float, text: str, *, size: float | None = None, bold: bool = False,
             right: bool = False, y: float | None = None) -> None:
        """One line of text at the cursor (or `y`); right-aligned on `x` when asked."""
        text = printable(str(text))
        size = size or self.size
        font = font_for(text, bold=bold)
        self.canvas.setFont(font, size)
        y = self.y if y is None else y
        if right:
            self.canvas.drawRightString(x, y, text)
        else:
            self.canvas.drawString(x, y, text)

    def line(self, text: str, *, bold: bool = False) -> None:
        """A line of text at the left margin, then the cursor moves to the next line."""
        self.text(self.margin, text, bold=bold)
        self.down(self.size * 1.4)

    def down(self, points: float) -> None:
        """Move the cursor down."""
        self.y -= points

    def need(self, points: float) -> bool:
        """Start a new page unless `points` still fit; True when a page was started."""
        if self.y - points >= self.margin:
            return False
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - self.margin
        self.text(self.margin, f"{self.title} (continued, page {self.page})", bold=True)
        self.down(self.size * 2)
        return True

    def rule(self) -> None:
        """A thin horizontal line across the page at the cursor."""
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.margin, self.y, self.width - self.margin, self.y)

    def paragraph(self, text: str, *, size: float | None = None, bold: bool = False,
                  max_lines: int = 8) -> None:
        """Wrapped text across the page width."""
        size = size or self.size
        text = printable(text)
        for line in wrap(text, font_for(text, bold=bold), size, self.inner_width, max_lines):
            self.need(size * 1.3)
            self.text(self.margin, line, size=size, bold=bold)
            self.down(size * 1.3)

    def party(self, x: float, width: float, caption: str, party: Party) -> float:
        """A labelled address block from `x`; returns its height (the cursor stays)."""
        size = self.size
        y = self.y
        lines = [party.name, *party.address_lines, party.country]
        if party.phone:
            lines.append(f"Tel. {party.phone}")
        self.text(x, caption, bold=True, y=y, size=size * 0.9)
        y -= size * 1.3
        for raw in lines:
            text = printable(raw)
            for line in wrap(text, font_for(text), size, width, 2):
                self.text(x, line, y=y)
                y -= size * 1.25
        return self.y - y

    def barcode(self, number: str, *, x: float, width: float, bar_height: float) -> float:
        """`number` as Code 128 with the digits under it, fitted into `width`; its height."""
        barcode = Code128(number, barHeight=bar_height, barWidth=0.33 * mm)
        if barcode.width > width:
            barcode = Code128(number, barHeight=bar_height,
                              barWidth=0.33 * mm * width / barcode.width)
        barcode.drawOn(self.canvas, x, self.y - bar_height)
        # The digits are drawn apart from the bars: reportlab's own caption overlaps them.
        self.canvas.setFont(LATIN, self.size)
        self.canvas.drawCentredString(x + barcode.width / 2, self.y - bar_height - self.size * 1.2,
                                      number)
        return bar_height + self.size * 1.6

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
              wrap_column: int = 0) -> None:
        """A table with a header row repeated on each page; `wrap_column` wraps to 3 lines."""
        size = self.size
        line_height = size * 1.25

        def header() -> None:
            self.canvas.setLineWidth(0.5)
            x = self.margin
            self.need(line_height * 2)
            for column in columns:
                for offset, part in enumerate(column.caption.split("\n")):
                    at = x + column.width - 2 if column.right else x + 2
                    self.text(at, part, size=size * 0.85, bold=True, right=column.right,
                              y=self.y - offset * size)
                x += column.width
            self.down(line_height * 2 - size * 0.4)
            self.rule()
            self.down(line_height)

        header()
        for row in rows:
            cells = [printable(str(value)) for value in row]
            wrapped = wrap(cells[wrap_column], font_for(cells[wrap_column]), size,
                           columns[wrap_column].width - 4)
            if self.need(line_height * len(wrapped)):
                header()
            x = self.margin
            for index, (column, cell) in enumerate(zip(columns, cells, strict=True)):
                parts = wrapped if index == wrap_column else [cell]
                for offset, part in enumerate(parts):
                    at = x + column.width - 2 if column.right else x + 2
                    self.text(at, part, right=column.right, y=self.y - offset * line_height)
                x += column.width
            self.down(line_height * len(wrapped))
        self.down(-line_height * 0.6)
        self.rule()
        self.down(line_height)


# The four documents --------------------------------------------------------------------
def _header(sheet: Sheet, title: str, subtitle: str, tracking_number: str | None) -> None:
    size, margin = sheet.size, sheet.margin
    top = sheet.y
    sheet.text(margin, title, size=size * 1.8, bold=True, y=top - size * 1.6)
    sheet.text(margin, subtitle, size=size * 0.9, y=top - size * 2.9)
    bottom = top - size * 3.6
    if tracking_number:
        if sheet.width < 5 * inch:  # a label: the barcode gets the full width under the title
            sheet.y = bottom - size * 0.5
            x, width = margin, sheet.inner_width
        else:
            sheet.y = top
            x, width = margin + sheet.inner_width / 2, sheet.inner_width / 2
        bottom = min(bottom, sheet.y - sheet.barcode(tracking_number, x=x, width=width,
                                                     bar_height=12 * mm))
    sheet.y = bottom - size * 0.5
    sheet.rule()
    sheet.down(size * 1.5)


def _parties(sheet: Sheet, left: tuple[str, Party], right: tuple[str, Party]) -> None:
    half = sheet.inner_width / 2
    used = max(sheet.party(sheet.margin, half - 6, *left),
               sheet.party(sheet.margin + half, half - 6, *right))
    sheet.down(used + sheet.size * 0.5)
    sheet.rule()
    sheet.down(sheet.size * 1.5)


def _categories(sheet: Sheet, chosen: str) -> None:
    x = sheet.margin
    for name in CATEGORIES:
        width = pdfmetrics.stringWidth(name, LATIN, sheet.size * 0.9) + sheet.size * 2
        if x + width > sheet.width - sheet.margin:
            x = sheet.margin
            sheet.down(sheet.size * 1.4)
        box = sheet.size * 0.8
        sheet.canvas.rect(x, sheet.y - 1, box, box)
        if name == chosen:
            sheet.text(x + 1, "X", size=sheet.size * 0.9, bold=True)
        sheet.text(x + box + 3, name, size=sheet.size * 0.9)
        x += width
    sheet.down(sheet.size * 1.8)


def _registration(sheet: Sheet, declaration: CustomsDeclaration, *, bold: bool = True) -> None:
    if declaration.tax_registration is not None:
        label, number = declaration.tax_registration
        sheet.line(f"{label}: {number}", bold=bold)


def _collection_note(sheet: Sheet, declaration: CustomsDeclaration) -> None:
    """A split parcel's terms: which items' duties and taxes were paid, which are due."""
    if declaration.is_split:
        paid = declaration.duties_and_taxes
        sheet.paragraph(f"Duties and taxes on the items marked {PAID_MARK.strip()} were paid "
                        f"at checkout ({paid.amount} {paid.currency}). Import duties and "
                        "taxes on the other items are payable by the consignee on delivery.",
                        bold=True)


def _declaration_rows(declaration: CustomsDeclaration, *, unit_values: bool = False
                      ) -> list[list[str]]:
    rows = []
    for line in declaration.lines:
        # Only a split parcel marks lines: elsewhere the terms of sale say it for all.
        mark = PAID_MARK if declaration.is_split and line.paid_at_checkout else ""
        row = [line.description + mark, str(line.quantity), kilograms(line.net_weight_grams)]
        if unit_values:
            row.append(str(line.unit_value.amount))
        row += [str(line.value.amount), line.hs_code or "", line.origin_country or ""]
        rows.append(row)
    return rows


def _signature(sheet: Sheet, declaration: CustomsDeclaration, text: str) -> None:
    sheet.paragraph(text, size=sheet.size * 0.85)
    sheet.need(sheet.size * 3)
    sheet.down(sheet.size)
    sheet.text(sheet.margin, f"Date and sender's signature: "
               f"{declaration.issued_at:%Y-%m-%d}   {declaration.sender.name}")
    sheet.down(sheet.size * 1.5)


@dataclass(frozen=True)
class CnForm:
    """What sets one UPU customs form apart from the other; the rest is drawn alike."""

    title: str
    label: bool  # a 4 x 6 inch label rather than an A4 sheet
    # (caption, share of the width) per column; "{currency}" is filled in; all but the
    # description are right-aligned.
    columns: tuple[tuple[str, float], ...]
    postal_details: bool  # charges, terms, the invoice and the importer's telephone


CN_FORMS = {
    "cn22": CnForm("CN 22", label=True, postal_details=False, columns=(
        ("Description", 0.36), ("Qty", 0.08), ("Weight\n(kg)", 0.13),
        ("Value\n({currency})", 0.15), ("HS tariff\nnumber", 0.17), ("Origin", 0.11))),
    "cn23": CnForm("CN 23", label=False, postal_details=True, columns=(
        ("Detailed description of contents", 0.40), ("Quantity", 0.09),
        ("Net weight\n(kg)", 0.12), ("Value\n({currency})", 0.13),
        ("HS tariff\nnumber", 0.14), ("Country of\norigin", 0.12))),
}


def _draw_cn(sheet: Sheet, declaration: CustomsDeclaration, form: CnForm,
             tracking_number: str | None) -> None:
    _header(sheet, f"CUSTOMS DECLARATION {form.title}",
            "May be opened officially / Peut être ouvert d'office", tracking_number)
    _parties(sheet, ("From / Expéditeur", declaration.sender),
             ("To / Destinataire", declaration.recipient))
    _categories(sheet, declaration.category)
    currency = declaration.currency
    w = sheet.inner_width
    columns = [Column(caption.format(currency=currency), w * share, index > 0)
               for index, (caption, share) in enumerate(form.columns)]
    sheet.table(columns, _declaration_rows(declaration))
    sheet.need(sheet.size * 6)
    sheet.text(sheet.margin, f"Total weight: {kilograms(declaration.total_weight_grams)} kg",
               bold=True)
    sheet.text(sheet.width - sheet.margin,
               f"Total value: {declaration.total_value.amount} {currency}", bold=True,
               right=True)
    sheet.down(sheet.size * 1.5)
    if form.postal_details:
        sheet.line(f"Postal charges / Fees: {declaration.shipping.amount} {currency}   "
                   f"Terms: {declaration.incoterm}")
        sheet.line(f"Licence / Certificate / Invoice: invoice {declaration.reference}")
        if declaration.recipient.phone:
            sheet.line(f"Importer's telephone: {declaration.recipient.phone}")
    sheet.line(f"Sender's reference: {declaration.reference}")
    _collection_note(sheet, declaration)
    _registration(sheet, declaration)
    _signature(sheet, declaration, UPU_DECLARATION)


def _draw_invoice(sheet: Sheet, declaration: CustomsDeclaration,
                  tracking_number: str | None) -> None:
    _header(sheet, "COMMERCIAL INVOICE", f"Invoice {declaration.reference} · "
            f"{declaration.issued_at:%Y-%m-%d}", tracking_number)
    _parties(sheet, ("Seller / Exporter", declaration.sender),
             ("Buyer / Consignee", declaration.recipient))
    currency = declaration.currency
    facts = [f"Currency: {currency}", f"Terms of sale: {declaration.incoterm}",
             f"Reason for export: {declaration.category}"]
    sheet.text(sheet.margin, "   ".join(facts))
    sheet.down(sheet.size * 2)
    w = sheet.inner_width
    columns = [Column("Description", w * 0.34), Column("Qty", w * 0.07, True),
               Column("Net weight\n(kg)", w * 0.11, True), Column("Unit value", w * 0.12, True),
               Column(f"Total\n({currency})", w * 0.12, True),
               Column("HS code", w * 0.13, True), Column("Origin", w * 0.11, True)]
    sheet.table(columns, _declaration_rows(declaration, unit_values=True))
    totals = [("Goods", declaration.total_value), ("Shipping", declaration.shipping)]
    if declaration.collected_at_checkout:
        totals.append(("Duties and taxes paid", declaration.duties_and_taxes))
    grand = sum((amount for _, amount in totals[1:]), declaration.total_value)
    totals.append(("Invoice total", grand))
    for label, amount in totals:
        sheet.need(sheet.size * 1.5)
        sheet.text(sheet.width - sheet.margin, f"{label}: {amount.amount} {currency}",
                   right=True, bold=label == "Invoice total")
        sheet.down(sheet.size * 1.4)
    sheet.line(f"Total net weight: {kilograms(declaration.total_weight_grams)} kg")
    _collection_note(sheet, declaration)
    _registration(sheet, declaration)
    _signature(sheet, declaration, INVOICE_DECLARATION)


def _draw_packing_slip(sheet: Sheet, declaration: CustomsDeclaration,
                       tracking_number: str | None) -> None:
    _header(sheet, "PACKING SLIP", f"Order {declaration.reference} · "
            f"{declaration.issued_at:%Y-%m-%d}", tracking_number)
    _parties(sheet, ("Ship from", declaration.sender), ("Ship to", declaration.recipient))
    w = sheet.inner_width
    columns = [Column("SKU", w * 0.16), Column("Description", w * 0.38),
               Column("Qty", w * 0.08, True), Column("Net weight\n(kg)", w * 0.13, True),
               Column("HS code", w * 0.14, True), Column("Origin", w * 0.11, True)]
    rows = [[line.sku, line.description, str(line.quantity),
             kilograms(line.net_weight_grams), line.hs_code or "", line.origin_country or ""]
            for line in declaration.lines]
    sheet.table(columns, rows, wrap_column=1)
    units = sum(line.quantity for line in declaration.lines)
    sheet.text(sheet.margin, f"Units: {units}   Total net weight: "
               f"{kilograms(declaration.total_weight_grams)} kg", bold=True)
    sheet.down(sheet.size * 1.5)
    _registration(sheet, declaration, bold=False)


def draw_document(kind: str, declaration: CustomsDeclaration, *,
                  tracking_number: str | None = None, compress: bool = True) -> bytes:
    """PDF bytes of `kind` for `declaration` (rules already checked by the caller)."""
    buffer = BytesIO()
    form = CN_FORMS.get(kind)
    label = form is not None and form.label
    # Uncompressed output is for reading the text back (tests): make it byte-stable too.
    canvas = Canvas(buffer, pagesize=LABEL if label else A4, pageCompression=int(compress),
                    invariant=int(not compress))
    title = form.title if form else {"commercial-invoice": "Commercial invoice",
                                     "packing-slip": "Packing slip"}[kind]
    canvas.setTitle(f"{title} {declaration.reference}")
    canvas.setAuthor(declaration.sender.name)
    sheet = Sheet(canvas, f"{title} {declaration.reference}",
                  margin=5 * mm if label else 15 * mm, size=6.5 if label else 9)
    if form:
        _draw_cn(sheet, declaration, form, tracking_number)
    elif kind == "commercial-invoice":
        _draw_invoice(sheet, declaration, tracking_number)
    else:
        _draw_packing_slip(sheet, declaration, tracking_number)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
