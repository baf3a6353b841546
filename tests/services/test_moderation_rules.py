"""Moderation rules: validation (each bad field named), versions kept, CSV import, matcher cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.transaction import commit
from app.extensions import db
from app.models import ModerationRule, ModerationRuleSetVersion
from app.services.errors import Conflict, Forbidden, ValidationFailed
from app.services.moderation import rules
from app.services.moderation.matcher import MATCHERS, RuleMatcher, RuleSpec

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def admin(make_user):
    return make_user("rules-admin@example.test", roles=("admin",))


@pytest.fixture(autouse=True)
def _fresh_matchers():
    MATCHERS.clear()
    yield
    MATCHERS.clear()


def keyword(market="US", term="qiaotestban", **extra):
    return {"market": market, "kind": "keyword", "term": term, "language": "en",
            "severity": "high", "reason_code": "test_term", **extra}


def test_adding_a_rule_makes_a_new_version(admin):
    first = rules.add_moderation_rule(admin, keyword())
    second = rules.add_moderation_rule(admin, keyword(term="buy followers",
                                                      reason_code="spam"))
    commit()
    assert (first.added_in, second.added_in) == (1, 2)
    version, current = rules.rules_of_market(admin, "US")
    assert version == 2 and {r.term for r in current} == {"qiaotestban", "buy followers"}
    _v1, old = rules.rules_of_market(admin, "us", version=1)
    assert [r.term for r in old] == ["qiaotestban"]
    history = rules.rule_set_versions(admin, "US")
    assert [h.version for h in history] == [2, 1] and history[0].changed_by_id == admin.id


def test_editing_keeps_the_old_version_readable(admin):
    rule = rules.add_moderation_rule(admin, keyword())
    edited = rules.update_moderation_rule(admin, rule.id, keyword(severity="critical"))
    commit()
    assert edited.id != rule.id and rule.removed_in == 2 and edited.added_in == 2
    assert [r.severity for r in rules.rules_of_market(admin, "US", version=1)[1]] == ["high"]
    assert [r.severity for r in rules.rules_of_market(admin, "US")[1]] == ["critical"]
    with pytest.raises(Conflict) as caught:
        rules.update_moderation_rule(admin, rule.id, keyword())
    assert caught.value.code == "rule_not_current"


def test_removing_a_rule(admin):
    rule = rules.add_moderation_rule(admin, keyword())
    assert rules.remove_moderation_rule(admin, rule.id) == 2
    commit()
    assert rules.rules_of_market(admin, "US")[1] == []
    assert len(rules.rules_of_market(admin, "US", version=1)[1]) == 1


def test_invalid_pattern_names_the_field(admin):
    with pytest.raises(ValidationFailed) as caught:
        rules.add_moderation_rule(admin, keyword(kind="pattern", term="(unclosed"))
    assert caught.value.code == "invalid_moderation_rule"
    assert caught.value.status == 422
    assert "term" in caught.value.fields
    assert db.session.query(ModerationRuleSetVersion).count() == 0


@pytest.mark.parametrize("term", [r"(a+)+$", r"(\w+\s?)*!", r"(?:x+y?)+z", r"(\w)\1"])
def test_a_pattern_that_could_backtrack_for_ever_is_refused(admin, term):
    with pytest.raises(ValidationFailed) as caught:
        rules.add_moderation_rule(admin, keyword(kind="pattern", term=term))
    assert caught.value.code == "unsafe_pattern"
    assert caught.value.status == 422
    assert list(caught.value.fields) == ["term"]
    assert db.session.query(ModerationRuleSetVersion).count() == 0


@pytest.mark.parametrize("term", [r"(\d{3}-)+\d{4}", r"(?:cheap|free)+ pills", r"\d+(\.\d+)?%"])
def test_ordinary_patterns_are_accepted(admin, term):
    assert rules.add_moderation_rule(admin, keyword(kind="pattern", term=term)).term == term


def test_a_pattern_that_runs_out_of_time_is_reported_not_waited_for():
    # (a|aa)+$ passes the structural check, yet takes seconds on a long run of "a" and no end.
    slow = RuleSpec(id=7, market="US", kind="pattern", term="(a|aa)+$", severity="high",
                    reason_code="spam")
    quick = RuleSpec(id=8, market="US", kind="pattern", term="a!", severity="low",
                     reason_code="spam")
    matcher = RuleMatcher([slow, quick])
    text = "a" * 60 + "!"
    timed_out: list[int] = []

    matches = matcher.match(text, timed_out=timed_out)

    assert timed_out == [7]
    assert [m.rule_id for m in matches] == [8]  # the other patterns still ran
    with pytest.raises(TimeoutError):
        matcher.match(text)


@pytest.mark.parametrize(("changes", "field"), [
    ({"market": "XX"}, "market"), ({"kind": "vibe"}, "kind"), ({"severity": "huge"}, "severity"),
    ({"reason_code": "because"}, "reason_code"), ({"language": "fr"}, "language"),
    ({"term": ""}, "term"), ({"term": "x" * 201}, "term"), ({"match_pinyin": "maybe"},
                                                             "match_pinyin"),
    ({"term": "枪", "match_pinyin": "yes"}, "match_pinyin"),
    ({"hs_prefixes": "0507"}, "hs_prefixes"),
    ({"kind": "prohibited_good", "hs_prefixes": "05.07"}, "hs_prefixes"),
    ({"kind": "pattern", "term": "a*"}, "term"),
])
def test_each_bad_field_is_named(admin, changes, field):
    with pytest.raises(ValidationFailed) as caught:
        rules.clean_moderation_rule(keyword(**changes))
    assert field in caught.value.fields


def test_prohibited_good_with_hs_codes_only(admin):
    rule = rules.add_moderation_rule(admin, keyword(market="CN", kind="prohibited_good", term="",
                                                    hs_prefixes="0507, 9305",
                                                    reason_code="wildlife"))
    assert rule.hs_prefix_list == ("0507", "9305")


def test_moderators_read_but_only_admins_write(make_user, admin):
    moderator = make_user(roles=("moderator",))
    rules.add_moderation_rule(admin, keyword())
    commit()
    assert rules.rule_set_overview(moderator) == [("US", 1, 1)]
    with pytest.raises(Forbidden):
        rules.add_moderation_rule(moderator, keyword())
    with pytest.raises(Forbidden):
        rules.rules_of_market(make_user(), "US")


def test_csv_import_adds_one_version_per_market(admin):
    text = (DATA / "moderation_evasion_rules.csv").read_text("utf-8")
    added = rules.import_moderation_rules(admin, text)
    commit()
    assert added == {"ALL": 18}
    assert rules.rule_set_overview(admin) == [("ALL", 1, 18)]
    exported = rules.export_moderation_rules(admin, "ALL")
    assert exported.splitlines()[0].startswith("market,kind,term")
    assert len(exported.splitlines()) == 19


def test_csv_import_is_all_or_nothing_and_names_lines(admin):
    text = ("market,kind,term,severity,reason_code\n"
            "US,keyword,fine,high,spam\n"
            "US,pattern,(bad,high,spam\n"
            "ZZ,keyword,x,high,spam\n")
    with pytest.raises(ValidationFailed) as caught:
        rules.import_moderation_rules(admin, text)
    assert set(caught.value.fields) == {"line 3: term", "line 4: market"}
    assert db.session.query(ModerationRule).count() == 0
    with pytest.raises(ValidationFailed) as missing:
        rules.import_moderation_rules(admin, "term\nfoo\n")
    assert "file" in missing.value.fields


def test_matcher_is_built_once_and_rebuilt_after_a_change(admin):
    rules.add_moderation_rule(admin, keyword(market="ALL"))
    commit()
    matcher, versions = rules.current_matcher(["US"])
    assert versions == {"ALL": 1}
    assert rules.current_matcher(["US"])[0] is matcher
    assert [m.reason_code for m in matcher.match("q i a o t e s t b a n")] == ["test_term"]
    rules.add_moderation_rule(admin, keyword(market="ALL", term="buy followers",
                                             reason_code="spam"))
    commit()
    rebuilt, versions = rules.current_matcher(["US"])
    assert rebuilt is not matcher and versions == {"ALL": 2}
    assert [m.reason_code for m in rebuilt.match("BUY FOLLOWERS")] == ["spam"]


def test_demo_rules_load_for_three_markets_and_catch_their_examples(admin):
    from app.demo.moderation_rules import seed_moderation_rules

    (line,) = seed_moderation_rules(admin)
    commit()
    assert "ALL" in line and "US" in line and "GB" in line and "CN" in line
    assert seed_moderation_rules(admin) == ["Moderation rules: already present, left as they are"]
    matcher, _versions = rules.current_matcher(["US", "GB", "CN"])
    found = {m.reason_code for m in matcher.match("加VX：qiao_shop88 私聊，高 仿 包包")}
    assert found == {"off_platform", "counterfeit"}
    assert {m.market for m in matcher.match("本店最佳面霜，根治痘痘", target_type="ad_creative")} \
        == {"CN"}
    assert [m.reason_code for m in matcher.match("Kinder Surprise eggs, 6 pack",
                                                 target_type="product")] == ["prohibited_goods"]


def test_every_market_rules_are_audited_with_their_market_in_details(admin):
    from app.models import AuditLogEntry

    rules.add_moderation_rule(admin, keyword(market="ALL"))
    commit()
    (entry,) = db.session.query(AuditLogEntry).filter_by(action="rule_change").all()
    assert entry.market is None and entry.details["market"] == "ALL"
