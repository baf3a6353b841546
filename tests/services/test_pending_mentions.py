"""Mentions and comment notices go out when the item can be seen, never for a held one.

With a broker (Celery's in-memory transport: the commit queues the screening job and
nothing runs it until the test does, as a worker would), a new or edited note or comment
waits as "pending"; without one it is visible at once and screened right after the commit.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.transaction import commit
from app.extensions import db
from app.models import Notification
from app.providers.moderation import set_moderation_providers
from app.services import moderation
from app.services.social import notes
from app.services.social.engagement import add_comment
from app.services.social.notes import ImageUpload
from app.tasks.moderation import screen_content_task
from tests.moderation_factories import add_rule, jpeg, photo, providers, queued_jobs


@pytest.fixture(autouse=True)
def _rules_only(app):
    set_moderation_providers(providers())
    yield
    set_moderation_providers(None)


@pytest.fixture
def people(make_user):
    """A creator, and two people to mention (handles @MiaReader and @LeoReader)."""
    return (make_user("mention-creator@example.test", home_country="US"),
            make_user(display_name="Mia Reader", home_country="US"),
            make_user(display_name="Leo Reader", home_country="US"))


@pytest.fixture
def banned_term(make_user):
    add_rule(make_user("mention-admin@example.test", roles=("admin",)), "qiaotestban")
    commit()


def notices(user) -> list[tuple[str, int | None, int | None]]:
    return [(n.kind, n.note_id, n.comment_id) for n in db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id,
                                   Notification.kind != "moderation")
        .order_by(Notification.id))]


def post(author, body: str):
    note = notes.create_note(author, title="Spring haul", body=body,
                             images=[ImageUpload(jpeg(photo(7)), "p.jpg")])
    commit()
    return note


def test_a_pending_notes_mentions_wait_for_screening(people):
    creator, mia, _leo = people
    with queued_jobs():
        note = post(creator, "Tea with @MiaReader")
    assert note.moderation_state == "pending"
    assert notices(mia) == []  # the link would answer 404 to her now

    screen_content_task("note", note.id)  # the worker picks the job up
    screen_content_task("note", note.id)  # a second screening tells no one twice

    db.session.refresh(note)
    assert note.moderation_state == "visible"
    assert notices(mia) == [("mention", note.id, None)]


def test_a_held_notes_mentions_are_never_sent(people, banned_term, make_user):
    creator, mia, _leo = people
    with queued_jobs():
        note = post(creator, "@MiaReader look: qiaotestban")
    screen_content_task("note", note.id)
    db.session.refresh(note)
    assert note.moderation_state == "held"
    assert notices(mia) == []

    # A moderator approves it: now it shows, and she hears of it.
    moderation.decide_case(make_user(roles=("moderator",)),
                           moderation.latest_case("note", note.id).id,
                           moderation.DecisionInput("approve", "no_violation", []))
    commit()
    assert notices(mia) == [("mention", note.id, None)]


def test_without_a_broker_mentions_go_at_once_and_a_hold_takes_them_back(people,
                                                                          banned_term):
    creator, mia, leo = people
    fine = notes.create_note(creator, title="Fine", body="Hi @MiaReader",
                             images=[ImageUpload(jpeg(photo(7)), "p.jpg")])
    assert notices(mia) == [("mention", fine.id, None)]  # visible as written: told at once
    commit()  # screened in-process: it passes
    assert notices(mia) == [("mention", fine.id, None)]

    held = post(creator, "@LeoReader qiaotestban")
    db.session.refresh(held)
    assert held.moderation_state == "held"
    assert notices(leo) == []


def test_an_edit_waits_for_screening_and_tells_only_the_newly_mentioned(people):
    creator, mia, leo = people
    note = post(creator, "With @MiaReader")
    assert notices(mia) == [("mention", note.id, None)]
    with queued_jobs():
        notes.update_note(creator, note.id, body="With @MiaReader and @LeoReader")
        commit()
    db.session.refresh(note)
    assert note.moderation_state == "pending"
    assert notices(leo) == []

    screen_content_task("note", note.id)

    assert notices(leo) == [("mention", note.id, None)]
    assert notices(mia) == [("mention", note.id, None)]  # told once, not again


def test_a_pending_comment_tells_no_one_until_screened(people, make_user):
    creator, mia, _leo = people
    note = post(creator, "Spring tea")
    commenter = make_user(home_country="US")
    with queued_jobs():
        comment = add_comment(commenter, note.id, "Ask @MiaReader where")
        commit()
    assert comment.moderation_state == "pending"
    assert notices(creator) == [] and notices(mia) == []

    screen_content_task("comment", comment.id)

    assert notices(creator) == [("comment", note.id, comment.id)]
    assert notices(mia) == [("mention", note.id, comment.id)]


def test_a_held_comments_notices_are_taken_back(people, banned_term, make_user):
    creator, mia, _leo = people
    note = post(creator, "Spring tea")
    commenter = make_user(home_country="US")
    comment = add_comment(commenter, note.id, "@MiaReader qiaotestban")
    commit()  # no broker: screened right after the commit, and held
    db.session.refresh(comment)
    assert comment.moderation_state == "held"
    assert notices(creator) == [] and notices(mia) == []
