"""Rule matching: one Aho–Corasick automaton per rule-set version, regex patterns apart.

Keywords are normalised once, when the automaton is built, into the same compact form the
text is normalised into at screening time (app.services.moderation.normalise), so one pass
over a note finds every keyword of every rule whatever the number of rules. Rules that ask
for leetspeak or pinyin get their own automaton over that form of the text. A built
matcher is cached per (market, version) key; a rule change makes a new version, hence a
new key, and the old entry simply falls out of the bounded cache.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from re import _constants as regex_syntax
from re import _parser as regex_parser

import ahocorasick
import regex

from app.services.moderation.normalise import (
    NormalisedText,
    is_han,
    normalise,
    normalise_term,
)

RULE_KINDS = ("keyword", "pattern", "prohibited_good", "ad_rule")
RULE_LANGUAGES = ("en", "zh", "any")
SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
# Which kinds of rule look at which kinds of content.
KINDS_FOR_TARGET = {
    "note": ("keyword", "pattern"),
    "comment": ("keyword", "pattern"),
    "profile": ("keyword", "pattern"),
    "product": ("keyword", "pattern", "prohibited_good"),
    "ad_creative": ("keyword", "pattern", "ad_rule"),
}
REGEX_FLAGS = re.IGNORECASE | re.UNICODE
# Patterns run on the `regex` engine, which can stop a search that takes too long: the
# structural check at save time (pattern_error) refuses the usual catastrophic shapes, and
# this limit per pattern and text bounds whatever slips through.
PATTERN_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.VERSION0
PATTERN_TIMEOUT_SECONDS = 0.05
MAX_PATTERN = 200


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """What the matcher needs of one rule (a plain copy of the database row)."""

    id: int
    market: str
    kind: str
    term: str
    severity: str
    reason_code: str
    language: str = "any"
    match_pinyin: bool = False
    match_variants: bool = True
    match_leet: bool = False
    hs_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One rule that matched, with the original offsets of what it matched."""

    rule_id: int
    market: str
    kind: str
    severity: str
    reason_code: str
    start: int
    end: int
    excerpt: str
    via: str  # "keyword", "leet", "pinyin", "pattern", "hs_code"

    def as_dict(self) -> dict:
        """JSON-ready form for the screening record and the queue's highlight."""
        return {"rule_id": self.rule_id, "market": self.market, "kind": self.kind,
                "severity": self.severity, "reason_code": self.reason_code,
                "start": self.start, "end": self.end, "excerpt": self.excerpt, "via": self.via}


def _is_latin_edge(char: str) -> bool:
    return char.isalnum() and not is_han(char)


@dataclass
class RuleMatcher:
    """Every rule of some rule-set versions, compiled for matching."""

    rules: Sequence[RuleSpec]
    _automata: dict[str, ahocorasick.Automaton] = field(default_factory=dict, repr=False)
    _patterns: list[tuple[RuleSpec, regex.Pattern]] = field(default_factory=list, repr=False)
    _hs_rules: list[RuleSpec] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        entries: dict[str, dict[str, list[RuleSpec]]] = {"keyword": {}, "leet": {}, "pinyin": {}}
        for rule in self.rules:
            if rule.kind == "pattern":
                self._patterns.append((rule, regex.compile(rule.term, PATTERN_FLAGS)))
                continue
            if rule.hs_prefixes:
                self._hs_rules.append(rule)
            if not rule.term.strip():
                continue
            for via, wanted in (("keyword", True), ("leet", rule.match_leet),
                                ("pinyin", rule.match_pinyin)):
                if not wanted:
                    continue
                key = normalise_term(rule.term, leet=via == "leet", pinyin=via == "pinyin")
                if key:
                    entries[via].setdefault(key, []).append(rule)
        for via, keyed in entries.items():
            if not keyed:
                continue
            automaton = ahocorasick.Automaton()
            for key, specs in keyed.items():
                automaton.add_word(key, (key, tuple(specs)))
            automaton.make_automaton()
            self._automata[via] = automaton

    def match(self, text: str, *, target_type: str = "note", hs_code: str | None = None,
              timed_out: list[int] | None = None) -> list[RuleMatch]:
        """Every rule (of the kinds that look at `target_type`) that matches `text`.

        A pattern that runs out of time is added to `timed_out` (the caller holds the item:
        it was not fully screened) and matching goes on; without the list, TimeoutError.
        """
        kinds = KINDS_FOR_TARGET.get(target_type, ("keyword", "pattern"))
        found: dict[tuple[int, int, int], RuleMatch] = {}
        for via, automaton in self._automata.items():
            form = normalise(text, leet=via == "leet", pinyin=via == "pinyin")
            for end_index, (key, specs) in automaton.iter(form.text):
                start = end_index - len(key) + 1
                end = end_index + 1
                if not self._on_word_boundaries(form, key, start, end):
                    continue
                begin, finish = form.original_span(start, end)
                for rule in specs:
                    if rule.kind not in kinds:
                        continue
                    if not rule.match_variants and not self._literal_script(
                            text[begin:finish], rule, via):
                        continue
                    found.setdefault((rule.id, begin, finish), RuleMatch(
                        rule.id, rule.market, rule.kind, rule.severity, rule.reason_code,
                        begin, finish, text[begin:finish], via))
        if self._patterns and "pattern" in kinds:
            clean = normalise(text, compact=False)
            for rule, pattern in self._patterns:
                try:
                    hit = self._first_hit(pattern, clean.text)
                except TimeoutError:
                    if timed_out is None:
                        raise
                    timed_out.append(rule.id)
                    continue
                if hit is None:
                    continue
                begin, finish = clean.original_span(*hit)
                found.setdefault((rule.id, begin, finish), RuleMatch(
                    rule.id, rule.market, rule.kind, rule.severity, rule.reason_code,
                    begin, finish, text[begin:finish], "pattern"))
        if hs_code and "prohibited_good" in kinds:
            digits = re.sub(r"\D", "", hs_code)
            for rule in self._hs_rules:
                if any(digits.startswith(prefix) for prefix in rule.hs_prefixes):
                    found.setdefault((rule.id, -1, -1), RuleMatch(
                        rule.id, rule.market, rule.kind, rule.severity, rule.reason_code,
                        0, 0, hs_code, "hs_code"))
        return sorted(found.values(), key=lambda m: (-SEVERITY_RANK[m.severity], m.start))

    @staticmethod
    def _first_hit(pattern: regex.Pattern, text: str) -> tuple[int, int] | None:
        """Where `pattern` first matches something (one hit is enough to decide), within
        PATTERN_TIMEOUT_SECONDS for the whole search, else TimeoutError.
        """
        for hit in pattern.finditer(text, timeout=PATTERN_TIMEOUT_SECONDS):
            if hit.end() > hit.start():
                return hit.start(), hit.end()
        return None

    @staticmethod
    def _on_word_boundaries(form: NormalisedText, key: str, start: int, end: int) -> bool:
        """Latin keywords match whole words only (no `sex` in `Essex`); Chinese anywhere."""
        if _is_latin_edge(key[0]) and not form.word_start[start]:
            return False
        return not (_is_latin_edge(key[-1]) and not form.is_word_end(end))

    @staticmethod
    def _literal_script(original: str, rule: RuleSpec, via: str) -> bool:
        """For rules without traditional/simplified matching: the script must be the rule's."""
        if via == "pinyin":
            return True
        plain = normalise(original, leet=via == "leet", simplified=False).text
        return normalise_term(rule.term, leet=via == "leet", simplified=False) in plain


