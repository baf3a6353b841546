"""The signed-in header's organisation links and unread-notice count.

Both come from one statement, run when a page first asks for them (fragments and JSON
never do) and kept for the rest of the request; the user and the cart badge come with the
session's user (app.web.hooks.load_user).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.extensions import db
from app.models import Membership, Notification, User

_KEY = "_qiao_account_header"


@dataclass(frozen=True)
class AccountHeader:
    """The viewer's memberships (with their organisations, oldest first) and unread notices."""

    memberships: list[Membership]
    unread: int


NO_ACCOUNT = AccountHeader([], 0)


def account_header() -> AccountHeader:
    """The signed-in viewer's header parts (empty for a guest), read once per request."""
    if not current_user.is_authenticated:
        return NO_ACCOUNT
    kept = g.get(_KEY)
    if kept is None:
        kept = g.setdefault(_KEY, _read_header(current_user.id))
    return kept


def _read_header(user_id: int) -> AccountHeader:
    unread = (select(func.count(Notification.id))
              .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
              .scalar_subquery())
    # From the user, so a viewer in no organisation still gets the row with the count.
    rows = db.session.execute(
        select(unread, Membership).select_from(User)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Membership.organization)
        .options(contains_eager(Membership.organization))
        .where(User.id == user_id).order_by(Membership.id)).all()
    return AccountHeader([m for _count, m in rows if m is not None],
                         rows[0][0] if rows else 0)
