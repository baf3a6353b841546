"""The glossary keeps names intact; the OpenAI-compatible provider; translation by content type."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import GlossaryTerm, NoteProductTag, Product, TranslationCacheEntry
from app.providers.translation import build_translation_provider
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import glossary, translation
from app.services.social.translation import TranslationFailed

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",))


# The OpenAI-compatible provider ------------------------------------------------------------
def test_a_note_is_translated_by_a_chat_model(make_user, quick_note, openai_translation):
    note = quick_note(make_user(), "这支口红太好看了", "颜色很正", language="zh")
    result = translation.translate_note(note, "en")
    assert (result.title, result.body) == ("<English> 这支口红太好看了", "<English> 颜色很正")
    sent = openai_translation.requests[0]
    assert sent["model"] == "qwen2.5-7b-instruct"
    assert sent["temperature"] == 0
    assert sent["authorization"] == "Bearer sk-local"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert "from Simplified Chinese into English" in sent["messages"][0]["content"]
    assert sent["messages"][1]["content"] == "这支口红太好看了"


def test_a_reasoning_models_thinking_is_left_out(make_user, quick_note, openai_translation):
    openai_translation.thinks = True
    note = quick_note(make_user(), "Matcha latte", language="en")
    assert translation.translate_note(note, "zh").title == "<Simplified Chinese> Matcha latte"


def test_a_slow_model_times_out_and_nothing_is_cached(make_user, quick_note,
                                                      openai_translation):
    openai_translation.delay_seconds = 1.5  # the app waits 1 s
    note = quick_note(make_user(), "Bonjour", language="fr")
    with pytest.raises(TranslationFailed) as info:
        translation.translate_note(note, "en")
    assert info.value.message == "Translation is not available right now. Try again later."
    commit()
    assert db.session.scalar(select(func.count(TranslationCacheEntry.id))) == 0


@pytest.mark.parametrize(("settings", "problem"), [
    ({"TRANSLATION_PROVIDER": "openai"}, "needs TRANSLATION_MODEL"),
    ({"TRANSLATION_PROVIDER": "deepl"}, "must be one of libretranslate, openai"),
])
def test_incomplete_provider_settings_are_named(settings, problem):
    with pytest.raises(ValueError, match=problem):
        build_translation_provider({"TRANSLATION_URL": "http://127.0.0.1:9", **settings})


def test_no_url_means_no_provider():
    assert build_translation_provider({"TRANSLATION_PROVIDER": "openai"}) is None


# The glossary ------------------------------------------------------------------------------
def test_glossary_names_travel_as_markers_and_come_back_rendered(
        admin, make_user, make_org, quick_note, openai_translation):
    glossary.add_glossary_term(admin, "Hangzhou", "place", {"zh": "杭州", "en": ""})
    make_org("merchant", name="West Lake Tea House")
    commit()
    note = quick_note(make_user(), "A day in hangzhou",
                      "West Lake Tea House has the best Longjing", language="en")
    result = translation.translate_note(note, "zh")
    sent = [r["messages"][1]["content"] for r in openai_translation.requests]
    assert sent == ["A day in ⟦1⟧", "⟦1⟧ has the best Longjing"]
    assert result.title == "<Simplified Chinese> A day in 杭州"
    assert result.body == "<Simplified Chinese> West Lake Tea House has the best Longjing"


def test_tagged_product_titles_are_protected_in_the_merchants_own_words(
        make_user, make_org, quick_note, libretranslate):
    store = make_org("merchant").store
    tea = Product(store_id=store.id, title="Longjing Dragon Well", title_zh="西湖龙井",
                  status="active")
    draft = Product(store_id=store.id, title="Secret Draft", title_zh="秘密", status="draft")
    untagged = Product(store_id=store.id, title="Oolong Tin", status="active")
    db.session.add_all([tea, draft, untagged])
    note = quick_note(make_user(), "Longjing Dragon Well, Secret Draft, Oolong Tin",
                      language="en")
    for product in (tea, draft):
        db.session.add(NoteProductTag(note=note, product=product, image_position=0, x=50, y=50))
    commit()
    comment = interactions.add_comment(make_user(), note.id,
                                       "Longjing Dragon Well多少钱?哪里能买到?")
    commit()
    assert translation.translate_note(note, "zh").title \
        == "[zh] 西湖龙井, Secret Draft, Oolong Tin"
    assert libretranslate.translate_calls()[0]["q"] == "⟦1⟧, Secret Draft, Oolong Tin"
    translated = translation.translate_content(None, "comment", comment.id, "en")
    assert translated.fields["body"] == "[en] Longjing Dragon Well多少钱?哪里能买到?"
    assert libretranslate.translate_calls()[-1]["q"] == "⟦1⟧多少钱?哪里能买到?"


def test_platform_names_match_whole_words_as_written(make_user, make_org, quick_note,
                                                     libretranslate):
    make_org("merchant", name="Tea")
    commit()
    note = quick_note(make_user(), "Teapot or tea from Tea?", language="en")
    translation.translate_note(note, "zh")
    assert libretranslate.translate_calls()[0]["q"] == "Teapot or tea from ⟦1⟧?"


def test_a_translation_that_loses_a_name_is_not_shown_or_cached(
        admin, make_user, quick_note, openai_translation):
    glossary.add_glossary_term(admin, "Qiao", "brand", {})
    note = quick_note(make_user(), "Qiao is fun", language="en")
    openai_translation.drops_markers = True
    with pytest.raises(TranslationFailed):
        translation.translate_note(note, "zh")
    commit()
    assert db.session.scalar(select(func.count(TranslationCacheEntry.id))) == 0


def test_a_glossary_change_applies_to_cached_translations(admin, make_user, quick_note,
                                                          libretranslate):
    term = glossary.add_glossary_term(admin, "Chengdu", "place", {})
    note = quick_note(make_user(), "Chengdu hotpot", language="en")
    assert translation.translate_note(note, "zh").title == "[zh] Chengdu hotpot"
    commit()
    term.renderings = {"zh": "成都"}
    commit()
    assert translation.translate_note(note, "zh").title == "[zh] 成都 hotpot"
    assert len(libretranslate.translate_calls()) == 1


def test_only_admins_edit_the_glossary(make_user, admin):
    with pytest.raises(Forbidden):
        glossary.add_glossary_term(make_user(), "Shanghai", "place", {})
    entry = glossary.add_glossary_term(admin, "  Shanghai ", "place", {"zh": "上海"})
    assert (entry.term, entry.term_key, entry.renderings) == ("Shanghai", "shanghai",
                                                              {"zh": "上海"})
    with pytest.raises(Forbidden):
        glossary.delete_glossary_term(make_user(), entry.id)
    glossary.delete_glossary_term(admin, entry.id)
    assert db.session.get(GlossaryTerm, entry.id) is None
    with pytest.raises(NotFound):
        glossary.delete_glossary_term(admin, entry.id)


def test_glossary_input_is_checked(admin):
    with pytest.raises(ValidationFailed) as info:
        glossary.add_glossary_term(admin, "x", "planet", {"zh": "字" * 121})
    assert info.value.fields == {
        "term": ["Enter a name of 2 to 120 characters."],
        "kind": ["Choose one of: brand, product, place, other."],
        "rendering_zh": ["Use at most 120 characters."]}
    glossary.add_glossary_term(admin, "Mount Fuji", "place", {})
    with pytest.raises(Conflict) as info:
        glossary.add_glossary_term(admin, "mount fuji", "place", {})
    assert info.value.code == "glossary_term_exists"


# Content types -----------------------------------------------------------------------------
def test_a_bio_is_translated_from_its_detected_language(make_user, libretranslate):
    person = make_user(bio="我住在上海,喜欢喝茶")
    result = translation.translate_content(None, "bio", person.id, "en")
    assert (result.fields, result.source_language) == ({"body": "[en] 我住在上海,喜欢喝茶"}, "zh")


def test_content_the_viewer_cannot_see_is_not_translated(make_user, quick_note,
                                                         libretranslate):
    author = make_user()
    draft = quick_note(author, "草稿", language="zh", status="draft")
    comment_note = quick_note(author, "Tea", language="en")
    comment = interactions.add_comment(make_user(), comment_note.id, "在哪里买?")
    comment.moderation_state = "removed"
    commit()
    for content_type, content_id in (("note", draft.id), ("comment", comment.id),
                                     ("bio", 10**6), ("poll", 1)):
        with pytest.raises(NotFound):
            translation.translate_content(make_user(), content_type, content_id, "en")
    assert translation.translate_content(author, "note", draft.id, "en").fields["title"] \
        == "[en] 草稿"
    assert libretranslate.translate_calls()[-1]["q"] == "草稿"


def test_the_demo_glossary_can_be_seeded_twice(admin):
    from app.demo.glossary import DEMO_TERMS, seed_glossary

    seed_glossary(admin)
    seed_glossary(admin)
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) == len(DEMO_TERMS)
