"""Country lists in the order a reader of each language looks a country up."""

from __future__ import annotations

from app.services.regions import country_names


def test_chinese_countries_follow_pinyin_not_code_points():
    names = list(country_names("zh").values())
    # By code point 不丹 (Bhutan) and 东帝汶 (Timor-Leste) would come first.
    assert names[0].startswith("阿")
    assert names.index("德国") < names.index("法国") < names.index("日本") < names.index("中国")
    assert names.index("日本") < names.index("瑞士") < names.index("英国")


def test_english_countries_ignore_accents():
    names = list(country_names("en").values())
    assert names.index("Åland Islands") < names.index("Albania")
    assert names[-1] == "Zimbabwe"
