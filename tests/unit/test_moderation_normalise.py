"""The normaliser undoes evasion tricks and still points back at the original characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.moderation.normalise import fold_char, normalise, normalise_term, simplify


@pytest.mark.parametrize(("text", "expected"), [
    ("Ｆｕｌｌ ｗｉｄｔｈ", "fullwidth"),            # full-width forms
    ("zero\u200bwidth\u200d\ufeff", "zerowidth"),   # zero-width space, joiner, BOM
    ("soft\u00adhyphen", "softhyphen"),
    ("\u202eright\u202c", "right"),                  # bidi overrides
    ("раураl", "paypal"),                            # Cyrillic р, а, у
    ("κοτ", "kot"),                                  # Greek look-alikes
    ("s.e.x", "sex"),                                # punctuation between letters
    ("f u c k", "fuck"),                             # spacing
    ("ＳＣＡＭ", "scam"),
    ("café", "cafe"),                                # combining accents dropped
    ("ca\u0301fe\u0301", "cafe"),
    ("販賣假貨", "贩卖假货"),                          # traditional → simplified
    ("毒\u200b品", "毒品"),
    ("毒　品", "毒品"),                               # ideographic space
    ("ﬁne", "fine"),                                 # ligature
    ("①②", "12"),                                    # circled digits
])
def test_compact_form_undoes_the_trick(text, expected):
    assert normalise(text).text == expected


def test_leet_only_when_asked():
    assert normalise("5c4m").text == "5c4m"
    assert normalise("5c4m", leet=True).text == "scam"
    assert normalise("$c@m", leet=True).text == "scam"


def test_pinyin_reads_han_characters_without_tones():
    assert normalise("毒品", pinyin=True).text == "dupin"
    assert normalise("独品", pinyin=True).text == "dupin"  # a homophone reads the same
    assert normalise("du pin", pinyin=True).text == "dupin"
    assert normalise("毒品", pinyin=False).text == "毒品"


def test_simplified_can_be_turned_off():
    assert normalise("假貨", simplified=False).text == "假貨"
    assert simplify("假貨") == "假货"
    assert simplify("plain ascii") == "plain ascii"


def test_offsets_point_back_at_the_original():
    original = "buy \u200bf\u200bo\u200bl\u200blowers now"
    form = normalise(original)
    start = form.text.index("followers")
    begin, finish = form.original_span(start, start + len("followers"))
    assert original[begin:finish].replace("\u200b", "") == "followers"
    assert original[begin] == "f" and original[finish - 1] == "s"


def test_offsets_through_full_width_and_traditional():
    original = "看看這個假貨吧"
    form = normalise(original)
    start = form.text.index("假货")
    assert form.original_span(start, start + 2) == (4, 6)
    assert original[4:6] == "假貨"


def test_offsets_through_pinyin():
    original = "买毒品"
    form = normalise(original, pinyin=True)
    start = form.text.index("dupin")
    assert form.original_span(start, start + 5) == (1, 3)


def test_word_starts_record_separators():
    form = normalise("Essex s.e.x")
    assert form.text == "essexsex"
    assert form.word_start[0] and not form.word_start[2]      # "s" inside Essex
    assert form.word_start[5] and form.word_start[6]          # the dotted "s.e.x"


def test_clean_form_keeps_single_spaces():
    assert normalise("  Hello,\u200b   WORLD!! ", compact=False).text == "hello, world!!"


def test_keywords_normalise_like_texts():
    assert normalise_term("Buy Followers") == "buyfollowers"
    assert normalise_term("刷單") == "刷单"
    assert normalise_term("刷单", pinyin=True) == "shuadan"


def test_fold_char_drops_invisibles_and_keeps_ordinary_letters():
    assert fold_char("\u200b") == ""
    assert fold_char("A") == "a"
    assert fold_char("中") == "中"
    assert fold_char("\u3164") == ""  # Hangul filler renders blank


@given(st.text(max_size=60))
def test_every_normalised_character_has_an_origin_inside_the_text(text):
    for options in ({}, {"leet": True}, {"pinyin": True}, {"compact": False}):
        form = normalise(text, **options)
        assert len(form.origins) == len(form.text) == len(form.word_start)
        assert all(0 <= origin < len(text) for origin in form.origins)
        assert list(form.origins) == sorted(form.origins)


@given(st.text(alphabet=st.characters(categories=["Ll", "Lu", "Nd"]), max_size=30))
def test_normalising_twice_changes_nothing(text):
    once = normalise(text).text
    assert normalise(once).text == once
