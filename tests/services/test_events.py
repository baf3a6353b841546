"""Events and challenges: the community team's events, joining, entering, leaderboards, and
the job that announces starts, closes events and tells the winners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import EventEntry, Notification, utcnow
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import events, topics
from app.services.social.events import EventInput

pytest_plugins = ["tests.notes_fixtures"]


def event_input(**changes) -> EventInput:
    values = dict(title_en="Tea around the world", title_zh="世界各地的茶",
                  prompt_en="Show us your cup.", prompt_zh="晒出你的那杯茶。", topic="#Tea",
                  starts_at=utcnow() - timedelta(hours=1), ends_at=utcnow() + timedelta(days=3),
                  rules="One note per person.", prizes="", sponsor_id=None)
    values.update(changes)
    return EventInput(**values)


@pytest.fixture
def community(make_user):
    return make_user(roles=("community",))


@pytest.fixture
def running(community):
    event = events.create_event(community, event_input())
    db.session.commit()
    return event


def test_only_the_community_team_and_admins_create_events(make_user, community):
    with pytest.raises(Forbidden):
        events.create_event(make_user(roles=("moderator",)), event_input())
    event = events.create_event(make_user(roles=("admin",)), event_input())
    assert event.topic.name == "tea"  # case-folded like every topic
    assert events.create_event(community, event_input()).title("zh") == "世界各地的茶"


def test_event_input_is_checked_field_by_field_with_nothing_written(community, make_org):
    person = make_org("merchant")
    with pytest.raises(ValidationFailed) as refused:
        events.create_event(community, event_input(
            title_zh=" ", topic="tea time", ends_at=utcnow() - timedelta(days=2),
            sponsor_id=person.id))
    assert set(refused.value.fields) == {"title_zh", "topic", "ends_at", "sponsor_id"}
    assert db.session.scalar(select(EventEntry.id)) is None
    brand = make_org("brand")
    event = events.create_event(community, event_input(sponsor_id=brand.id))
    assert event.sponsor.name == brand.name


def test_joining_an_event_that_has_ended_is_refused(community, make_user):
    ended = events.create_event(community, event_input(
        starts_at=utcnow() - timedelta(days=5), ends_at=utcnow() + timedelta(seconds=1)))
    ended.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        events.join_event(make_user(), ended.id)
    assert refused.value.code == "event_ended"


def test_joining_twice_keeps_one_participant(running, make_user):
    fan = make_user()
    first = events.join_event(fan, running.id)
    assert events.join_event(fan, running.id).id == first.id
    assert events.participant_count(running) == 1


def test_a_note_without_the_event_topic_cannot_be_entered(running, make_user, make_note):
    author = make_user()
    note = make_note(author, body="Matcha morning #matcha")
    with pytest.raises(ValidationFailed) as refused:
        events.enter_note(author, running.id, note.id)
    assert refused.value.code == "event_topic_missing"
    assert "#tea" in refused.value.message
    assert not events.is_participant(author, running)  # nothing written


def test_a_note_carrying_a_hashtag_linked_to_the_event_topic_can_be_entered(
        running, community, make_user, make_note):
    author = make_user()
    note = make_note(author, body="明前龙井 #茶")
    with pytest.raises(ValidationFailed):
        events.enter_note(author, running.id, note.id)
    topics.link_topics(community, "tea", "茶")
    entry = events.enter_note(author, running.id, note.id)
    assert entry.note_id == note.id


def test_only_your_own_published_note_enters_once(running, make_user, make_note):
    author, other = make_user(), make_user()
    note = make_note(author, body="Oolong #tea")
    with pytest.raises(NotFound):
        events.enter_note(other, running.id, note.id)
    draft = make_note(author, body="Soon #tea", publish=False)
    with pytest.raises(NotFound):
        events.enter_note(author, running.id, draft.id)
    events.enter_note(author, running.id, note.id)
    assert events.is_participant(author, running)
    with pytest.raises(Conflict) as again:
        events.enter_note(author, running.id, note.id)
    assert again.value.code == "already_entered"


def test_entries_open_only_once_the_event_starts(community, make_user, make_note):
    upcoming = events.create_event(community, event_input(
        starts_at=utcnow() + timedelta(days=1), ends_at=utcnow() + timedelta(days=3)))
    author = make_user()
    note = make_note(author, body="#tea")
    events.join_event(author, upcoming.id)  # joining early is fine
    with pytest.raises(Conflict) as refused:
        events.enter_note(author, upcoming.id, note.id)
    assert refused.value.code == "event_not_started"


def _entered(running, quick_note, author, *, language, region, likes=0):
    from app.models import NoteTopic

    note = quick_note(author, body="#tea", language=language, region=region, likes=likes)
    db.session.add(NoteTopic(note_id=note.id, topic_id=running.topic_id))
    db.session.flush()
    return events.enter_note(author, running.id, note.id)


def test_sides_follow_discovers_rule_and_leaderboards_rank_by_likes_and_collects(
        running, make_user, quick_note):
    china_author, us_author, en_in_cn = make_user(), make_user(), make_user()
    chinese = _entered(running, quick_note, china_author, language="zh", region="CN", likes=2)
    american = _entered(running, quick_note, us_author, language="en", region="US", likes=5)
    english_from_china = _entered(running, quick_note, en_in_cn, language="en", region="CN")
    assert (chinese.side, american.side, english_from_china.side) == \
        ("china", "abroad", "abroad")
    fan = make_user()
    interactions.collect_note(fan, english_from_china.note_id)
    interactions.like_note(fan, chinese.note_id)  # 3 likes now: still behind 5
    combined = events.leaderboard(running, "combined")
    assert [s.entry.id for s in combined] == [american.id, chinese.id, english_from_china.id]
    assert [s.score for s in combined] == [5, 3, 1]
    assert [s.entry.id for s in events.leaderboard(running, "china")] == [chinese.id]
    assert [s.entry.id for s in events.leaderboard(running, "abroad")] == \
        [american.id, english_from_china.id]


def test_notes_hidden_by_moderation_leave_the_leaderboard(running, make_user, quick_note):
    winner = _entered(running, quick_note, make_user(), language="en", region="US", likes=9)
    other = _entered(running, quick_note, make_user(), language="en", region="US", likes=1)
    winner.note.moderation_state = "removed"
    db.session.flush()
    assert [s.entry.id for s in events.leaderboard(running)] == [other.id]


def test_the_job_announces_the_start_closes_the_event_and_tells_the_winners(
        community, make_user, quick_note):
    event = events.create_event(community, event_input(
        starts_at=utcnow() + timedelta(hours=1), ends_at=utcnow() + timedelta(days=2)))
    early, other = make_user(), make_user()
    events.join_event(early, event.id)
    assert events.advance_events() == 0
    later = utcnow() + timedelta(hours=2)
    assert events.advance_events(now=later) == 1
    assert events.advance_events(now=later) == 0  # once only
    stages = db.session.scalars(select(Notification.event_stage)
                                .where(Notification.recipient_id == early.id)).all()
    assert stages == ["started"]
    event.starts_at = utcnow() - timedelta(hours=1)  # open it for entries now
    db.session.flush()
    top = _entered(event, quick_note, early, language="zh", region="CN", likes=4)
    low = _entered(event, quick_note, other, language="en", region="US", likes=1)
    assert events.winners(event) == {}
    assert events.advance_events(now=utcnow() + timedelta(days=3)) == 1
    db.session.refresh(event)
    low.note.like_count = 50  # likes after the end move nothing
    db.session.flush()
    assert [s.entry.id for s in events.leaderboard(event)] == [top.id, low.id]
    podium = events.winners(event)
    assert [s.entry.id for s in podium["china"]] == [top.id]
    assert [s.entry.id for s in podium["abroad"]] == [low.id]
    notices = db.session.execute(select(Notification.recipient_id, Notification.event_stage,
                                        Notification.note_id)
                                 .where(Notification.event_id == event.id,
                                        Notification.event_stage != "started")).all()
    assert sorted(notices) == sorted([(early.id, "ended", None), (other.id, "ended", None),
                                      (early.id, "placed", top.note_id),
                                      (other.id, "placed", low.note_id)])
    with pytest.raises(Conflict) as closed:
        events.update_event(community, event.id, event_input())
    assert closed.value.code == "event_closed"


def test_likes_and_collects_move_the_copied_score_until_the_event_closes(
        running, make_user, quick_note):
    entry = _entered(running, quick_note, make_user(), language="en", region="US", likes=2)
    assert entry.score == 2
    fan = make_user()
    interactions.like_note(fan, entry.note_id)
    interactions.collect_note(fan, entry.note_id)
    assert [s.score for s in events.leaderboard(running)] == [4]
    interactions.unlike_note(fan, entry.note_id)
    assert [s.score for s in events.leaderboard(running)] == [3]
    events.advance_events(now=running.ends_at + timedelta(minutes=1))
    interactions.like_note(make_user(), entry.note_id)
    db.session.refresh(entry)
    assert (entry.score, entry.final_score) == (3, 3)


def test_a_start_moved_back_into_the_future_is_announced_again(community, make_user):
    event = events.create_event(community, event_input())
    fan = make_user()
    events.join_event(fan, event.id)
    events.advance_events()
    later = utcnow() + timedelta(hours=5)
    events.update_event(community, event.id, event_input(
        starts_at=utcnow() + timedelta(hours=4), ends_at=utcnow() + timedelta(days=3)))
    assert events.advance_events() == 0
    assert events.advance_events(now=later) == 1
    assert db.session.scalars(select(Notification.event_stage).where(
        Notification.recipient_id == fan.id)).all() == ["started", "started"]
