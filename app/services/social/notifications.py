"""In-app notifications: new followers, likes, comments, replies and mentions."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import NOTIFICATION_KINDS, Note, Notification, User, utcnow

# Likes and follows repeat when someone toggles; one unread notice of each is enough.
COLLAPSED_KINDS = ("like", "follow")


def notify(recipient: User, actor: User, kind: str, *, note_id: int | None = None,
           comment_id: int | None = None) -> Notification | None:
    """Record a notice for `recipient` (never for one's own actions)."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind}")
    if recipient.id == actor.id:
        return None
    if kind in COLLAPSED_KINDS:
        duplicate = db.session.scalar(select(Notification.id).where(
            Notification.recipient_id == recipient.id, Notification.actor_id == actor.id,
            Notification.kind == kind, Notification.read_at.is_(None),
            Notification.note_id.is_(None) if note_id is None
            else Notification.note_id == note_id).limit(1))
        if duplicate is not None:
            return None
    notification = Notification(recipient_id=recipient.id, actor_id=actor.id, kind=kind,
                                note_id=note_id, comment_id=comment_id)
    db.session.add(notification)
    db.session.flush()
    return notification


def notify_in_bulk(kind: str, notices: list[tuple[int, int, int | None]]) -> int:
    """`notify` for many (recipient id, actor id, note id) at once: one query for the
    unread notices that make some redundant, one INSERT for the rest; how many were written.
    """
    if kind not in COLLAPSED_KINDS:
        raise ValueError(f"only {COLLAPSED_KINDS} notices are written in bulk, not {kind}")
    wanted = dict.fromkeys((recipient, actor, note_id) for recipient, actor, note_id in notices
                           if recipient != actor)
    if not wanted:
        return 0
    actors = sorted({actor for _recipient, actor, _note_id in wanted})
    unread = set(db.session.execute(
        select(Notification.recipient_id, Notification.actor_id, Notification.note_id)
        .where(Notification.kind == kind, Notification.read_at.is_(None),
               Notification.actor_id.in_(actors))).tuples())
    rows = [{"recipient_id": recipient, "actor_id": actor, "kind": kind, "note_id": note_id,
             "created_at": utcnow()}
            for recipient, actor, note_id in wanted if (recipient, actor, note_id) not in unread]
    if rows:
        db.session.execute(insert(Notification.__table__), rows)
    return len(rows)


def notify_moderation(recipient_id: int, case_id: int, event: str, *,
                      note_id: int | None = None, comment_id: int | None = None
                      ) -> Notification:
    """A platform notice about moderation: a decision on the recipient's content, or the
    outcome of their report (`event` names which; see app.services.moderation.labels).
    """
    notification = Notification(recipient_id=recipient_id, actor_id=None, kind="moderation",
                                moderation_case_id=case_id, moderation_event=event,
                                note_id=note_id, comment_id=comment_id)
    db.session.add(notification)
    db.session.flush()
    return notification


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0


def list_notifications(user: User, *, before_id: int | None = None, limit: int = 20
                       ) -> list[Notification]:
    """The user's notifications, newest first; `limit + 1` rows tell if there are more."""
    stmt = (select(Notification)
            .options(selectinload(Notification.actor), selectinload(Notification.shipment),
                     selectinload(Notification.return_request),
                     selectinload(Notification.order),
                     selectinload(Notification.note).selectinload(Note.images),
                     selectinload(Notification.comment),
                     selectinload(Notification.campaign), selectinload(Notification.event))
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id.desc()).limit(limit + 1))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.scalars(stmt))


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark some (or, with None, all) of the user's notifications read; returns how many."""
    stmt = update(Notification).where(Notification.recipient_id == user.id,
                                      Notification.read_at.is_(None))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(notification_ids))
    result = db.session.execute(stmt.values(read_at=utcnow()),
                                execution_options={"synchronize_session": False})
    return result.rowcount or 0
