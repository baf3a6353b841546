"""The rule matcher: whole words for Latin keywords, evasion recall, regexes, HS codes, cache."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.services.moderation.matcher import MatcherCache, RuleMatcher, RuleSpec, pattern_error

DATA = Path(__file__).resolve().parent.parent / "data"


def load_rules(path: Path = DATA / "moderation_evasion_rules.csv") -> list[RuleSpec]:
    with path.open(encoding="utf-8") as handle:
        return [RuleSpec(id=index, market=row["market"], kind=row["kind"], term=row["term"],
                         severity=row["severity"], reason_code=row["reason_code"],
                         language=row["language"], match_pinyin=row["match_pinyin"] == "yes",
                         match_variants=row["match_variants"] == "yes",
                         match_leet=row["match_leet"] == "yes")
                for index, row in enumerate(csv.DictReader(handle), 1)]


def evasion_rows() -> list[dict]:
    with (DATA / "moderation_evasion.tsv").open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def rule(id_: int, term: str, **options) -> RuleSpec:
    values = {"market": "ALL", "kind": "keyword", "severity": "high", "reason_code": "test_term"}
    values.update(options)
    return RuleSpec(id=id_, term=term, **values)


def test_evasion_set_recall_is_at_least_95_percent():
    matcher = RuleMatcher(load_rules())
    rows = evasion_rows()
    assert len(rows) >= 200
    assert {row["language"] for row in rows} == {"en", "zh"}
    found = sum(1 for row in rows
                if row["reason_code"] in {m.reason_code for m in matcher.match(row["text"])})
    assert found / len(rows) >= 0.95, f"recall {found}/{len(rows)}"


def test_ordinary_posts_match_nothing():
    matcher = RuleMatcher(load_rules())
    lines = [line.strip() for line in (DATA / "moderation_clean.txt").read_text("utf-8")
             .splitlines() if line.strip() and not line.startswith("#")]
    assert len(lines) >= 30
    assert {line: matcher.match(line) for line in lines if matcher.match(line)} == {}


def test_match_reports_the_original_span_for_highlighting():
    text = "Hi! buy f\u200bo\u200bllowers here"
    (match,) = RuleMatcher([rule(1, "buy followers", reason_code="spam")]).match(text)
    assert text[match.start:match.end] == match.excerpt
    assert match.excerpt.startswith("buy f") and match.excerpt.endswith("llowers")
    assert match.reason_code == "spam" and match.via == "keyword"


def test_latin_keywords_match_whole_words_only():
    matcher = RuleMatcher([rule(1, "sex")])
    assert matcher.match("Essex and Sussex") == []
    assert matcher.match("sextant") == []
    assert [m.excerpt for m in matcher.match("no s-e-x here")] == ["s-e-x"]


def test_chinese_keywords_match_inside_running_text():
    matcher = RuleMatcher([rule(1, "假货")])
    assert [m.excerpt for m in matcher.match("这家店卖假货吗")] == ["假货"]


def test_leet_and_pinyin_only_for_rules_that_ask():
    plain = RuleMatcher([rule(1, "scam"), rule(2, "毒品")])
    assert plain.match("5c4m") == [] and plain.match("du pin") == []
    asking = RuleMatcher([rule(1, "scam", match_leet=True), rule(2, "毒品", match_pinyin=True)])
    assert [m.via for m in asking.match("5c4m")] == ["leet"]
    assert [m.via for m in asking.match("du pin")] == ["pinyin"]
    assert [m.excerpt for m in asking.match("买独品")] == ["独品"]


def test_traditional_matches_only_when_the_rule_allows_variants():
    assert RuleMatcher([rule(1, "假货")]).match("假貨")
    assert RuleMatcher([rule(1, "假货", match_variants=False)]).match("假貨") == []
    assert RuleMatcher([rule(1, "假货", match_variants=False)]).match("假货")


def test_patterns_run_on_the_clean_text():
    matcher = RuleMatcher([rule(1, r"\b(?:wechat|vx)\s*[:：]?\s*\w{6,}", kind="pattern",
                                reason_code="off_platform")])
    (match,) = matcher.match("add me on ＷｅＣｈａｔ: qiao_2026 please")
    assert match.excerpt.lower().startswith("ｗｅｃｈａｔ") and match.via == "pattern"


def test_kinds_apply_to_their_targets():
    rules = [rule(1, "ivory", kind="prohibited_good", hs_prefixes=("0507",)),
             rule(2, "cures cancer", kind="ad_rule", reason_code="medical_claim")]
    matcher = RuleMatcher(rules)
    assert matcher.match("ivory bracelet", target_type="note") == []
    assert [m.rule_id for m in matcher.match("ivory bracelet", target_type="product")] == [1]
    assert [m.via for m in matcher.match("bracelet", target_type="product",
                                         hs_code="0507.10")] == ["hs_code"]
    assert matcher.match("this cream cures cancer", target_type="note") == []
    assert [m.reason_code for m in matcher.match("this cream cures cancer",
                                                 target_type="ad_creative")] == ["medical_claim"]


def test_most_severe_match_comes_first():
    matcher = RuleMatcher([rule(1, "spam", severity="low"), rule(2, "scam", severity="critical")])
    assert [m.severity for m in matcher.match("spam and scam")] == ["critical", "low"]


def test_cache_builds_once_per_key_and_rebuilds_for_a_new_version():
    cache = MatcherCache(size=2)
    loads = []

    def load():
        loads.append(1)
        return [rule(1, "scam")]

    first = cache.get(("US", 1), load)
    assert cache.get(("US", 1), load) is first and len(loads) == 1
    assert cache.get(("US", 2), load) is not first and len(loads) == 2
    cache.get(("GB", 1), load)
    cache.get(("US", 1), load)  # dropped as least recently used: built again
    assert len(loads) == 4


@pytest.mark.parametrize(("pattern", "valid"), [
    (r"buy\s+now", True), (r"(unclosed", False), (r"[z-a]", False), ("", False),
    (r"a*", False), ("x" * 501, False),
])
def test_pattern_validation(pattern, valid):
    assert (pattern_error(pattern) is None) is valid
