"""A personal Discover: the interest profile changes the ranking, the share from abroad and
the exploration share hold, "not interested" hides and turns down, jobs fold in purchases
and fade old interests, and personalising costs no extra query.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import NoteProductTag, NoteTopic, Topic, utcnow
from app.services.errors import DomainError
from app.services.social import engagement as interactions
from app.services.social import feed, interests
from tests.ad_report_factories import paid_order
from tests.catalog_factories import make_shop
from tests.notes_factories import QueryCounter

pytest_plugins = ["tests.notes_fixtures"]


def tag_topic(note, name: str) -> Topic:
    """Give a directly inserted note a #topic (as posting it with the hashtag would)."""
    topic = db.session.query(Topic).filter_by(name=name).one_or_none()
    if topic is None:
        topic = Topic(name=name, note_count=0)
        db.session.add(topic)
        db.session.flush()
    db.session.add(NoteTopic(note_id=note.id, topic_id=topic.id))
    topic.note_count += 1
    db.session.flush()
    return topic


def page_ids(user, *, language="en", region="US", limit=10, foreign=0.0, explore=0.4,
             cursor=None):
    page = feed.discover(feed.Audience(user, language, region), cursor, limit, foreign, explore)
    return [n.id for n in page.notes], page.next_cursor


@pytest.fixture
def local_feed(make_user, quick_note):
    """Twenty popular American notes by one creator, ten quieter #tea notes by another."""
    viewer = make_user(home_country="US")
    popular_author, tea_author = make_user(home_country="US"), make_user(home_country="US")
    popular = [quick_note(popular_author, f"Popular {i}", region="US", age_hours=i, likes=500)
               for i in range(20)]
    tea = [quick_note(tea_author, f"Tea {i}", region="US", age_hours=i + 30) for i in range(10)]
    for note in tea:
        tag_topic(note, "tea")
    db.session.commit()
    return viewer, popular, tea


def test_liking_tea_brings_tea_notes_into_the_first_page(local_feed):
    viewer, popular, tea = local_feed
    tea_ids = {n.id for n in tea}
    before, _ = page_ids(viewer)
    assert not tea_ids & set(before)  # by hot score alone, the quiet tea notes come last

    interactions.like_note(viewer, tea[9].id)
    db.session.commit()
    after, _ = page_ids(viewer)
    # 60 % of the page now comes from the profile (creator and #tea), best first; the
    # remaining 40 % keeps exploring the popular notes in their usual order.
    assert [i in tea_ids for i in after] == [True, True, False, True, False] * 2
    assert [i for i in after if i in tea_ids] == [n.id for n in tea[:6]]
    assert [i for i in after if i not in tea_ids] == [n.id for n in popular[:4]]
    # An anonymous visitor keeps today's feed.
    assert page_ids(None)[0] == [n.id for n in popular[:10]]


def test_the_share_from_abroad_holds_for_a_personal_feed(make_user, quick_note):
    viewer = make_user(home_country="US")
    home_author, chinese_author = make_user(home_country="US"), make_user(home_country="CN")
    home = [quick_note(home_author, f"EN {i}", region="US", age_hours=i) for i in range(12)]
    abroad = [quick_note(chinese_author, f"ZH {i}", language="zh", region="CN", age_hours=i)
              for i in range(12)]
    abroad_ids = {n.id for n in abroad}
    # The viewer only ever engages with Chinese notes: still 75 % of the page is from home.
    for note in abroad[5:8]:
        interactions.like_note(viewer, note.id)
    interactions.follow_user(viewer, chinese_author.id)
    db.session.commit()
    ids, _ = page_ids(viewer, limit=8, foreign=0.25)
    assert sum(i in abroad_ids for i in ids) == 2
    assert [i for i in ids if i not in abroad_ids] == [n.id for n in home[:6]]

    # And one who only likes home notes still gets a quarter from abroad.
    other = make_user(home_country="US")
    for note in home[8:]:
        interactions.like_note(other, note.id)
    db.session.commit()
    ids, _ = page_ids(other, limit=8, foreign=0.25)
    assert [i for i in ids if i in abroad_ids] == [n.id for n in abroad[:2]]


