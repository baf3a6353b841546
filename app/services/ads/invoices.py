"""Monthly invoices of an ad account's spend, drawn as PDF with reportlab.

A month's invoice lists what the account was charged in that month (UTC): campaign spend
(a campaign's budget reserved and what came back when it closed, netted per campaign),
partnership fees paid, guaranteed placements booked and refunded. Top-ups and their
refunds are payments, not spend: the invoice shows them in a summary only. Amounts
come from the ledger, so the invoice always agrees with the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdAccount, AdLedgerEntry, Campaign, Organization, Partnership, User
from app.money import Money

SPEND_KINDS = ("campaign_reserve", "campaign_release", "partnership_fee", "placement_charge",
               "placement_refund")
PAYMENT_KINDS = ("topup", "topup_refund")
CJK = "STSong-Light"


@dataclass(frozen=True)
class InvoiceLine:
    """One charged item of the month."""

    kind: str  # campaign, partnership, placement... (the ledger's reference type)
    name: str  # the campaign's name or the partnership's title, as the brand wrote it
    reference: str
    amount: Money  # positive: charged

    @property
    def description(self) -> str:
        """What the line is, in the current language."""
        if self.kind == "campaign":
            return _("Campaign: %(name)s", name=self.name)
        if self.kind == "partnership":
            return _("Partnership fee: %(name)s", name=self.name)
        return self.name


@dataclass(frozen=True)
class Invoice:
    """An account's charges in one calendar month."""

    account: AdAccount
    owner_name: str
    year: int
    month: int
    lines: list[InvoiceLine]
    total: Money
    paid_in: Money
    refunded: Money

    @property
    def number(self) -> str:
        """A stable invoice number: account and month."""
        return f"QAD-{self.account.id:05d}-{self.year}{self.month:02d}"


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def invoice_months(account: AdAccount) -> list[tuple[int, int]]:
    """(year, month) of every month the account had ledger activity, newest first."""
    dates = db.session.scalars(select(AdLedgerEntry.created_at)
                               .where(AdLedgerEntry.account_id == account.id))
    return sorted({(d.year, d.month) for d in dates}, reverse=True)


def build_invoice(account: AdAccount, year: int, month: int) -> Invoice:
    """The month's invoice (an empty one for a month without charges)."""
    start, end = _month_bounds(year, month)
    rows = db.session.execute(
        select(AdLedgerEntry.kind, AdLedgerEntry.reference_type, AdLedgerEntry.reference_id,
               func.sum(AdLedgerEntry.amount_minor))
        .where(AdLedgerEntry.account_id == account.id, AdLedgerEntry.created_at >= start,
               AdLedgerEntry.created_at < end)
        .group_by(AdLedgerEntry.kind, AdLedgerEntry.reference_type,
                  AdLedgerEntry.reference_id)).all()
    currency = account.currency
    per_reference: dict[tuple[str, int | None], int] = {}
    paid_in = refunded = 0
    for kind, ref_type, ref_id, amount in rows:
        if kind == "topup":
            paid_in += amount
        elif kind == "topup_refund":
            refunded -= amount
        elif kind in SPEND_KINDS:
            key = (ref_type or kind, ref_id)
            per_reference[key] = per_reference.get(key, 0) - amount
    names = _reference_names(per_reference)
    lines = [InvoiceLine(kind=key[0], name=names.get(key, f"{key[0]} {key[1]}"),
                         reference=f"{key[0]} #{key[1]}" if key[1] else key[0],
                         amount=Money(charged, currency))
             for key, charged in sorted(per_reference.items(), key=lambda i: (i[0][0],
                                                                                 i[0][1] or 0))
             if charged]
    total = sum((line.amount.minor for line in lines), 0)
    return Invoice(account=account, owner_name=_owner_name(account), year=year, month=month,
                   lines=lines, total=Money(total, currency), paid_in=Money(paid_in, currency),
                   refunded=Money(refunded, currency))


