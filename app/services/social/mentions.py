"""@mentions, and the notices a note or comment sends once other people can see it.

A note tells the people it mentions; a comment tells its note's author, the author of the
comment it replies to and the people it mentions. Each notice links to the item, which
answers 404 to them while it waits for screening ("pending", with a Celery broker), is
held or is removed. So the notices go out when the item becomes visible: at once when it
is visible as written (no broker: screening runs in-process right after the commit), else
when screening passes it or a moderator approves it (moderation calls
`sync_content_notices`); a hold or a removal takes them back. Each person is told once per
item, however often it is edited, screened or reinstated: the notices already stored say
who was told.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import SHOWN_STATES, Comment, Note, Notification, User
from app.services.social.abuse import MENTION_PATTERN
from app.services.social.notifications import notify

# The notices a comment sends (a best answer's notice is the asker's act, not the comment's).
COMMENT_NOTICES = ("comment", "reply", "mention")
# Moderation states whose item nobody but its author may open.
HIDDEN_STATES = ("held", "removed")


def parse_mentions(text: str) -> list[str]:
    """The distinct @handles of `text`, in order of appearance."""
    seen: dict[str, None] = {}
    for match in MENTION_PATTERN.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def resolve_mentions(text: str, *, exclude: User | None = None) -> list[User]:
    """Users mentioned in `text` by handle (display name without spaces, any case)."""
    handles = {h.casefold() for h in parse_mentions(text)}
    if not handles:
        return []
    squashed = func.lower(func.replace(User.display_name, " ", ""))
    users = db.session.scalars(select(User).where(squashed.in_(handles),
                                                  User.is_active_account.is_(True))).all()
    return [u for u in users if exclude is None or u.id != exclude.id]


def announce_note(note: Note) -> None:
    """Tell the people a shown note mentions, those not told before; nothing while hidden."""
    mentioned = resolve_mentions(note.body, exclude=note.author) if note.is_published else []
    if not mentioned:
        return
    told = set(db.session.scalars(select(Notification.recipient_id).where(
        Notification.note_id == note.id, Notification.comment_id.is_(None),
        Notification.kind == "mention")))
    for user in mentioned:
        if user.id not in told:
            notify(user, note.author, "mention", note_id=note.id)


def announce_comment(comment: Comment) -> None:
    """Tell the note's author, the replied-to author and the mentioned people of a shown
    comment, those not told before; nothing while it (or its note) is hidden.
    """
    note = comment.note
    if comment.moderation_state not in SHOWN_STATES or not note.is_published:
        return
    told = {comment.author_id, *db.session.scalars(select(Notification.recipient_id).where(
        Notification.comment_id == comment.id, Notification.kind.in_(COMMENT_NOTICES)))}
    author, parent = comment.author, comment.parent
    if parent is not None and parent.author_id not in told:
        notify(parent.author, author, "reply", note_id=note.id, comment_id=comment.id)
        told.add(parent.author_id)
    if note.author_id not in told:
        notify(note.author, author, "comment", note_id=note.id, comment_id=comment.id)
        told.add(note.author_id)
    for mentioned in resolve_mentions(comment.body):
        if mentioned.id not in told:
            notify(mentioned, author, "mention", note_id=note.id, comment_id=comment.id)
            told.add(mentioned.id)


def sync_content_notices(item: Note | Comment) -> None:
    """After moderation changed a note's or comment's state: send its notices if it is
    shown now, take them back if it is held or removed (pending keeps what was sent).
    """
    if item.moderation_state in SHOWN_STATES:
        if isinstance(item, Note):
            announce_note(item)
        else:
            announce_comment(item)
        return
    if item.moderation_state not in HIDDEN_STATES:
        return
    if isinstance(item, Note):
        told = (Notification.note_id == item.id, Notification.comment_id.is_(None),
                Notification.kind == "mention")
    else:
        told = (Notification.comment_id == item.id, Notification.kind.in_(COMMENT_NOTICES))
    db.session.execute(delete(Notification).where(*told),
                       execution_options={"synchronize_session": False})