def test_personal_pages_cover_everything_once(local_feed):
    viewer, popular, tea = local_feed
    interactions.collect_note(viewer, tea[0].id)
    db.session.commit()
    seen, cursor = [], None
    while True:
        ids, cursor = page_ids(viewer, limit=7, cursor=cursor)
        seen += ids
        if cursor is None:
            break
    assert sorted(seen) == sorted(n.id for n in popular + tea)


def test_not_interested_hides_the_note_and_turns_down_its_creator_and_topic(local_feed,
                                                                             make_user,
                                                                             quick_note):
    viewer, popular, tea = local_feed
    tea_author = tea[0].author
    interactions.like_note(viewer, tea[5].id)
    db.session.commit()
    assert tea[0].id in page_ids(viewer)[0]

    interests.dismiss_note(viewer, tea[0].id)
    interests.dismiss_note(viewer, tea[0].id)  # twice is once
    db.session.commit()
    ids, _ = page_ids(viewer, limit=30)
    # Liked once (+1), turned down once (-4): the creator's and #tea's notes leave the feed.
    assert ids == [n.id for n in popular]
    profile = interests.interest_weights(viewer)
    assert profile[("creator", tea_author.id, "")] == pytest.approx(-3.0)

    # A new #tea note by someone else is turned down with the topic.
    stranger_tea = quick_note(make_user(), "Green tea", region="US")
    tag_topic(stranger_tea, "tea")
    db.session.commit()
    assert stranger_tea.id not in page_ids(viewer, limit=40)[0]

    interests.undo_dismissal(viewer, tea[0].id)
    db.session.commit()
    assert interests.interest_weights(viewer)[("creator", tea_author.id, "")] == \
        pytest.approx(1.0)
    ids, _ = page_ids(viewer, limit=40)
    assert tea[0].id in ids and stranger_tea.id in ids


def test_own_and_missing_notes_cannot_be_dismissed(local_feed, make_user, quick_note):
    viewer, _popular, _tea = local_feed
    mine = quick_note(viewer, "Mine")
    draft = quick_note(make_user(), "Draft", status="draft")
    with pytest.raises(DomainError) as own:
        interests.dismiss_note(viewer, mine.id)
    assert own.value.code == "own_note"
    for note_id in (draft.id, 999_999):
        with pytest.raises(DomainError) as missing:
            interests.dismiss_note(viewer, note_id)
        assert missing.value.code == "note_not_found"


def test_unliking_and_unfollowing_take_the_weight_back(local_feed):
    viewer, _popular, tea = local_feed
    author = tea[0].author
    interactions.like_note(viewer, tea[0].id)
    interactions.follow_user(viewer, author.id)
    db.session.commit()
    assert interests.interest_weights(viewer)[("creator", author.id, "")] == pytest.approx(4.0)
    interactions.unlike_note(viewer, tea[0].id)
    interactions.unfollow_user(viewer, author.id)
    interactions.unfollow_user(viewer, author.id)  # not following any more: nothing to take
    db.session.commit()
    assert interests.interest_weights(viewer)[("creator", author.id, "")] == pytest.approx(0.0)


def test_picked_topics_start_a_profile(local_feed):
    viewer, _popular, tea = local_feed
    tea_topic = db.session.query(Topic).filter_by(name="tea").one()
    assert interests.pick_topics(viewer, [tea_topic.id, tea_topic.id]) == 1
    assert interests.pick_topics(viewer, [tea_topic.id]) == 1  # again: not piled up
    db.session.commit()
    assert interests.interest_weights(viewer) == {("topic", tea_topic.id, ""): interests.PICKED}
    assert interests.picked_topic_ids(viewer) == {tea_topic.id}
    assert sum(i in {n.id for n in tea} for i in page_ids(viewer)[0]) == 6
    for bad in ([], [tea_topic.id + 1000], list(range(1, 13))):
        with pytest.raises(DomainError) as refused:
            interests.pick_topics(viewer, bad)
        assert refused.value.code == "invalid_topic_choice"


