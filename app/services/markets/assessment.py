"""What an assessment of a parcel's duties and taxes says: its lines, charges and allowance."""

from __future__ import annotations

from dataclasses import dataclass

from app.money import Money
from app.services.errors import DomainError


class ConsignmentLimitExceeded(DomainError):
    """The destination's import regime caps what one parcel may be worth."""

    code = "consignment_limit_exceeded"
    status = 422


@dataclass(frozen=True)
class DutiableLine:
    """One line of a consignment: its HS code, total value and country of origin.

    `origin_country` None: made where the parcel ships from.
    """

    hs_code: str
    value: Money
    origin_country: str | None = None
    # How many items `value` is for: a per-item limit compares each item's value.
    quantity: int = 1


@dataclass(frozen=True)
class Charge:
    """One duty or tax amount of an assessment, with the rule and source it comes from."""

    kind: str  # "duty", "tax" or "region_tax"
    label: str
    amount: Money
    rule: str
    source: str
    source_url: str
    # False: the carrier collects it on delivery (an estimate), not the checkout.
    at_checkout: bool = True


@dataclass(frozen=True)
class LineTreatment:
    """How one line was treated: its origin and the rate or preference that applied."""

    hs_code: str
    origin_country: str
    treatment: str
    # Whether the line's duty and tax are among those collected at checkout.
    at_checkout: bool = True


@dataclass(frozen=True)
class Relief:
    """Which allowance applied to a parcel, so a quote can say why it pays what it pays.

    `code`: "domestic", "no_rule", "exempt" (no duty, no import tax), "duty_exempt" (no
    duty, import tax due), "tax_exempt" (no import tax, duty due), "flat_duty" (a flat
    low-value duty instead of the rate), "over_allowance" (worth more than the allowance)
    or "no_allowance" (the destination has none). `threshold` is the allowance and `goods`
    the parcel's value, both in the rule's currency. `preference`: the name of the
    preference whose thresholds applied (CUSMA's courier limits), if one did.
    """

    code: str
    threshold: Money | None = None
    goods: Money | None = None
    preference: str = ""


@dataclass(frozen=True)
class Assessment:
    """Duties and taxes of one consignment, and when they are paid.

    `duties` and `taxes` are collected at checkout when `collected_at_checkout`, else they
    are the estimate due on delivery. Where a rule's checkout limit applies to each item,
    a parcel can be both: `due_on_delivery` is then what the carrier still collects for
    its dearer items, outside `duties` and `taxes`.
    """

    duties: Money
    taxes: Money
    collected_at_checkout: bool
    rule_id: int | None
    rule_name: str
    source: str
    source_url: str = ""
    charges: tuple[Charge, ...] = ()
    lines: tuple[LineTreatment, ...] = ()
    relief: Relief = Relief("no_rule")
    # The part of `taxes` charged on shipping: it goes back with a refund of the shipping,
    # not with the goods.
    shipping_taxes: Money | None = None
    due_on_delivery: Money | None = None

    @property
    def total(self) -> Money:
        """Duties plus taxes."""
        return self.duties + self.taxes

    @property
    def goods_taxes(self) -> Money:
        """The part of `taxes` charged on the goods (and their duty), shared by the lines."""
        return self.taxes - self.shipping_taxes if self.shipping_taxes else self.taxes
