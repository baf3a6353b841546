"""What follows a shipment's new status: the shopper is told, and a delivered order moves on.

The shopper hears, in the app and by e-mail in their own language, when a parcel leaves
the merchant ("shipped", sent by the shipment itself, not by a tracking status), is held
at customs, out for delivery, delivered, or in trouble (exception). Each shipment and
status is announced once: the unique (shipment_id, shipment_status) of notifications
makes a duplicate or a racing delivery a no-op.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Row, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.models import ORDER_TRANSITIONS, Notification, Order, User
from app.models.logistics import Shipment
from app.services.logistics.carriers import get_carrier, tracking_url
from app.services.mail import EmailLinks, queue_email
from app.services.orders import transition_order

NOTICE_STATUSES = ("customs_held", "out_for_delivery", "delivered", "exception")


def notice_key(status: str, sub_status: str) -> str | None:
    """The notice a status deserves ("customs_held", a status, or None for no notice)."""
    if status == "customs" and sub_status == "held":
        return "customs_held"
    return status if status in NOTICE_STATUSES else None


def _subject(key: str) -> str:
    return {
        "shipped": _("Your Qiao order has shipped"),
        "customs_held": _("Your Qiao parcel is held at customs"),
        "out_for_delivery": _("Your Qiao parcel is out for delivery"),
        "delivered": _("Your Qiao parcel was delivered"),
    }.get(key) or _("There is a problem with your Qiao parcel")


def _email(shipment: Shipment, key: str, user: User, notice: Row, *,
           links: EmailLinks) -> None:
    order = shipment.order
    with force_locale(user.locale or "en"):
        carrier = get_carrier(shipment.carrier)
        body = current_app.jinja_env.get_template("email/shipment_update.txt").render(
            user=user, order=order, shipment=shipment, n=notice,
            carrier_name=carrier.display_name(user.locale or "en"),
            carrier_url=tracking_url(shipment.carrier, shipment.tracking_number),
            link=links.order(order.id) + f"#shipment-{shipment.id}")
        subject = _subject(key)
    queue_email(user.email, subject, body, purpose=f"shipment_{key}")


def notify_shipment_status(shipment: Shipment, key: str, *, links: EmailLinks) -> bool:
    """Tell the shopper about the shipment's new status once; False if already told."""
    return bool(_notify([(shipment, key)], links=links))


def _notify(news: list[tuple[Shipment, str]], *, links: EmailLinks) -> int:
    """Record and e-mail each (shipment, notice) not told before; how many were new.

    One INSERT ... ON CONFLICT DO NOTHING on the unique (shipment_id, shipment_status)
    both checks and records: a notice already given, or being given by a racing delivery
    (which the insert waits for), comes back absent and is not e-mailed again.
    """
    table = Notification.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    recorded = db.session.execute(
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=["shipment_id", "shipment_status"])
        .returning(table.c.id, table.c.shipment_id, table.c.shipment_status),
        [{"recipient_id": shipment.order.user_id, "actor_id": None, "kind": "shipment",
          "shipment_id": shipment.id, "shipment_status": key}
         for shipment, key in sorted(news, key=lambda n: (n[0].id, n[1]))]).all()
    if not recorded:
        return 0
    new = {(row.shipment_id, row.shipment_status): row for row in recorded}
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({s.order.user_id for s, _key in news})))}
    for shipment, key in news:
        notice = new.get((shipment.id, key))
        user = users.get(shipment.order.user_id)
        if notice is not None and user is not None:
            _email(shipment, key, user, notice, links=links)
    return len(recorded)


def complete_delivered_order(order: Order) -> bool:
    """Move the order to delivered when every line has shipped and every parcel arrived."""
    if "delivered" not in ORDER_TRANSITIONS.get(order.status, ()):
        return False  # refunded, cancelled, still fulfilling...: nothing to move
    shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == order.id,
                                                          Shipment.direction == "outbound")
                                   .options(selectinload(Shipment.lines))
                                   .execution_options(populate_existing=True)).all()
    if not shipments or any(s.status != "delivered" for s in shipments):
        return False
    shipped: dict[int, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
    if any(shipped.get(line.id, 0) < line.quantity - line.refunded_quantity
           for line in order.lines):
        return False
    transition_order(order, "delivered", reason_code="all_delivered")
    return True


def after_status_change(changes: dict[int, tuple[str, str]], *, links: EmailLinks) -> None:
    """Notify shoppers and complete orders for shipments that reached a new status."""
    shipments = db.session.scalars(select(Shipment).where(Shipment.id.in_(changes))
                                   .options(joinedload(Shipment.order))).all()
    # A return parcel's progress shows on its return request's page, not as order notices.
    shipments = [s for s in shipments if s.direction == "outbound"]
    news = [(shipment, key) for shipment in shipments
            if (key := notice_key(*changes[shipment.id]))]
    if news:
        _notify(news, links=links)
    delivered = sorted({s.order_id for s in shipments if changes[s.id][0] == "delivered"})
    if not delivered:
        return
    # Lock the orders in id order (PostgreSQL) before reading their shipments, so the last
    # two parcels of an order arriving at once on two connections are serialised here: the
    # second reads the first's committed delivered status and completes the order, once.
    orders = db.session.scalars(select(Order).where(Order.id.in_(delivered))
                                .order_by(Order.id).with_for_update()
                                .options(selectinload(Order.lines))
                                .execution_options(populate_existing=True)).all()
    for order in orders:
        complete_delivered_order(order)