class MatcherCache:
    """Built matchers by key, least recently used dropped first; safe across threads."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, RuleMatcher] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0

    def get(self, key: Hashable, load: Callable[[], Sequence[RuleSpec]]) -> RuleMatcher:
        """The matcher for `key`, built from `load()` the first time it is asked for."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        matcher = RuleMatcher(list(load()))
        with self._lock:
            self.builds += 1
            self._items[key] = matcher
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return matcher

    def clear(self) -> None:
        """Forget every built matcher (tests)."""
        with self._lock:
            self._items.clear()


MATCHERS = MatcherCache()


def pattern_error(pattern: str) -> str | None:
    """Why `pattern` is not a usable regular expression, or None when it is."""
    if not pattern.strip():
        return "empty"
    if len(pattern) > MAX_PATTERN:
        return f"longer than {MAX_PATTERN} characters"
    try:
        compiled = regex.compile(pattern, PATTERN_FLAGS)
        regex_parser.parse(pattern, REGEX_FLAGS)  # pattern_risk walks this tree
    except (re.error, regex.error) as exc:
        return str(exc)
    if compiled.match(""):
        return "matches empty text"
    return None


def pattern_risk(pattern: str) -> str | None:
    r"""Why `pattern` (a valid one) could take exponential time, or None.

    Refused: back-references, and a repeated group that itself holds a repetition of
    variable length, such as (a+)+ or (\w+\s?)*, which backtrack exponentially on text
    that almost matches. A fixed count inside, as in (\d{3}-)+, is fine.
    """
    return _risk_in(regex_parser.parse(pattern, REGEX_FLAGS), repeated=False)


REPEATS = {regex_syntax.MAX_REPEAT, regex_syntax.MIN_REPEAT, regex_syntax.POSSESSIVE_REPEAT}


def _risk_in(items, *, repeated: bool) -> str | None:
    for op, value in items:
        if op in (regex_syntax.GROUPREF, regex_syntax.GROUPREF_EXISTS):
            return "back-references are not allowed"
        if op in REPEATS:
            low, high, body = value
            if repeated and low != high:
                return "a repetition inside a repeated group can take exponential time"
            found = _risk_in(body, repeated=repeated or high > 1)
        elif op == regex_syntax.SUBPATTERN:
            found = _risk_in(value[-1], repeated=repeated)
        elif op == regex_syntax.BRANCH:
            found = next((r for branch in value[1]
                          if (r := _risk_in(branch, repeated=repeated))), None)
        elif op in (regex_syntax.ASSERT, regex_syntax.ASSERT_NOT):
            found = _risk_in(value[1], repeated=repeated)
        elif op == regex_syntax.ATOMIC_GROUP:
            found = _risk_in(value, repeated=repeated)
        else:
            found = None
        if found:
            return found
    return None
