"""Feeds: Discover's ranked mix with a share from abroad, Following, profiles, topics."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services.social import engagement as interactions
from app.services.social import feed, topics

pytest_plugins = ["tests.notes_fixtures"]


def walk(fetch, limit: int) -> list[list[int]]:
    """Every page of a feed, as lists of note ids."""
    pages, cursor = [], None
    while True:
        page = fetch(cursor, limit)
        pages.append([n.id for n in page.notes])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor
        assert len(pages) < 100


def discover_pages(audience, limit, share=0.25):
    return walk(lambda cursor, n: feed.discover(audience, cursor, n, share), limit)


def test_discover_ranks_fresh_and_engaging_notes(make_user, quick_note):
    author = make_user()
    old_popular = quick_note(author, "Old but loved", age_hours=30, likes=1000)
    fresh = quick_note(author, "Brand new", age_hours=0)
    old_quiet = quick_note(author, "Old and quiet", age_hours=30)
    audience = feed.Audience(None, "en", None)
    [ids] = discover_pages(audience, 10, share=0.0)
    # 1000 likes are worth 3 x 12.5 h of freshness: the loved note beats a 30-hour gap.
    assert ids == [old_popular.id, fresh.id, old_quiet.id]


def test_discover_mixes_in_the_configured_share_from_abroad(make_user, quick_note):
    local_author, overseas = make_user(home_country="US"), make_user(home_country="CN")
    local = [quick_note(local_author, f"EN {i}", language="en", region="US", age_hours=i)
             for i in range(12)]
    foreign = [quick_note(overseas, f"ZH {i}", language="zh", region="CN", age_hours=i)
               for i in range(12)]
    audience = feed.Audience(None, "en", "US")
    page = feed.discover(audience, None, 8, 0.25)
    ids = [n.id for n in page.notes]
    foreign_ids = {n.id for n in foreign}
    assert sum(i in foreign_ids for i in ids) == 2  # 25 % of 8
    # Foreign notes are spread through the page, each stream keeps its own ranking.
    assert [i in foreign_ids for i in ids] == [False, False, False, True] * 2
    assert [i for i in ids if i not in foreign_ids] == [n.id for n in local[:6]]
    assert [i for i in ids if i in foreign_ids] == [n.id for n in foreign[:2]]

    # A Chinese-speaking viewer in China gets the mirror image.
    mirror = feed.discover(feed.Audience(None, "zh", "CN"), None, 8, 0.25)
    assert [n.id for n in mirror.notes if n.id in foreign_ids] == [n.id for n in foreign[:6]]


def test_same_language_other_region_counts_as_abroad(make_user, quick_note):
    uk = quick_note(make_user(), "From London", language="en", region="GB")
    us = quick_note(make_user(), "From Ohio", language="en", region="US")
    page = feed.discover(feed.Audience(None, "en", "US"), None, 2, 0.5)
    assert [n.id for n in page.notes] == [us.id, uk.id]


def test_discover_pages_cover_everything_once_and_fill_from_the_other_stream(
        make_user, quick_note):
    author = make_user()
    notes = [quick_note(author, f"EN {i}", language="en", age_hours=i) for i in range(7)]
    notes += [quick_note(author, f"JA {i}", language="ja", age_hours=i) for i in range(2)]
    pages = discover_pages(feed.Audience(None, "en", None), 3, share=0.5)
    seen = [i for page in pages for i in page]
    assert sorted(seen) == sorted(n.id for n in notes)
    assert len(seen) == len(set(seen))
    assert [len(p) for p in pages] == [3, 3, 3]


def test_drafts_stay_out_of_every_feed(make_user, quick_note):
    author, fan = make_user(), make_user()
    quick_note(author, "Draft", status="draft")
    interactions.follow_user(fan, author.id)
    assert feed.discover(feed.Audience(None, "en", None), None, 10, 0.3).notes == []
    assert feed.following(fan, None, 10).notes == []
    assert feed.author_feed(author, fan, None, 10).notes == []
    assert len(feed.author_feed(author, author, None, 10).notes) == 1  # the author sees it


def test_following_lists_followed_authors_newest_first(make_user, quick_note):
    me, followed, stranger = make_user(), make_user(), make_user()
    interactions.follow_user(me, followed.id)
    older = quick_note(followed, "Older", age_hours=5)
    newer = quick_note(followed, "Newer", age_hours=1)
    quick_note(stranger, "Not followed")
    pages = walk(lambda cursor, n: feed.following(me, cursor, n), 1)
    assert pages == [[newer.id], [older.id]]


def test_topic_feed_and_cursor_validation(make_user, make_note):
    author = make_user()
    tea = make_note(author, "Tea", "#Tea from #Hangzhou")
    make_note(author, "Coffee", "#coffee")
    topic = topics.find_topic("TEA")
    page = topics.topic_feed(topics.group_of(topic), None, 10)
    assert topic.name == "tea" and [n.id for n in page.notes] == [tea.id]
    with pytest.raises(feed.InvalidCursor):
        feed.following(author, ["yesterday", 1], 10)
    with pytest.raises(feed.InvalidCursor):
        feed.discover(feed.Audience(None, "en", None), ["x", 1, None, None], 10, 0.3)
    db.session.rollback()
