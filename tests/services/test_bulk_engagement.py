"""Likes and follows in bulk leave what the same likes and follows one by one leave: rows,
counters equal to the rows, hot scores, event scores, notices and interest weights."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

from app.extensions import db
from app.models import Follow, Note, NoteLike, NoteTopic, Notification, User, utcnow
from app.services.errors import NotFound, ValidationFailed
from app.services.social import bulk_engagement as bulk
from app.services.social import engagement as interactions
from app.services.social import events, interests
from app.services.social.events import EventInput
from app.services.social.notes import hot_score

pytest_plugins = ["tests.notes_fixtures"]


def notices(kind: str) -> list[tuple[int, int, int | None]]:
    return sorted(db.session.execute(
        select(Notification.recipient_id, Notification.actor_id, Notification.note_id)
        .where(Notification.kind == kind)).tuples())


def counters_match_rows() -> bool:
    counted = dict(db.session.execute(select(NoteLike.note_id, func.count(NoteLike.id))
                                      .group_by(NoteLike.note_id)).tuples().all())
    return all(like_count == counted.get(note_id, 0) for note_id, like_count in
               db.session.execute(select(Note.id, Note.like_count)))


def test_bulk_likes_leave_what_likes_one_by_one_leave(make_user, make_note):
    """Fans like the same notes, through `like_note` or in bulk: the same result."""
    authors = [make_user(), make_user()]
    notes = [make_note(authors[0], body="#tea"), make_note(authors[1], body="#tea #pots"),
             make_note(authors[1], body="#cups")]
    one_by_one, in_bulk, earlier, reference = make_user(), make_user(), make_user(), make_user()
    for note in notes:
        interactions.like_note(one_by_one, note.id)
    for note in (notes[0], notes[2]):
        interactions.like_note(reference, note.id)
    interactions.like_note(earlier, notes[0].id)  # liked before the bulk call: kept once

    added = bulk.like_notes_in_bulk([(in_bulk, note) for note in notes]
                                    + [(earlier, notes[0]), (earlier, notes[2])])

    assert added == 4
    assert [n.like_count for n in notes] == [4, 2, 4]  # expired by the call, read afresh
    assert counters_match_rows()
    for note in notes:
        assert note.hot_score == hot_score(note.like_count, 0, 0, note.published_at)
    assert interests.interest_weights(in_bulk) == interests.interest_weights(one_by_one)
    assert interests.interest_weights(earlier) == interests.interest_weights(reference)
    fans = {notes[0]: (one_by_one, in_bulk, earlier, reference), notes[1]: (one_by_one, in_bulk),
            notes[2]: (one_by_one, in_bulk, earlier, reference)}
    # One notice per like: the earlier like's is not repeated.
    assert notices("like") == sorted((n.author_id, fan.id, n.id) for n, who in fans.items()
                                     for fan in who)


def test_a_bulk_like_of_ones_own_note_counts_but_tells_and_teaches_nothing(make_user,
                                                                           quick_note):
    author = make_user()
    note = quick_note(author)
    assert bulk.like_notes_in_bulk([(author, note)]) == 1
    assert note.like_count == 1 and counters_match_rows()
    assert notices("like") == [] and interests.interest_weights(author) == {}


def test_an_unpublished_note_refuses_the_whole_batch(make_user, quick_note):
    fan = make_user()
    published, draft = quick_note(make_user()), quick_note(make_user(), status="draft")
    with pytest.raises(NotFound):
        bulk.like_notes_in_bulk([(fan, published), (fan, draft)])
    assert db.session.scalar(select(func.count(NoteLike.id))) == 0
    assert published.like_count == 0


def test_bulk_likes_move_the_score_of_an_open_event_entry(make_user, quick_note):
    community = make_user(roles=("community",))
    event = events.create_event(community, EventInput(
        title_en="Tea around the world", title_zh="世界各地的茶", prompt_en="Show us.",
        prompt_zh="晒出来。", topic="#Tea", starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(days=3), rules="One note.", prizes="", sponsor_id=None))
    author = make_user()
    note = quick_note(author, body="#tea", likes=0)
    db.session.add(NoteTopic(note_id=note.id, topic_id=event.topic_id))
    db.session.flush()
    entry = events.enter_note(author, event.id, note.id)
    bulk.like_notes_in_bulk([(make_user(), note), (make_user(), note)])
    db.session.refresh(entry)
    assert entry.score == 2


def test_bulk_follows_leave_what_follows_one_by_one_leave(make_user):
    creators = [make_user(), make_user(), make_user()]
    one_by_one, in_bulk = make_user(), make_user()
    for creator in creators:
        interactions.follow_user(one_by_one, creator.id)
    interactions.follow_user(in_bulk, creators[0].id)  # already following: kept once

    added = bulk.follow_users_in_bulk([(in_bulk, c) for c in creators]
                                      + [(one_by_one, creators[0])])

    assert added == 2
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 6
    assert interests.interest_weights(in_bulk) == interests.interest_weights(one_by_one)
    assert notices("follow") == sorted((c.id, fan.id, None) for c in creators
                                       for fan in (one_by_one, in_bulk))


def test_a_follow_notice_still_unread_is_not_repeated(make_user):
    creator, fan = make_user(), make_user()
    interactions.follow_user(fan, creator.id)
    interactions.unfollow_user(fan, creator.id)  # the notice stays, unread
    assert bulk.follow_users_in_bulk([(fan, creator)]) == 1
    assert notices("follow") == [(creator.id, fan.id, None)]


def test_bulk_follows_refuse_oneself_and_removed_accounts_writing_nothing(make_user):
    fan, creator = make_user(), make_user()
    gone = make_user(moderation_state="removed")
    with pytest.raises(ValidationFailed):
        bulk.follow_users_in_bulk([(fan, creator), (fan, fan)])
    with pytest.raises(NotFound):
        bulk.follow_users_in_bulk([(fan, creator), (fan, gone)])
    assert db.session.scalar(select(func.count()).select_from(Follow)) == 0


@pytest.mark.postgres_only
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="real concurrent transactions need PostgreSQL")
def test_racing_batches_and_single_likes_keep_the_counters_exact(app, database_url):
    """Overlapping batches and single likes, each in its own transaction, at once."""
    engine = create_engine(database_url, pool_size=10, max_overflow=0)
    sessions = scoped_session(sessionmaker(bind=engine))
    suite_session, db.session = db.session, sessions  # real commits, one connection a thread
    try:
        author = User(email="bulk-race-author@example.test", password_hash="x",
                      display_name="Race author", email_verified_at=utcnow())
        fans = [User(email=f"bulk-race-fan{i}@example.test", password_hash="x",
                     display_name=f"Fan {i}") for i in range(6)]
        sessions.add_all([author, *fans])
        sessions.flush()
        now = utcnow()
        race = [Note(author_id=author.id, title=f"Race {i}", body="", status="published",
                     published_at=now, hot_score=hot_score(0, 0, 0, now)) for i in range(3)]
        sessions.add_all(race)
        sessions.commit()
        author_id, note_ids, fan_ids = author.id, [n.id for n in race], [f.id for f in fans]
        sessions.remove()
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def run(work) -> None:
            try:
                with app.app_context():
                    barrier.wait()
                    work()
                    sessions.commit()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                sessions.remove()

        def batch() -> None:  # every fan likes every note
            bulk.like_notes_in_bulk([(sessions.get(User, f), sessions.get(Note, n))
                                     for f in fan_ids for n in note_ids])

        def singles() -> None:
            for fan_id in fan_ids[:3]:
                interactions.like_note(sessions.get(User, fan_id), note_ids[1])

        threads = [threading.Thread(target=run, args=(work,))
                   for work in (batch, batch, singles, batch)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        for note_id in note_ids:
            stored = sessions.get(Note, note_id)
            rows = sessions.scalar(select(func.count(NoteLike.id))
                                   .where(NoteLike.note_id == note_id))
            assert (stored.like_count, rows) == (6, 6)
            assert stored.hot_score == pytest.approx(hot_score(6, 0, 0, now), abs=1e-6)
        assert sessions.scalar(select(func.count(Notification.id)).where(
            Notification.recipient_id == author_id)) == 18  # one per like
    finally:
        db.session = suite_session
        sessions.remove()
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email.like("bulk-race-%@example.test")))
        engine.dispose()
