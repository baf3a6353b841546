"""Translation: the LibreTranslate provider on loopback, caching, and "off" without a URL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import TranslationCacheEntry
from app.services.errors import ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import translation
from app.services.social.translation import TranslationFailed

pytest_plugins = ["tests.notes_fixtures", "tests.translation_server"]


def test_a_note_is_translated_through_libretranslate(make_user, quick_note, libretranslate):
    note = quick_note(make_user(), "这支口红太好看了", "颜色很正", language="zh")
    result = translation.translate_note(note, "en")
    assert (result.title, result.body) == ("[en] 这支口红太好看了", "[en] 颜色很正")
    assert (result.source_language, result.target_language) == ("zh", "en")
    first = libretranslate.translate_calls()[0]
    assert first == {"path": "/translate", "q": "这支口红太好看了", "source": "zh",
                     "target": "en", "format": "text", "api_key": "test-key"}


def test_translations_are_cached_per_text_and_target(make_user, quick_note, libretranslate):
    author = make_user()
    note = quick_note(author, "抹茶拿铁", "", language="zh")
    twin = quick_note(author, "抹茶拿铁", "", language="zh")
    translation.translate_note(note, "en")
    assert db.session.scalar(select(func.count(TranslationCacheEntry.id))) == 0  # no write yet
    commit()  # the request ends: the queued job stores the translation
    translation.translate_note(twin, "en")
    translation.translate_note(note, "en")
    assert [c["q"] for c in libretranslate.translate_calls()] == ["抹茶拿铁"]
    translation.translate_note(note, "fr")
    commit()
    assert [c["target"] for c in libretranslate.translate_calls()] == ["en", "fr"]
    assert db.session.scalar(select(func.count(TranslationCacheEntry.id))) == 2


def test_comments_are_translated_too(make_user, quick_note, libretranslate):
    note = quick_note(make_user(), "Tea", language="en")
    comment = interactions.add_comment(make_user(), note.id, "在哪里买?")
    assert comment.language == "zh"
    result = translation.translate_content(None, "comment", comment.id, "en")
    assert result.fields == {"body": "[en] 在哪里买?"}


def test_a_failing_provider_is_reported_and_nothing_is_cached(make_user, quick_note,
                                                              libretranslate):
    libretranslate.fail_with = 500
    note = quick_note(make_user(), "Bonjour", language="fr")
    with pytest.raises(TranslationFailed) as info:
        translation.translate_note(note, "en")
    assert (info.value.code, info.value.status) == ("translation_unavailable", 503)
    assert db.session.scalar(select(func.count(TranslationCacheEntry.id))) == 0


def test_without_a_provider_translation_is_off(make_user, quick_note):
    note = quick_note(make_user(), "Bonjour", language="fr")
    assert not translation.translation_enabled()
    with pytest.raises(TranslationFailed):
        translation.translate_note(note, "en")


def test_an_unknown_target_language_is_refused(make_user, quick_note, libretranslate):
    note = quick_note(make_user(), "Tea", language="en")
    with pytest.raises(ValidationFailed) as info:
        translation.translate_note(note, "xx")
    assert info.value.fields == {"target": [
        "Choose one of: en, zh, ja, ko, fr, de, es."]}
    assert libretranslate.translate_calls() == []
