"""Search: Chinese without spaces, English word forms, ranking, paging, index upkeep."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Note
from app.services.errors import ValidationFailed
from app.services.social import notes, search
from tests.catalog_factories import make_shop

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def shop(make_org, make_user):
    return make_shop(make_org, make_user)


@pytest.fixture
def other_shop(make_org, make_user):
    return make_shop(make_org, make_user, currency="CNY", country="CN")


def found(query: str, kind: str = "notes", limit: int = 20) -> list:
    return search.search(query, kind, None, limit).items


def titles(query: str) -> list[str]:
    return [n.title for n in found(query)]


def test_chinese_two_character_word_finds_it_inside_a_sentence(make_user, quick_note):
    quick_note(make_user(), "这支口红太好看了", language="zh")
    quick_note(make_user(), "今天的茶很好喝", language="zh")
    assert titles("口红") == ["这支口红太好看了"]
    assert titles("口红太好看") == ["这支口红太好看了"]  # three or more: through the index


def test_english_word_finds_its_plural(make_user, quick_note):
    quick_note(make_user(), "Lipsticks I love")
    quick_note(make_user(), "Teapots for spring")
    assert titles("lipstick") == ["Lipsticks I love"]
    assert titles("LIPSTICK") == ["Lipsticks I love"]


def test_every_word_must_match_and_titles_rank_above_bodies(make_user, quick_note):
    author = make_user()
    in_body = quick_note(author, "Spring haul", "a green tea set and more", age_hours=1)
    in_title = quick_note(author, "Green tea from Hangzhou", "", age_hours=2)
    quick_note(author, "Green scarf", "wool")
    assert [n.id for n in found("green tea")] == [in_title.id, in_body.id]
    assert titles("#Hangzhou") == ["Green tea from Hangzhou"]


def test_newer_notes_come_first_among_equal_matches(make_user, quick_note):
    author = make_user()
    older = quick_note(author, "Matcha latte", age_hours=24 * 90)
    newer = quick_note(author, "Matcha latte", age_hours=1)
    assert [n.id for n in found("matcha")] == [newer.id, older.id]


def test_drafts_are_not_found(make_user, quick_note):
    quick_note(make_user(), "Secret lipstick plans", status="draft")
    assert found("lipstick") == []


def test_the_index_follows_edits_and_deletes(make_user, make_note):
    author = make_user()
    note = make_note(author, "Oolong tasting notes", "Roasted and sweet")
    assert titles("oolong") == ["Oolong tasting notes"]
    notes.update_note(author, note.id, title="Pu-erh tasting notes")
    db.session.commit()
    assert titles("oolong") == [] and titles("pu-erh") == ["Pu-erh tasting notes"]
    notes.delete_note(author, note.id)
    db.session.commit()
    assert titles("pu-erh") == []


def test_paging_through_results_visits_each_match_once(make_user, quick_note):
    author = make_user()
    made = {quick_note(author, f"Silk scarf no. {i}", age_hours=i).id for i in range(7)}
    quick_note(author, "Wool hat")
    seen, cursor = [], None
    while True:
        page = search.search("scarf", "notes", cursor, 3)
        seen += [n.id for n in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(made) and len(seen) == 7


def test_wildcards_in_the_query_are_literal(make_user, quick_note):
    quick_note(make_user(), "100% silk")
    quick_note(make_user(), "Cotton")
    assert titles("%") == ["100% silk"]
    assert titles("_") == []


def test_users_topics_and_products(make_user, make_note, shop):
    mia = make_user(display_name="Mia Shopper")
    make_user(display_name="Xiaohong 小红")
    make_note(mia, "Haul", "#口红 #lipstick")
    assert [u.display_name for u in found("shop", "users")] == ["Mia Shopper"]
    assert [u.display_name for u in found("小红", "users")] == ["Xiaohong 小红"]
    assert [t.name for t in found("口红", "topics")] == ["口红"]
    shop.add_product(skus=("SILK-1",), title="Silk scarf")
    shop.add_product(skus=("SILK-2",), title="Silk draft", status="draft")
    assert [p.title for p in found("silk", "products")] == ["Silk scarf"]


@pytest.mark.parametrize("query", ["", "   ", "#"])
def test_an_empty_query_is_refused(query):
    with pytest.raises(ValidationFailed) as info:
        search.search(query, "notes", None, 10)
    assert info.value.code == "empty_query"


def test_an_unknown_type_is_refused():
    with pytest.raises(ValidationFailed) as info:
        search.search("tea", "stores", None, 10)
    assert set(info.value.fields) == {"type"}


def test_search_sees_rows_written_in_the_same_transaction(make_user):
    author = make_user()
    note = Note(author_id=author.id, title="Jasmine pearls", body="", status="published")
    note.publish()
    db.session.add(note)
    db.session.flush()
    assert titles("jasmine") == ["Jasmine pearls"]


def test_single_chinese_characters_are_found_through_the_grams(make_user, quick_note):
    quick_note(make_user(), "今天的茶很好喝", language="zh")
    quick_note(make_user(), "红色外套", language="zh")
    assert titles("茶") == ["今天的茶很好喝"]
    assert titles("红色") == ["红色外套"]
    assert titles("色外") == ["红色外套"]
    assert titles("外红") == []


def test_grams_hold_every_cjk_character_and_pair():
    from app.models.notes import cjk_grams

    assert cjk_grams("口红 lipstick 好看") == " 口 口红 红 好 好看 看 "
    assert cjk_grams("no cjk here") == ""
