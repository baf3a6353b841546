"""Closing a shopper's open quotes and giving back the stock they hold.

Apart from app.services.checkout.quotes so the cart can cancel a quote that no longer
matches it without importing the quote builder, which itself reads the cart: the
dependency runs one way, quotes -> cart -> open_quotes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Quote, utcnow
from app.services import inventory

# The reservations of a quote are owned by ("checkout_quote", quote id).
OWNER_TYPE = "checkout_quote"


def close_quote(quote: Quote, state: str, now: datetime, reason: str) -> None:
    """End an open quote in `state` (expired, cancelled) and release its reservations."""
    inventory.release_owner_reservations(None, OWNER_TYPE, quote.id, reason=reason, now=now)
    quote.state = state
    quote.closed_at = now
    db.session.flush()


def cancel_open_quotes(user_id: int, *, now: datetime | None = None) -> int:
    """Cancel a user's open quotes, releasing their stock (cart changed or quote replaced)."""
    now = now or utcnow()
    open_quotes = db.session.scalars(select(Quote).where(Quote.user_id == user_id,
                                                         Quote.state == "open")).all()
    for quote in open_quotes:
        close_quote(quote, "cancelled", now, "quote replaced")
    return len(open_quotes)
