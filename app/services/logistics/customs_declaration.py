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

    @property
    def total_weight_grams(self) -> int:
        """Net weight of all lines (lines without a weight count as 0)."""
        return sum(line.net_weight_grams or 0 for line in self.lines)

    @property
    def incoterm(self) -> str:
        """DDP when duties and taxes were paid at checkout, else DAP (due on delivery)."""
        return "DDP" if self.collected_at_checkout else "DAP"
