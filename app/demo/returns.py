"""Demo returns: a mug sent back from Tokyo to Brooklyn and refunded, and one to decide.

Built on the delivered demo orders (app/demo/logistics.py) through the returns services,
as the shopper's and merchant's pages would: `request_return`, `approve_return`,
`add_return_parcel`, the carrier's scans through `ingest_tracking_events`, then
`receive_return` with restock and the refund (`submit_refund`, `settle_return_refund`).
The refund needs the order to have been paid at the Stripe sandbox; when it was not, the
return stops in transit and the seed says so. Each return is made once per order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.demo.logistics import NEW_YORK, TOKYO, Scan, _idempotency_key, _scan_event, s10
from app.demo.payments import DemoPayments
from app.extensions import db
from app.models import Order, Payment, Store, User
from app.services import returns
from app.services.logistics.tracking import ingest_tracking_events
from app.services.payments import submit_refund
from app.web.links import site_links

DAY = 24.0


@dataclass(frozen=True)
class DemoReturn:
    """A shopper's return of units of a delivered demo order, and how far it got."""

    order_key: str
    store_slug: str
    skus: list[tuple[str, int]]  # SKU, quantity sent back
    reason: str
    comment: str
    requested_hours_ago: float
    outcome: str  # "requested" or "refunded"
    carrier: str = ""
    number: str = ""
    scans: list[Scan] = field(default_factory=list)


RETURNS = [
    # The Tokyo shopper sends the Brooklyn mug back by EMS; received, restocked, refunded.
    DemoReturn(
        order_key="brooklyn-to-tokyo", store_slug="brooklyn-goods", skus=[("MUG-BLACK", 1)],
        reason="size_or_fit",
        comment="The mug is beautiful, but it is much bigger than it looked in the photos "
                "and doesn't fit on my shelf. Never used, back in its original box.",
        requested_hours_ago=4 * DAY, outcome="refunded", carrier="japan_post",
        number=s10("EJ", "30524158", "JP"),
        scans=[
            Scan(None, 3 * DAY + 2, TOKYO, "info_received", "", "Shibuya post office",
                 "EMA", "Posting/collection: EMS item accepted"),
            Scan(None, 2 * DAY + 15, TOKYO, "in_transit", "", "Kawasaki-Higashi post office",
                 "EMC", "Departure from outward office of exchange (NRT)"),
            Scan(None, 1 * DAY + 21, NEW_YORK, "in_transit", "",
                 "JAMAICA NY INTERNATIONAL SERVICE CENTER", "EMD",
                 "Arrival at inward office of exchange (JFK)"),
            Scan(None, 1 * DAY + 16, NEW_YORK, "customs", "released",
                 "JAMAICA NY INTERNATIONAL SERVICE CENTER", "EDC",
                 "Released by U.S. CBP: American goods returned, no duty"),
            Scan(None, 6, NEW_YORK, "delivered", "", "BROOKLYN, NY 11205", "01",
                 "Delivered, Front Desk/Reception/Mail Room"),
        ]),
    # A tin dented on the way to New York: waiting for the tea house to decide.
    DemoReturn(
        order_key="hangzhou-to-new-york", store_slug="hangzhou-tea-house",
        skus=[("LJ-MQ-50", 1)], reason="damaged",
        comment="One of the two tins arrived with the lid dented in and the inner seal "
                "split, so the leaves smell of cardboard. The other tin is perfect.",
        requested_hours_ago=20, outcome="requested"),
]


def _order(spec: DemoReturn) -> tuple[Order, Store] | None:
    store = db.session.scalar(select(Store).where(Store.slug == spec.store_slug))
    quote_id = db.session.scalar(select(Payment.quote_id).where(
        Payment.idempotency_key == _idempotency_key(spec.order_key)))
    if store is None or quote_id is None:
        return None
    order = db.session.scalar(select(Order).where(Order.quote_id == quote_id,
                                                  Order.store_id == store.id))
    return (order, store) if order is not None else None


def _refundable(order: Order, payments: DemoPayments) -> bool:
    """Paid at the sandbox, which is still up: its refund can go through."""
    intent_id = db.session.scalar(select(Payment.intent_id).where(
        Payment.quote_id == order.quote_id))
    return payments.sandbox is not None and bool(intent_id) \
        and not intent_id.startswith("pi_demo_")


def _seed_return(spec: DemoReturn, now: datetime, payments: DemoPayments) -> str:
    found = _order(spec)
    if found is None:
        return ""
    order, store = found
    if returns.order_returns(order.id):
        return ""
    shopper = db.session.get(User, order.user_id)
    merchant = store.organization.memberships[0].user
    by_sku = {line.sku: line for line in order.lines}
    made = returns.request_return(
        shopper, order.id, reason=spec.reason, comment=spec.comment, links=site_links,
        lines=[{"order_line_id": by_sku[sku].id, "quantity": quantity}
               for sku, quantity in spec.skus])
    # Asked when the story says (the service stamps now).
    made.created_at = now - timedelta(hours=spec.requested_hours_ago)
    if spec.outcome == "requested":
        return f"{spec.order_key}: return {made.id} requested"
    returns.approve_return(merchant, store.id, made.id, links=site_links)
    made.decided_at = now - timedelta(hours=spec.requested_hours_ago - 5)
    returns.add_return_parcel(shopper, made.id, carrier=spec.carrier,
                              tracking_number=spec.number)
    for scan in spec.scans:
        event = _scan_event(spec, scan, now)
        ingest_tracking_events([event], source="webhook", links=site_links, now=now)
    if not _refundable(order, payments):
        return (f"{spec.order_key}: return {made.id} in transit (not received: the order "
                "was not paid at the Stripe sandbox, so its refund would fail)")
    returns.receive_return(merchant, store.id, made.id)  # every unit, back on the shelf
    db.session.flush()
    if made.refund is not None:
        submit_refund(made.refund, merchant)
    returns.settle_return_refund(made, links=site_links)
    refund = made.refund
    state = refund.state if refund is not None else "none"
    return f"{spec.order_key}: return {made.id} {made.status} (refund {state})"


def seed_returns(payments: DemoPayments, now: datetime) -> list[str]:
    """The demo returns; each made once."""
    done = [line for spec in RETURNS if (line := _seed_return(spec, now, payments))]
    db.session.flush()
    return [f"Demo returns: {'; '.join(done)}"] if done else []
