"""Notices about returns, in the app and by e-mail: the merchant's staff hear of a new
request, the shopper of each step.

Each goes out in the recipient's language, queued in the outbox and sent only after
the transaction that made the change commits.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Membership, Notification, ReturnRequest, Store, User
from app.services.mail import EmailLinks, queue_email


def _subject(key: str) -> str:
    return {
        "requested": _("A shopper asks to return items"),
        "approved": _("Your Qiao return was approved"),
        "refused": _("Your Qiao return was refused"),
        "received": _("Your Qiao return has arrived"),
        "refunded": _("Your Qiao return was refunded"),
    }[key]


def _send(user: User, request: ReturnRequest, key: str, link: str) -> None:
    db.session.add(Notification(recipient_id=user.id, actor_id=None, kind="return",
                                return_request_id=request.id, return_status=key))
    with force_locale(user.locale or "en"):
        body = current_app.jinja_env.get_template("email/return_update.txt").render(
            user=user, request=request, store=db.session.get(Store, request.store_id),
            key=key, link=link)
        subject = _subject(key)
    queue_email(user.email, subject, body, purpose=f"return_{key}")


def notify_merchant(request: ReturnRequest, *, links: EmailLinks) -> None:
    """Tell the store's team that a shopper asks to return items."""
    store = db.session.get(Store, request.store_id)
    staff = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == store.organization_id).order_by(User.id))
    for user in staff:
        _send(user, request, "requested", links.store_return(store.id, request.id))


def notify_shopper(request: ReturnRequest, key: str, *, links: EmailLinks) -> None:
    """Tell the shopper their return was approved, refused, received or refunded."""
    user = db.session.get(User, request.user_id)
    if user is not None:
        _send(user, request, key, links.return_request(request.id))
