"""What every merchant portal page shares: the store, the viewer's role, tabs and paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from babel.numbers import format_decimal
from flask import render_template, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from app.models import Membership, Store
from app.money import Money
from app.services.permissions import ROLE_RANK, membership_of, require_store_staff

PAGE_SIZE = 25
# The CSV import/export lives in its own blueprint; the portal links to it when it exists.


@dataclass(frozen=True)
class Portal:
    """The store a portal page is about and the viewer's membership in its organisation."""

    store: Store
    membership: Membership

    @property
    def can_manage(self) -> bool:
        """Owners and admins change settings and warehouses; staff see them."""
        return self.membership.role in ("owner", "admin")

    def has_role(self, min_role: str) -> bool:
        """True when the viewer's role is `min_role` or above (owner > admin > staff)."""
        return ROLE_RANK[self.membership.role] >= ROLE_RANK[min_role]


def open_portal(store_id: int) -> Portal:
    """The portal of a store the current user works for; another store answers 404."""
    store = require_store_staff(current_user, store_id)
    membership = membership_of(current_user, store.organization_id)
    assert membership is not None  # require_store_staff has just found it
    return Portal(store=store, membership=membership)


def format_money(minor: int | None, currency: str) -> str:
    """A minor-unit amount for display in the page's language ("" for none)."""
    if minor is None:
        return ""
    return Money(minor, currency).format(str(get_locale() or "en"))


def format_rate(rate: Decimal, base: str, quote: str) -> str:
    """An exchange rate as people read it: "1 USD = 151.9506 JPY" (six significant digits)."""
    shown = rate.quantize(Decimal(1).scaleb(min(0, rate.adjusted() - 5)))
    number = format_decimal(shown, format="#,##0.######", locale=str(get_locale() or "en"))
    return f"1 {base} = {number} {quote}"


def plain_amount(minor: int | None, currency: str) -> str:
    """A minor-unit amount as a form field value, e.g. "19.99"."""
    return "" if minor is None else str(Money(minor, currency).amount)


def render_portal(template: str, portal: Portal, *, status: int = 200, tab: str = "",
                  **context):
    """Render a portal page with the shared header, tabs and helpers."""
    return render_template(template, portal=portal, store=portal.store, tab=tab,
                           money=format_money, rate=format_rate, **context), status


def after_param() -> list[int] | None:
    """The keyset position of the requested page (`?after=<id>`), if any."""
    raw = request.args.get("after", "")
    return [int(raw)] if raw.isdigit() else None


def day_param(name: str, *, end: bool = False) -> datetime | None:
    """A `YYYY-MM-DD` query parameter as the viewer's midnight (the next one for an end)."""
    raw = request.args.get(name, "").strip()
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date() if raw else None
    except ValueError:
        return None
    if day is None:
        return None
    if end:
        day += timedelta(days=1)
    # The day as the viewer lives it: midnight in their zone, compared in UTC.
    return datetime.combine(day, time.min, get_timezone()).astimezone(UTC)