def _reference_names(keys) -> dict[tuple[str, int | None], str]:
    names: dict[tuple[str, int | None], str] = {}
    campaign_ids = [ref_id for kind, ref_id in keys if kind == "campaign" and ref_id]
    if campaign_ids:
        for cid, name in db.session.execute(select(Campaign.id, Campaign.name)
                                            .where(Campaign.id.in_(campaign_ids))):
            names[("campaign", cid)] = name
    partnership_ids = [ref_id for kind, ref_id in keys if kind == "partnership" and ref_id]
    if partnership_ids:
        for pid, title in db.session.execute(select(Partnership.id, Partnership.title)
                                             .where(Partnership.id.in_(partnership_ids))):
            names[("partnership", pid)] = title
    return names


def _owner_name(account: AdAccount) -> str:
    if account.organization_id is not None:
        return db.session.get(Organization, account.organization_id).name
    return db.session.get(User, account.user_id).display_name


def _font(text: str, bold: bool = False) -> str:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        if CJK not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        return CJK
    return "Helvetica-Bold" if bold else "Helvetica"


def _text(canvas: Canvas, x: float, y: float, text: str, size: float = 10, *,
          bold: bool = False, right: bool = False) -> None:
    text = "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)
    canvas.setFont(_font(text, bold), size)
    (canvas.drawRightString if right else canvas.drawString)(x, y, text)


def invoice_pdf(invoice: Invoice, language: str = "en") -> bytes:
    """The invoice as an A4 PDF in `language` (en or zh; names as the brand wrote them).

    Chinese uses the same CID font as the customs documents (STSong-Light): PDF readers
    bring its glyphs, so the file stays small and nothing is fetched at run time.
    """
    with force_locale(language if language in ("en", "zh") else "en"):
        return _draw_invoice(invoice, language)


def _draw_invoice(invoice: Invoice, language: str) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    left, right = 20 * mm, width - 20 * mm
    y = height - 25 * mm
    canvas.setTitle(_("Qiao advertising — invoice"))
    _text(canvas, left, y, _("Qiao advertising — invoice"), 16, bold=True)
    y -= 10 * mm
    for label, value in ((_("Invoice"), invoice.number),
                         (_("Period"), _("%(month)s (UTC)",
                                         month=f"{invoice.year}-{invoice.month:02d}")),
                         (_("Billed to"), invoice.owner_name),
                         (_("Currency"), invoice.account.currency)):
        _text(canvas, left, y, label, bold=True)
        _text(canvas, left + 35 * mm, y, value)
        y -= 6 * mm
    y -= 6 * mm
    _text(canvas, left, y, _("Item"), bold=True)
    _text(canvas, left + 110 * mm, y, _("Reference"), bold=True)
    _text(canvas, right, y, _("Amount"), bold=True, right=True)
    y -= 2 * mm
    canvas.line(left, y, right, y)
    y -= 6 * mm
    for line in invoice.lines:
        if y < 30 * mm:
            canvas.showPage()
            y = height - 25 * mm
        _text(canvas, left, y, line.description[:70])
        _text(canvas, left + 110 * mm, y, line.reference)
        _text(canvas, right, y, line.amount.format(language), right=True)
        y -= 6 * mm
    if not invoice.lines:
        _text(canvas, left, y, _("No charges this month."))
        y -= 6 * mm
    canvas.line(left, y + 3 * mm, right, y + 3 * mm)
    y -= 3 * mm
    _text(canvas, left, y, _("Total charged"), bold=True)
    _text(canvas, right, y, invoice.total.format(language), bold=True, right=True)
    y -= 10 * mm
    _text(canvas, left, y, _("Top-ups received this month: %(paid)s; refunded to card: "
                             "%(refunded)s.", paid=invoice.paid_in.format(language),
                             refunded=invoice.refunded.format(language)), 9)
    y -= 5 * mm
    _text(canvas, left, y, _("Charges are paid from the prepaid balance; this invoice is a "
                             "statement, nothing further is due."), 9)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
