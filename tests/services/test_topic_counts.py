"""A topic group's side counters stay equal to counting its notes, through every change."""

from __future__ import annotations

import pytest
from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Note, NoteTopic, Topic
from app.services.moderation import cases, screening
from app.services.moderation.cases import load_target, set_content_state
from app.services.social import coauthoring, feed, notes, topics

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def sides(make_user):
    """A creator in China (writes Chinese) and one in the US (writes English)."""
    return (make_user(home_country="CN", display_name="小林"),
            make_user(home_country="US", display_name="Ava"))


@pytest.fixture
def moderator(make_user):
    return make_user(roles=("moderator",))


def counted(name: str, view: str = "notes", market: str | None = None) -> topics.SideCounts:
    """The counts as the notes themselves give them (the query the counters replace)."""
    group = topics.group_of(topics.find_topic(name))
    china = (feed.side_clause("china") if view == "notes" else Note.question_to == "china")
    tagged = (select(NoteTopic.note_id).where(NoteTopic.topic_id.in_([t.id for t in group]))
              .distinct().subquery())
    stmt = (select(func.count(), func.coalesce(func.sum(case((china, 1), else_=0)), 0))
            .select_from(tagged).join(Note, Note.id == tagged.c.note_id)
            .where(Note.shown_clause(market)))
    if view == "questions":
        stmt = stmt.where(Note.question_to.is_not(None))
    total, from_china = db.session.execute(stmt).one()
    return topics.SideCounts(all=total, china=from_china, abroad=total - from_china)


def shown(name: str, view: str = "notes", market: str | None = None) -> topics.SideCounts:
    """The counts the topic page shows (from the counters)."""
    return topics.topic_page(topics.find_topic(name), view, market=market).counts


def assert_counters_true(*names: str) -> None:
    for name in names:
        for view in ("notes", "questions"):
            for market in (None, "US", "CN"):
                assert shown(name, view, market) == counted(name, view, market), \
                    (name, view, market)


def test_counters_follow_publishing_editing_moderation_and_deleting(sides, moderator,
                                                                    make_note):
    china, us = sides
    longjing = make_note(china, "龙井新茶", "今年的龙井很香 #茶")
    make_note(us, "Morning tea", "Sencha before work #tea")
    both = make_note(us, "Tea in Hangzhou", "Visited the tea fields #tea #茶")
    asked = make_note(us, "Which tea?", "Which green tea should I buy? #tea",
                      question_to="china")
    draft = make_note(china, "草稿", "还没写完 #茶", publish=False)
    topics.link_topics(moderator, "tea", "茶")
    db.session.commit()
    # The note carrying both hashtags counts once; the draft not at all.
    assert shown("茶") == topics.SideCounts(all=4, china=1, abroad=3)
    assert shown("tea", "questions") == topics.SideCounts(all=1, china=1, abroad=0)
    assert_counters_true("tea")

    notes.update_note(china, draft.id, publish=True)
    notes.update_note(us, both.id, body="Only the English tag now #tea")
    notes.update_note(us, asked.id, question_to="abroad")
    db.session.commit()
    assert shown("tea") == topics.SideCounts(all=5, china=2, abroad=3)
    assert shown("tea", "questions") == topics.SideCounts(all=1, china=0, abroad=1)
    assert_counters_true("tea")

    set_content_state(load_target("note", longjing.id), "held")
    db.session.commit()
    assert shown("tea").china == 1
    set_content_state(load_target("note", longjing.id), "visible")
    notes.update_note(us, asked.id, body="No topic any more", question_to="none")
    db.session.commit()
    assert_counters_true("tea")

    notes.delete_note(china, draft.id)
    notes.update_note(us, both.id, publish=False)
    db.session.commit()
    assert shown("tea") == topics.SideCounts(all=2, china=1, abroad=1)
    assert_counters_true("tea")


def test_a_note_waiting_for_screening_is_counted_whichever_way_screening_goes(sides,
                                                                           make_note):
    china, _us = sides
    released = make_note(china, "白茶", "福鼎白茶 #茶")
    held = make_note(china, "岩茶", "大红袍 #茶")
    # With a Celery broker a published note waits as "pending" for its screening job.
    for note in (released, held):
        note.moderation_state = "pending"
    db.session.commit()
    screening._release_pending(screening.load_content("note", released.id))
    cases.open_case("note", held.id, source="screening", hold=True,
                    reasons=[{"code": "spam", "severity": "high", "spans": []}])
    db.session.commit()
    assert shown("茶") == topics.SideCounts(all=1, china=1, abroad=0)
    assert_counters_true("茶")


def test_splitting_gives_each_hashtag_its_own_counts_back(sides, moderator, make_note):
    china, us = sides
    make_note(china, "龙井新茶", "今年的龙井很香 #茶")
    make_note(us, "Tea in Hangzhou", "Visited the tea fields #tea #茶")
    topics.link_topics(moderator, "tea", "茶")
    db.session.commit()
    assert shown("tea").all == 2

    topics.split_topic(moderator, "#茶")
    db.session.commit()
    assert shown("tea") == topics.SideCounts(all=1, china=0, abroad=1)
    assert shown("茶") == topics.SideCounts(all=2, china=1, abroad=1)
    assert_counters_true("tea", "茶")


def test_a_note_hidden_in_one_market_leaves_only_that_markets_counts(sides, make_note):
    china, us = sides
    make_note(china, "龙井新茶", "今年的龙井很香 #茶")
    hidden = make_note(china, "碧螺春", "碧螺春也不错 #茶", question_to="abroad")
    hidden.hidden_markets = ",US,"
    db.session.commit()
    assert shown("茶", market="US") == topics.SideCounts(all=1, china=1, abroad=0)
    assert shown("茶", market="CN") == topics.SideCounts(all=2, china=2, abroad=0)
    assert shown("茶", "questions", market="US").all == 0
    assert_counters_true("茶")


def test_a_co_created_note_counts_when_both_agree(sides, make_note):
    china, us = sides
    draft = make_note(china, "世界各地的茶", "一起写 #茶", publish=False)
    coauthoring.invite_coauthor(china, draft.id, us.id)
    coauthoring.respond_to_invitation(us, draft.id, accept=True)
    coauthoring.agree_to_publish(china, draft.id)
    db.session.commit()
    assert shown("茶").all == 0
    coauthoring.agree_to_publish(us, draft.id)
    db.session.commit()
    assert shown("茶") == topics.SideCounts(all=1, china=1, abroad=0)
    assert db.session.get(Topic, topics.find_topic("茶").id).group_china_notes == 1
