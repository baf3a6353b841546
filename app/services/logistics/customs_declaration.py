"""What a customs document declares: the parties, the item rows and the totals of an order.

Built by `customs_documents.gather_customs_declaration` and drawn by `customs_pdf`; kept in a
module of its own so the drawing code depends on the data, not on the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.money import Money

CATEGORY = "Sale of goods"


@dataclass(frozen=True)
class Party:
    """A sender or recipient as printed: name, address lines, country, phone."""

    name: str
    address_lines: tuple[str, ...]
    country: str
    phone: str = ""


@dataclass(frozen=True)
class DeclarationLine:
    """One item row: what, how many, how heavy and worth what, and where it was made."""

    sku: str
    description: str
    quantity: int
    unit_value: Money
    value: Money
    net_weight_grams: int | None
    hs_code: str | None
    origin_country: str | None
    # Whether the line's duties and taxes were paid at checkout; None where the order does
    # not record it per line (orders from before the record).
    paid_at_checkout: bool | None = None


@dataclass(frozen=True)
class CustomsDeclaration:
    """Everything the four documents print for one order."""

    order_id: int
    reference: str
    issued_at: datetime
    currency: str
    sender: Party
    recipient: Party
    lines: tuple[DeclarationLine, ...]
    total_value: Money
    shipping: Money
    duties_and_taxes: Money
    collected_at_checkout: bool
    # ("IOSS", "IM...") when the platform collected the destination's tax at checkout.
    tax_registration: tuple[str, str] | None
    category: str = CATEGORY
    # The estimate the consignee pays on delivery: all of it when not collected at checkout,
    # else the part a per-item limit leaves to delivery (Singapore's items over SGD 400).
    due_on_delivery: Money | None = None

    @property
    def total_weight_grams(self) -> int:
        """Net weight of all lines (lines without a weight count as 0)."""
        return sum(line.net_weight_grams or 0 for line in self.lines)

    @property
    def is_split(self) -> bool:
        """Some items' duties and taxes were paid at checkout, the others' are due on delivery."""
        return self.collected_at_checkout and bool(self.due_on_delivery and
                                                   self.due_on_delivery.minor)

    @property
    def incoterm(self) -> str:
        """DDP when every duty and tax was paid at checkout, else DAP: the consignee pays
        import charges on delivery, for the whole parcel or for the items a split leaves.
        """
        return "DAP" if not self.collected_at_checkout or self.is_split else "DDP"
