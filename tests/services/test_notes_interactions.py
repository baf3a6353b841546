"""Likes, boards, comments, follows, reports and notifications; counters under concurrency."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from app.models import (
    Board,
    BoardNote,
    Comment,
    Follow,
    Note,
    NoteLike,
    Notification,
    Report,
    User,
)
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import notifications

pytest_plugins = ["tests.notes_fixtures"]


def kinds_for(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(
        Notification.recipient_id == user.id).order_by(Notification.id)))


# Likes ------------------------------------------------------------------------------------
def test_like_twice_counts_once_and_unlike_takes_it_back(make_user, quick_note):
    author, fan = make_user(), make_user()
    note = quick_note(author)
    assert interactions.like_note(fan, note.id).like_count == 1
    assert interactions.like_note(fan, note.id).like_count == 1
    assert db.session.scalar(select(func.count(NoteLike.id))) == 1
    assert interactions.liked_note_ids(fan, [note.id]) == {note.id}
    assert interactions.unlike_note(fan, note.id).like_count == 0
    assert interactions.unlike_note(fan, note.id).like_count == 0
    assert kinds_for(author) == ["like"]


def test_likes_raise_the_hot_score(make_user, quick_note):
    note = quick_note(make_user())
    before = note.hot_score
    for _ in range(10):
        interactions.like_note(make_user(), note.id)
    assert db.session.get(Note, note.id).hot_score == pytest.approx(before + 1.0, abs=1e-6)


def test_drafts_cannot_be_liked(make_user, quick_note):
    draft = quick_note(make_user(), status="draft")
    with pytest.raises(NotFound):
        interactions.like_note(make_user(), draft.id)


# Boards -----------------------------------------------------------------------------------
def test_collect_into_default_and_named_boards(make_user, quick_note):
    fan = make_user()
    note = quick_note(make_user())
    saved = interactions.collect_note(fan, note.id)
    assert saved.name == "Saved" and saved.is_private
    looks = interactions.create_board(fan, "Autumn looks", is_private=False)
    interactions.collect_note(fan, note.id, looks.id)
    interactions.collect_note(fan, note.id, looks.id)  # twice: no change
    assert db.session.get(Note, note.id).collect_count == 2
    assert db.session.get(Board, looks.id).note_count == 1
    interactions.uncollect_note(fan, note.id)  # from every board
    assert db.session.get(Note, note.id).collect_count == 0
    assert db.session.scalar(select(func.count(BoardNote.id))) == 0


def test_board_names_are_unique_per_owner_and_private_boards_stay_private(make_user,
                                                                          quick_note):
    owner, other = make_user(), make_user()
    secret = interactions.create_board(owner, "Gifts", is_private=True)
    with pytest.raises(Conflict) as info:
        interactions.create_board(owner, "Gifts")
    assert info.value.code == "board_name_taken"
    interactions.create_board(other, "Gifts")  # another owner may use the name
    with pytest.raises(NotFound):
        interactions.visible_board(other, secret.id)
    with pytest.raises(NotFound):
        interactions.collect_note(other, quick_note(owner).id, secret.id)
    assert [b.name for b in interactions.boards_of(owner, other)] == []
    assert [b.name for b in interactions.boards_of(owner, owner)] == ["Gifts"]


def test_deleting_a_board_gives_back_its_collects(make_user, quick_note):
    fan = make_user()
    note = quick_note(make_user())
    board = interactions.create_board(fan, "Tea")
    interactions.collect_note(fan, note.id, board.id)
    interactions.delete_board(fan, board.id)
    assert db.session.get(Note, note.id).collect_count == 0


# Comments ---------------------------------------------------------------------------------
def test_comments_and_one_level_of_replies(make_user, quick_note):
    author, alice, bob = make_user(), make_user(), make_user(display_name="Bob Builder")
    note = quick_note(author)
    top = interactions.add_comment(alice, note.id, "Where can I buy this?")
    reply = interactions.add_comment(author, note.id, "Tagged it! @BobBuilder look",
                                     parent_id=top.id)
    deeper = interactions.add_comment(bob, note.id, "Thanks!", parent_id=reply.id)
    assert deeper.parent_id == top.id  # a reply to a reply joins the thread
    threads, more = interactions.comment_threads(note)
    assert not more
    assert [(t.comment.id, [r.id for r in t.replies]) for t in threads] == [
        (top.id, [reply.id, deeper.id])]
    assert db.session.get(Note, note.id).comment_count == 3
    assert kinds_for(author) == ["comment", "comment"]
    assert kinds_for(alice) == ["reply", "reply"]
    assert kinds_for(bob) == ["mention"]


def test_empty_comment_and_foreign_parent_are_refused(make_user, quick_note):
    user = make_user()
    note, other = quick_note(make_user()), quick_note(make_user())
    with pytest.raises(ValidationFailed):
        interactions.add_comment(user, note.id, "   ")
    elsewhere = interactions.add_comment(user, other.id, "hi")
    with pytest.raises(NotFound):
        interactions.add_comment(user, note.id, "hi", parent_id=elsewhere.id)


def test_deleting_a_comment_removes_its_replies_from_the_count(make_user, quick_note):
    author, alice, bob = make_user(), make_user(), make_user()
    note = quick_note(author)
    top = interactions.add_comment(alice, note.id, "First")
    interactions.add_comment(bob, note.id, "Reply", parent_id=top.id)
    with pytest.raises(Forbidden):
        interactions.delete_comment(bob, top.id)
    interactions.delete_comment(author, top.id)  # the note's author may moderate
    assert db.session.get(Note, note.id).comment_count == 0
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_comment_likes(make_user, quick_note):
    note = quick_note(make_user())
    comment = interactions.add_comment(make_user(), note.id, "Nice")
    fan = make_user()
    assert interactions.like_comment(fan, comment.id).like_count == 1
    assert interactions.like_comment(fan, comment.id).like_count == 1
    assert interactions.liked_comment_ids(fan, [comment.id]) == {comment.id}
    assert interactions.unlike_comment(fan, comment.id).like_count == 0


# Follows and reports ----------------------------------------------------------------------
def test_follow_and_unfollow(make_user):
    me, creator = make_user(), make_user()
    interactions.follow_user(me, creator.id)
    interactions.follow_user(me, creator.id)
    assert interactions.is_following(me, creator.id)
    assert interactions.follow_counts(creator.id) == (1, 0)
    assert kinds_for(creator) == ["follow"]
    interactions.unfollow_user(me, creator.id)
    assert not interactions.is_following(me, creator.id)
    with pytest.raises(ValidationFailed) as info:
        interactions.follow_user(me, me.id)
    assert info.value.code == "cannot_follow_self"
    with pytest.raises(NotFound):
        interactions.follow_user(me, 999_999)


def test_reports_are_kept_once_per_reporter(make_user, quick_note):
    reporter = make_user()
    note = quick_note(make_user())
    entry = interactions.report(reporter, "note", note.id, "counterfeit", "Fake logo")
    assert (entry.status, entry.reason, entry.details) == ("open", "counterfeit", "Fake logo")
    with pytest.raises(Conflict) as info:
        interactions.report(reporter, "note", note.id, "spam")
    assert info.value.code == "already_reported"
    with pytest.raises(ValidationFailed) as bad:
        interactions.report(reporter, "note", note.id, "because")
    assert set(bad.value.fields) == {"reason"}
    with pytest.raises(NotFound):
        interactions.report(reporter, "user", 999_999, "spam")
    assert db.session.scalar(select(func.count(Report.id))) == 1


# Notifications ----------------------------------------------------------------------------
def test_unread_count_and_mark_read(make_user, quick_note):
    author = make_user()
    note = quick_note(author)
    fans = [make_user() for _ in range(3)]
    for fan in fans:
        interactions.like_note(fan, note.id)
    interactions.follow_user(fans[0], author.id)
    interactions.like_note(author, note.id)  # one's own like notifies nobody
    assert notifications.unread_count(author) == 4
    newest = notifications.list_notifications(author)
    assert [n.kind for n in newest] == ["follow", "like", "like", "like"]
    assert notifications.mark_read(author, [newest[0].id]) == 1
    assert notifications.unread_count(author) == 3
    assert notifications.mark_read(author) == 3
    assert notifications.unread_count(author) == 0


def test_toggling_a_like_does_not_repeat_the_unread_notice(make_user, quick_note):
    author, fan = make_user(), make_user()
    note = quick_note(author)
    for _ in range(3):
        interactions.like_note(fan, note.id)
        interactions.unlike_note(fan, note.id)
    assert kinds_for(author) == ["like"]


# Concurrency ------------------------------------------------------------------------------
on_postgresql = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="real concurrent transactions need PostgreSQL")


@pytest.mark.postgres_only
@on_postgresql
def test_concurrent_likes_keep_the_counter_exact(app, database_url):
    """Many users like one note at the same moment, each in its own transaction."""
    from app.models import utcnow
    from app.services.social.notes import hot_score

    engine = create_engine(database_url, pool_size=20, max_overflow=0)
    sessions = scoped_session(sessionmaker(bind=engine))
    # Real commits, one connection per thread. Put back by hand, not by monkeypatch: its
    # undo may run after the suite's transaction fixture has restored the app's session.
    suite_session, db.session = db.session, sessions
    workers = 16
    try:
        author = User(email="race-author@example.test", password_hash="x",
                      display_name="Race author", email_verified_at=utcnow())
        fans = [User(email=f"race-fan{i}@example.test", password_hash="x",
                     display_name=f"Fan {i}") for i in range(workers)]
        sessions.add_all([author, *fans])
        sessions.flush()
        now = utcnow()
        note = Note(author_id=author.id, title="Race", body="", status="published",
                    published_at=now, hot_score=hot_score(0, 0, 0, now))
        sessions.add(note)
        sessions.commit()
        note_id, fan_ids = note.id, [f.id for f in fans]
        sessions.remove()

        barrier = threading.Barrier(workers)
        errors: list[BaseException] = []

        def like(fan_id: int, twice: bool) -> None:
            try:
                with app.app_context():
                    fan = sessions.get(User, fan_id)
                    barrier.wait()
                    interactions.like_note(fan, note_id)
                    if twice:  # a double tap racing with itself changes nothing
                        interactions.like_note(fan, note_id)
                    sessions.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                sessions.remove()

        threads = [threading.Thread(target=like, args=(fan_id, i % 2 == 0))
                   for i, fan_id in enumerate(fan_ids)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        stored = sessions.get(Note, note_id)
        rows = sessions.scalar(select(func.count(NoteLike.id)).where(NoteLike.note_id == note_id))
        assert (stored.like_count, rows) == (workers, workers)
        assert stored.hot_score == pytest.approx(hot_score(workers, 0, 0, now), abs=1e-6)
    finally:
        db.session = suite_session
        sessions.remove()
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email.like("race-%@example.test")))
        engine.dispose()


def test_follow_rows_are_unique(make_user):
    me, creator = make_user(), make_user()
    interactions.follow_user(me, creator.id)
    interactions.follow_user(me, creator.id)
    assert db.session.scalar(select(func.count(Follow.id))) == 1
