"""Likes and follows written many at a time, for loading content (the demo seed).

`like_note` and `follow_user` cost about ten statements each: a savepoint, the counter, the
note's hot score, the notice and its duplicate check, the interest upsert. Here a batch
costs a few statements in all, and leaves what the same calls one by one would leave: the
rows go in one INSERT that skips pairs already there and returns the ones it wrote; each
note's `like_count` moves by exactly the rows returned for it (counters stay equal to the
rows, as with `_bump`); the hot score and open event scores are computed once per note;
each person's interest weights move in one upsert; the notices go in one INSERT.
"""

from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import SHOWN_STATES, Event, EventEntry, Follow, Note, NoteLike, User, utcnow
from app.services.errors import NotFound, ValidationFailed
from app.services.social import interests
from app.services.social.notes import hot_score
from app.services.social.notifications import notify_in_bulk

# Rows per INSERT: far below SQLite's 32,766 bound parameters at three columns a row.
CHUNK = 500


def _insert_new(model, rows: list[dict], key: tuple[str, str]) -> list[tuple[int, int]]:
    """Insert the rows whose `key` pair is not there yet; the pairs really inserted."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__
    inserted: list[tuple[int, int]] = []
    for start in range(0, len(rows), CHUNK):
        statement = (dialect.insert(table).values(rows[start:start + CHUNK])
                     .on_conflict_do_nothing(index_elements=list(key))
                     .returning(table.c[key[0]], table.c[key[1]]))
        inserted += db.session.execute(statement).tuples().all()
    return inserted


def _refresh_hot_scores(note_ids: list[int]) -> None:
    """`refresh_hot_score` for many notes: their counters read once, then two
    executemany UPDATEs (the notes' scores, their entries in events still open).
    """
    rows = db.session.execute(
        select(Note.id, Note.like_count, Note.collect_count, Note.comment_count,
               Note.published_at).where(Note.id.in_(note_ids)).order_by(Note.id)).all()
    if not rows:
        return
    notes = Note.__table__
    db.session.execute(update(notes).where(notes.c.id == bindparam("b_note"))
                       .values(hot_score=bindparam("b_score")),
                       [{"b_note": r.id, "b_score": hot_score(*r[1:])} for r in rows])
    entries = EventEntry.__table__
    open_events = select(Event.id).where(Event.closed_at.is_(None))
    db.session.execute(update(entries).where(entries.c.note_id == bindparam("b_note"),
                                             entries.c.event_id.in_(open_events))
                       .values(score=bindparam("b_score")),
                       [{"b_note": r.id, "b_score": r.like_count + r.collect_count}
                        for r in rows])


def like_notes_in_bulk(likes: list[tuple[User, Note]]) -> int:
    """Many likes at once, leaving what `like_note` one by one would (counters, hot scores,
    the authors' notices, interests); a pair already liked is skipped. How many were new.
    """
    notes = {note.id: note for _user, note in likes}
    published = set(db.session.scalars(select(Note.id).where(
        Note.id.in_(list(notes)), Note.status == "published",
        Note.moderation_state.in_(SHOWN_STATES)))) if notes else set()
    if published != set(notes):
        raise NotFound(_("No such note."), code="note_not_found")
    now = utcnow()
    inserted = _insert_new(NoteLike, [{"user_id": user.id, "note_id": note.id,
                                       "created_at": now} for user, note in likes],
                           ("user_id", "note_id"))
    if not inserted:
        return 0
    per_note = Counter(note_id for _user_id, note_id in inserted)
    table = Note.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("b_note"))
                       .values(like_count=table.c.like_count + bindparam("b_added")),
                       # In id order: two batches on the same notes lock them alike.
                       [{"b_note": note_id, "b_added": n}
                        for note_id, n in sorted(per_note.items())])
    _refresh_hot_scores(sorted(per_note))
    for note_id in per_note:
        db.session.expire(notes[note_id], ["like_count", "hot_score"])
    notify_in_bulk("like", [(notes[note_id].author_id, user_id, note_id)
                            for user_id, note_id in inserted])
    interests.record_note_signals(inserted, interests.LIKE)
    return len(inserted)


def follow_users_in_bulk(follows: list[tuple[User, User]]) -> int:
    """Many follows at once, leaving what `follow_user` one by one would (the notices and
    the followers' interests); a pair already following is skipped. How many were new.
    """
    if any(follower.id == followee.id for follower, followee in follows):
        raise ValidationFailed(_("You cannot follow yourself."), code="cannot_follow_self")
    followees = {followee.id for _follower, followee in follows}
    active = set(db.session.scalars(select(User.id).where(
        User.id.in_(followees), User.is_active_account.is_(True),
        User.moderation_state != "removed"))) if followees else set()
    if followees - active:
        raise NotFound(_("No such user."), code="user_not_found")
    now = utcnow()
    inserted = _insert_new(Follow, [{"follower_id": follower.id, "followee_id": followee.id,
                                     "created_at": now} for follower, followee in follows],
                           ("follower_id", "followee_id"))
    notify_in_bulk("follow", [(followee_id, follower_id, None)
                              for follower_id, followee_id in inserted])
    interests.record_follow_signals(inserted, interests.FOLLOW)
    return len(inserted)