def test_purchases_are_folded_in_once_by_the_job(make_org, make_user, quick_note):
    shop = make_shop(make_org, make_user)
    product = shop.add_product(skus=("TEA-1",), price="12.00", title="Oolong")
    buyer = make_user()
    note = quick_note(shop.owner, "Our oolong")
    topic = tag_topic(note, "oolong")
    db.session.add(NoteProductTag(note_id=note.id, image_position=0, x=50, y=50,
                                  product_id=product.id))
    paid_order(product, buyer, utcnow() - timedelta(hours=1), note_id=note.id)
    paid_order(product, buyer, utcnow(), note_id=None)
    db.session.commit()
    assert interests.fold_purchase_interests() == 2
    assert interests.fold_purchase_interests() == 0
    db.session.commit()
    profile = interests.interest_weights(buyer)
    assert profile[("store", shop.store.id, "")] == pytest.approx(2 * interests.PURCHASE)
    assert profile[("topic", topic.id, "")] == pytest.approx(interests.PURCHASE)
    assert profile[("creator", shop.owner.id, "")] == pytest.approx(interests.PURCHASE)


def test_decay_fades_weights_and_drops_the_faint_ones(local_feed):
    viewer, _popular, tea = local_feed
    interactions.like_note(viewer, tea[0].id)
    interests.dismiss_note(viewer, tea[1].id)  # creator and #tea: 1 - 4 = -3
    db.session.commit()
    interests.decay_interests(0.5)
    db.session.commit()
    assert set(interests.interest_weights(viewer).values()) == {-1.5, 0.5}
    assert interests.decay_interests(0.01) == 3
    assert interests.interest_weights(viewer) == {}


def test_a_personal_discover_costs_the_same_queries_as_an_anonymous_one(local_feed,
                                                                         make_user,
                                                                         quick_note):
    viewer, _popular, tea = local_feed
    interactions.like_note(viewer, tea[0].id)
    interests.dismiss_note(viewer, tea[1].id)
    abroad = make_user(home_country="CN")
    for i in range(5):
        quick_note(abroad, f"ZH {i}", language="zh", region="CN")
    db.session.commit()
    counts = []
    for user in (None, viewer):
        db.session.expire_all()
        assert user is None or user.id  # loaded, as the request's user always is
        with QueryCounter() as counter:
            ids, cursor = page_ids(user, foreign=0.3)
            page_ids(user, foreign=0.3, cursor=cursor)
        assert len(ids) == 10
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_interests_beyond_the_window_wait_their_turn_and_nothing_is_lost(make_user,
                                                                          quick_note):
    viewer, author, tea_author = make_user(), make_user(), make_user()
    popular = [quick_note(author, f"Popular {i}", age_hours=i, likes=500) for i in range(40)]
    tea = [quick_note(tea_author, f"Tea {i}", age_hours=100 + i) for i in range(4)]
    interactions.follow_user(viewer, tea_author.id)
    db.session.commit()
    # Pages of 2 look 4 pages (12 notes) ahead: the tea notes rank 41st and below, so the
    # first page fills from the popular ones instead of scanning the table for them.
    first, cursor = page_ids(viewer, limit=2)
    assert first == [popular[0].id, popular[1].id]
    seen = list(first)
    while cursor is not None:
        ids, cursor = page_ids(viewer, limit=2, cursor=cursor)
        seen += ids
    assert sorted(seen) == sorted(n.id for n in popular + tea)
    # Past the first windows, the followed creator's notes come before the rest.
    assert seen.index(tea[0].id) < seen.index(popular[-1].id)
