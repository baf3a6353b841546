"""Events and orders for the campaign report tests, inserted directly.

Impressions and clicks are rows as the tracking service stores them (billable, charged);
orders are paid orders whose lines came through a note (the attribution checkout records).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from app.extensions import db
from app.models import AdClick, AdImpression, Campaign, Order, OrderLine, Product, Quote, User


def add_impressions(campaign: Campaign, at: datetime, count: int = 1, *,
                    user: User | None = None, anon: str | None = None,
                    charged_minor: int = 0, billable: bool = True) -> None:
    """`count` impressions of the campaign's first note at `at`."""
    for _ in range(count):
        db.session.add(AdImpression(
            token_id=secrets.token_hex(8) if billable else None, campaign_id=campaign.id,
            note_id=campaign.note_ids[0] if campaign.note_ids else None,
            viewer_user_id=user.id if user else None, viewer_anon_id=anon, country="JP",
            surface="discover", position=3, charged_minor=charged_minor,
            is_billable=billable, invalid_reason=None if billable else "bot", created_at=at))
    db.session.flush()


def add_click(campaign: Campaign, at: datetime, *, user: User | None = None,
              anon: str | None = None, charged_minor: int = 0,
              billable: bool = True) -> AdClick:
    """One click on the campaign at `at` (a bot's is not billable)."""
    click = AdClick(token_id=secrets.token_hex(8) if billable else None,
                    campaign_id=campaign.id,
                    note_id=campaign.note_ids[0] if campaign.note_ids else None,
                    viewer_user_id=user.id if user else None, viewer_anon_id=anon,
                    country="JP", surface="discover", position=3,
                    charged_minor=charged_minor, is_billable=billable,
                    invalid_reason=None if billable else "bot", created_at=at)
    db.session.add(click)
    db.session.flush()
    return click


def paid_order(product: Product, shopper: User, paid_at: datetime, *, note_id: int | None,
               unit_minor: int = 2500, quantity: int = 1, currency: str = "USD",
               store_currency: str = "USD", refunded_quantity: int = 0,
               status: str = "paid") -> Order:
    """A paid order of `quantity` units of the product's first variant through `note_id`."""
    variant = product.variants[0]
    total = unit_minor * quantity
    reference = secrets.token_hex(6)
    amounts = {"items_minor": total, "shipping_minor": 0, "duties_minor": 0,
               "taxes_minor": 0, "total_minor": total}
    address = {"country": "JP", "name": shopper.display_name}
    quote = Quote(user_id=shopper.id, reference=reference, state="paid", currency=currency,
                  shipping_address=address, destination_country="JP", fx_source="identity",
                  fx_as_of=paid_at, expires_at=paid_at, **amounts)
    db.session.add(quote)
    db.session.flush()
    order = Order(quote_id=quote.id, checkout_reference=reference, store_id=product.store_id,
                  user_id=shopper.id, status=status, currency=currency,
                  collected_at_checkout=True, store_currency=store_currency,
                  fx_rate=Decimal(1), fx_as_of=paid_at, total_store_minor=total,
                  commission_store_minor=0, merchant_net_store_minor=total,
                  shipping_address=address, paid_at=paid_at, created_at=paid_at, **amounts)
    order.lines = [OrderLine(variant_id=variant.id, product_id=product.id, title=product.title,
                             sku=variant.sku, quantity=quantity, unit_price_minor=unit_minor,
                             unit_price_store_minor=unit_minor, note_id=note_id,
                             refunded_quantity=refunded_quantity)]
    db.session.add(order)
    db.session.flush()
    return order
