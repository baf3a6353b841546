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
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

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


def notify_shipment_status(shipment: Shipment, key: str, *, links: EmailLinks) -> bool:
    """Tell the shopper about the shipment's new status once; False if already told."""
    order = shipment.order
    already = db.session.scalar(select(Notification.id).where(
        Notification.shipment_id == shipment.id, Notification.shipment_status == key))
    if already is not None:
        return False
    try:
        with db.session.begin_nested():
            notice = Notification(recipient_id=order.user_id, actor_id=None, kind="shipment",
                                  shipment_id=shipment.id, shipment_status=key)
            db.session.add(notice)
    except IntegrityError:
        return False  # a concurrent delivery of the same news told them
    user = db.session.get(User, order.user_id)
    if user is None:
        return True
    locale = user.locale or "en"
    with force_locale(locale):
        carrier = get_carrier(shipment.carrier)
        body = current_app.jinja_env.get_template("email/shipment_update.txt").render(
            user=user, order=order, shipment=shipment, n=notice,
            carrier_name=carrier.display_name(locale),
            carrier_url=tracking_url(shipment.carrier, shipment.tracking_number),
            link=links.order(order.id)
            + f"#shipment-{shipment.id}")
        subject = _subject(key)
    queue_email(user.email, subject, body, purpose=f"shipment_{key}")
    return True


def complete_delivered_order(order: Order) -> bool:
    """Move the order to delivered when every line has shipped and every parcel arrived."""
    if "delivered" not in ORDER_TRANSITIONS.get(order.status, ()):
        return False  # refunded, cancelled, still fulfilling...: nothing to move
    shipments = db.session.scalars(select(Shipment).where(Shipment.order_id == order.id,
                                                          Shipment.direction == "outbound")
                                   .options(selectinload(Shipment.lines))).all()
    if not shipments or any(s.status != "delivered" for s in shipments):
        return False
    shipped: dict[int, int] = {}
    for shipment in shipments:
        for line in shipment.lines:
            shipped[line.order_line_id] = shipped.get(line.order_line_id, 0) + line.quantity
    if any(shipped.get(line.id, 0) < line.quantity - line.refunded_quantity
           for line in order.lines):
        return False
    transition_order(order, "delivered", reason="every shipment was delivered")
    return True


def after_status_change(changes: dict[int, tuple[str, str]], *, links: EmailLinks) -> None:
    """Notify shoppers and complete orders for shipments that reached a new status."""
    shipments = db.session.scalars(select(Shipment).where(Shipment.id.in_(changes))
                                   .options(selectinload(Shipment.order))).all()
    delivered_orders: dict[int, int] = {}
    for shipment in shipments:
        if shipment.direction != "outbound":
            continue  # a return parcel: its return request's page shows its progress
        status, sub_status = changes[shipment.id]
        key = notice_key(status, sub_status)
        if key:
            notify_shipment_status(shipment, key, links=links)
        if status == "delivered":
            delivered_orders[shipment.order_id] = shipment.order_id
    for order_id in sorted(delivered_orders):
        # Lock the order (PostgreSQL) so the last two parcels arriving at once still see
        # each other's delivered status before one of them completes the order.
        order = db.session.scalar(select(Order).where(Order.id == order_id)
                                  .options(selectinload(Order.lines))
                                  .with_for_update().execution_options(populate_existing=True))
        if order is not None:
            complete_delivered_order(order)
