"""The conversation on an order between its shopper and the store's team.

Either side writes; the other hears of it in the app and by e-mail, in their own language,
sent only after the message is committed. A message keeps the language it was written in,
so a reader on the other side of the border is offered a translation: through the same
"See translation" as notes and comments (content type "order_message"), cached and with the
glossary's names kept, for the order's shopper and its store's team only.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Membership, Notification, Order, OrderMessage, Store, User, utcnow
from app.services.errors import NotFound, RateLimited, ValidationFailed
from app.services.mail import EmailLinks, queue_email
from app.services.orders.lifecycle import get_shopper_order, get_store_order
from app.services.permissions import membership_of
from app.services.social import Translatable, detect_language, register_translatable

MAX_MESSAGE_LENGTH = 2000
# A conversation, not a channel: one person's messages on one order per hour.
MAX_MESSAGES_PER_HOUR = 20
MAX_SHOWN = 200


class MessageRateLimited(RateLimited):
    """Too many messages on one order in the last hour."""

    code = "order_message_rate_limited"


def conversation_order(actor: User, order_id: int, *, store_id: int | None = None
                       ) -> tuple[Order, str]:
    """The order and the side `actor` writes for: its shopper, or (with store_id) the store."""
    if store_id is None:
        return get_shopper_order(actor, order_id), "shopper"
    return get_store_order(actor, store_id, order_id), "store"


def list_order_messages(order: Order) -> list[OrderMessage]:
    """The order's conversation, oldest first (the latest MAX_SHOWN)."""
    latest = db.session.scalars(
        select(OrderMessage).where(OrderMessage.order_id == order.id)
        .order_by(OrderMessage.id.desc()).limit(MAX_SHOWN)).all()
    return list(reversed(latest))


def post_order_message(actor: User, order_id: int, body: object, *, links: EmailLinks,
                       store_id: int | None = None) -> OrderMessage:
    """Add `actor`'s message to the order's conversation and tell the other side."""
    order, side = conversation_order(actor, order_id, store_id=store_id)
    if body is not None and not isinstance(body, str):
        raise ValidationFailed(_("The message must be text."), code="message_empty",
                               fields={"body": [_("The message must be text.")]})
    text = (body or "").strip()
    if not text:
        raise ValidationFailed(_("Write a message first."), code="message_empty",
                               fields={"body": [_("Write a message first.")]})
    if len(text) > MAX_MESSAGE_LENGTH:
        limit = _("At most %(max)d characters.", max=MAX_MESSAGE_LENGTH)
        raise ValidationFailed(limit, code="message_too_long", fields={"body": [limit]})
    recent = db.session.scalar(
        select(func.count()).select_from(OrderMessage).where(
            OrderMessage.order_id == order.id, OrderMessage.author_id == actor.id,
            OrderMessage.created_at > utcnow() - timedelta(hours=1)))
    if recent >= MAX_MESSAGES_PER_HOUR:
        raise MessageRateLimited(_("You have sent many messages on this order in the last "
                                   "hour; wait a little before sending more."))
    message = OrderMessage(order_id=order.id, author_id=actor.id, side=side, body=text,
                           language=detect_language(text))
    db.session.add(message)
    db.session.flush()
    store = db.session.get(Store, order.store_id)
    if side == "shopper":
        staff = db.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organization_id == store.organization_id,
                   User.is_active_account.is_(True)).order_by(User.id))
        for user in staff:
            _notify(user, actor, order, store, message, links.store_order(store.id, order.id))
    else:
        shopper = db.session.get(User, order.user_id)
        if shopper is not None:
            _notify(shopper, actor, order, store, message, links.order(order.id))
    return message


def _notify(recipient: User, author: User, order: Order, store: Store, message: OrderMessage,
            link: str) -> None:
    db.session.add(Notification(recipient_id=recipient.id, actor_id=author.id, kind="message",
                                order_id=order.id))
    with force_locale(recipient.locale or "en"):
        body = current_app.jinja_env.get_template("email/order_message.txt").render(
            user=recipient, author=author, order=order, store=store, message=message,
            link=link, from_store=message.side == "store")
        subject = _("New message about order %(id)s", id=order.id)
    queue_email(recipient.email, subject, body, purpose="order_message")


def _message_text(viewer: User | None, message_id: int, _market: str | None) -> Translatable:
    """A message's text for "See translation": only the order's shopper and the store's
    team may read it; anyone else is told it does not exist.
    """
    message = db.session.get(OrderMessage, message_id)
    order = db.session.get(Order, message.order_id) if message is not None else None
    store = db.session.get(Store, order.store_id) if order is not None else None
    readable = viewer is not None and getattr(viewer, "is_authenticated", False) \
        and store is not None \
        and (order.user_id == viewer.id or membership_of(viewer, store.organization_id))
    if not readable:
        raise NotFound(_("No such message."), code="order_message_not_found")
    return Translatable({"body": message.body}, message.language)


register_translatable("order_message", _message_text)
