"""Bilingual topics (link, split, both sides' counts) and questions across the border."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Note, Notification, Topic
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import engagement, feed, questions, topics

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def sides(make_user):
    """A creator in China (writes Chinese) and one in the US (writes English)."""
    return (make_user(home_country="CN", display_name="小林"),
            make_user(home_country="US", display_name="Ava"))


@pytest.fixture
def moderator(make_user):
    return make_user(roles=("moderator",))


@pytest.fixture
def tea_notes(sides, make_note):
    china, us = sides
    return {
        "china": make_note(china, "龙井新茶", "今年的龙井很香 #茶"),
        "us": make_note(us, "Morning tea", "Sencha before work #tea"),
        "both": make_note(us, "Tea in Hangzhou", "Visited the tea fields #tea #茶"),
    }


def feed_ids(topic_name, **kwargs):
    group = topics.group_of(topics.find_topic(topic_name))
    return [n.id for n in topics.topic_feed(group, None, 20, **kwargs).notes]


def test_the_sides_are_discovers_home_and_abroad_seen_from_china(quick_note, make_user):
    author = make_user()
    cases = {("zh", "CN"): "china", ("zh", None): "china", ("zh", "TW"): "abroad",
             ("en", "CN"): "abroad", (None, "CN"): "abroad", ("en", "US"): "abroad"}
    made = {key: quick_note(author, f"{key}", language=key[0], region=key[1])
            for key in cases}
    china_ids = set(db.session.scalars(select(Note.id).where(feed.side_clause("china"))))
    abroad_ids = set(db.session.scalars(select(Note.id).where(feed.side_clause("abroad"))))
    for key, side in cases.items():
        assert (made[key].id in china_ids, made[key].id in abroad_ids) == \
            (side == "china", side == "abroad"), key
    # The same notes are "from abroad" in Discover for a reader in China.
    page = feed.discover(feed.Audience(None, "zh", "CN"), None, 20, 1.0)
    assert {n.id for n in page.notes} >= {made[k].id for k, s in cases.items() if s == "abroad"}


@pytest.mark.parametrize("small_group", [2000, 0], ids=["sorted-by-id", "walking-newest"])
def test_linking_puts_both_hashtags_on_one_page_with_each_sides_count(
        tea_notes, moderator, monkeypatch, small_group):
    # Both ways a topic feed reads its notes (few notes: all by id; many: newest first).
    monkeypatch.setattr(topics, "SMALL_GROUP", small_group)
    alias = topics.link_topics(moderator, "#Tea", "茶")
    db.session.commit()
    assert alias.name == "茶" and alias.canonical.name == "tea"

    header = topics.topic_page(topics.find_topic("tea"))
    assert header.names == ["tea", "茶"]
    # The note carrying both hashtags is counted once.
    assert header.counts == topics.SideCounts(all=3, china=1, abroad=2)
    assert set(feed_ids("茶")) == {n.id for n in tea_notes.values()}
    assert feed_ids("tea", side="china") == [tea_notes["china"].id]
    assert feed_ids("tea", side="abroad") == [tea_notes["both"].id, tea_notes["us"].id]
    # Each hashtag keeps its own count: the link moves no note.
    counts = {t.name: t.note_count for t in db.session.scalars(select(Topic))}
    assert counts["tea"] == 2 and counts["茶"] == 2

    topics.split_topic(moderator, "#茶")
    db.session.commit()
    assert topics.topic_page(topics.find_topic("茶")).counts == topics.SideCounts(2, 1, 1)
    assert set(feed_ids("tea")) == {tea_notes["us"].id, tea_notes["both"].id}


def test_bad_links_are_refused_with_a_reason(tea_notes, moderator, make_user):
    with pytest.raises(Forbidden):
        topics.link_topics(make_user(), "tea", "茶")
    with pytest.raises(ValidationFailed) as same:
        topics.link_topics(moderator, "tea", "#TEA")
    assert same.value.code == "invalid_topic"
    with pytest.raises(ValidationFailed) as bad_name:
        topics.link_topics(moderator, "tea", "green tea!")
    assert bad_name.value.fields["alias"]

    topics.link_topics(moderator, "tea", "茶")
    db.session.commit()
    with pytest.raises(Conflict) as again:
        topics.link_topics(moderator, "tea", "茶")
    assert again.value.code == "topics_already_linked"
    with pytest.raises(Conflict) as elsewhere:
        topics.link_topics(moderator, "chai", "茶")
    assert elsewhere.value.code == "topic_linked_elsewhere"
    db.session.rollback()
    with pytest.raises(Conflict) as has_aliases:
        topics.link_topics(moderator, "drinks", "tea")
    assert has_aliases.value.code == "topic_has_aliases"
    db.session.rollback()
    # Linking to an alias links to its canonical topic: groups stay one level deep.
    tisane = topics.link_topics(moderator, "茶", "teh")
    assert tisane.canonical.name == "tea"
    db.session.rollback()
    with pytest.raises(Conflict) as not_linked:
        topics.split_topic(moderator, "tea")
    assert not_linked.value.code == "topic_not_linked"
    with pytest.raises(NotFound):
        topics.split_topic(moderator, "neverused")


def test_groups_listed_for_moderators(tea_notes, moderator):
    topics.link_topics(moderator, "tea", "茶")
    topics.link_topics(moderator, "citywalk", "城市漫步")
    db.session.commit()
    groups, more = topics.linked_groups(moderator)
    assert [[t.name for t in g] for g in groups] == [["tea", "茶"], ["citywalk", "城市漫步"]]
    assert not more
    found, _ = topics.linked_groups(moderator, query="#城市")
    assert [[t.name for t in g] for g in found] == [["citywalk", "城市漫步"]]
    assert topics.name_for_language(["tea", "茶"], "zh") == "茶"
    assert topics.name_for_language(["tea", "茶"], "en") == "tea"


@pytest.fixture
def question(sides, make_note):
    _china, us = sides
    return make_note(us, "Best green tea to bring home?", "Visiting Hangzhou #tea",
                     question_to="china")


def test_answers_from_the_addressed_side_rank_first_and_one_best_answer(
        question, sides, make_user):
    china, us = sides
    other_us = make_user(home_country="US")
    early = engagement.add_comment(other_us, question.id, "Try any Japanese sencha instead")
    for fan in (make_user(), make_user()):
        engagement.like_comment(fan, early.id)
    local = engagement.add_comment(china, question.id, "西湖龙井，明前的最好")
    db.session.commit()

    page = questions.answers(question)
    assert [(a.comment.id, a.side, a.is_from_addressed_side) for a in page.answers] == [
        (local.id, "china", True), (early.id, "abroad", False)]

    with pytest.raises(Forbidden) as stranger:
        questions.choose_best_answer(china, question.id, local.id)
    assert stranger.value.code == "not_question_author"
    mine = engagement.add_comment(us, question.id, "Thanks all!")
    with pytest.raises(ValidationFailed) as own:
        questions.choose_best_answer(us, question.id, mine.id)
    assert own.value.code == "own_answer"

    questions.choose_best_answer(us, question.id, early.id)
    db.session.commit()
    assert [a.comment.id for a in questions.answers(question).answers][:2] == [early.id,
                                                                                local.id]
    with pytest.raises(Conflict) as second:
        questions.choose_best_answer(us, question.id, local.id)
    assert second.value.code == "best_answer_already_chosen"
    db.session.rollback()
    assert db.session.scalars(select(Comment.id).where(Comment.is_best_answer)).all() == [
        early.id]


def test_answers_page_through_in_rank_order(question, make_user):
    made = [engagement.add_comment(make_user(home_country="CN" if i % 2 else "US"),
                                   question.id, "好喝" if i % 2 else "Nice") for i in range(5)]
    db.session.commit()
    seen, cursor = [], None
    while True:
        page = questions.answers(question, cursor, 2)
        seen += [a.comment.id for a in page.answers]
        cursor = page.next_cursor
        if cursor is None:
            break
    china_first = [c.id for i, c in enumerate(made) if i % 2] + \
        [c.id for i, c in enumerate(made) if not i % 2]
    assert seen == china_first


def test_question_bad_input(sides, make_note):
    china, _us = sides
    plain = make_note(china, "Just tea", "#茶")
    with pytest.raises(ValidationFailed) as not_question:
        questions.answers(plain)
    assert not_question.value.code == "not_a_question"
    before = db.session.scalar(select(db.func.count(Note.id)))
    with pytest.raises(ValidationFailed) as bad_side:
        make_note(china, "Hmm", "?", question_to="japan")
    assert bad_side.value.fields == {"question_to": [
        "Ask China, ask abroad, or leave the note as it is."]}
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Note.id))) == before


def test_question_feed_per_topic(question, sides, make_note, moderator):
    china, _us = sides
    to_abroad = make_note(china, "你们那边怎么喝茶？", "好奇 #茶", question_to="abroad")
    make_note(china, "Not a question", "#茶")
    topics.link_topics(moderator, "tea", "茶")
    db.session.commit()
    assert set(feed_ids("tea", view="questions")) == {question.id, to_abroad.id}
    assert feed_ids("茶", view="questions", side="china") == [question.id]
    assert topics.side_counts(topics.group_of(topics.find_topic("tea")), "questions") == \
        topics.SideCounts(all=2, china=1, abroad=1)
    with pytest.raises(ValidationFailed):
        feed_ids("tea", side="mars")


def test_the_best_answers_author_is_notified_once(question, sides, make_user):
    china, us = sides
    local = engagement.add_comment(china, question.id, "西湖龙井，明前的最好")
    other = engagement.add_comment(make_user(home_country="CN"), question.id, "碧螺春")
    db.session.commit()
    questions.choose_best_answer(us, question.id, local.id)
    db.session.commit()
    with pytest.raises(Conflict):
        questions.choose_best_answer(us, question.id, other.id)
    db.session.rollback()
    told = db.session.execute(select(Notification.recipient_id, Notification.actor_id,
                                     Notification.note_id, Notification.comment_id)
                              .where(Notification.kind == "bestanswer")).all()
    assert told == [(china.id, us.id, question.id, local.id)]
