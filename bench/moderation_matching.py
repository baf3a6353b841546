"""Rule matching speed at 10,000 rules, and the evasion set's recall (issue 13's figures).

Builds a rule set of RULES rules (English keywords and phrases, Chinese words, a fifth of
them asking for pinyin, a fifth for leetspeak, PATTERNS regular expressions), compiles it
once (timed: that is the rebuild after a rule change), then times `RuleMatcher.match` on
1,000-character notes mixing English and Chinese, some planted with a rule's keyword
behind an evasion trick. Finally it runs the evasion set of tests/data against its rules
and prints the recall (tests/unit/test_moderation_matcher.py asserts >= 95 %).

    .venv/bin/python bench/moderation_matching.py [--rules 10000] [--patterns 50]
        [--notes 500]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from _common import describe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.services.moderation.matcher import RuleMatcher, RuleSpec  # noqa: E402
from tests.unit.test_moderation_matcher import evasion_rows, load_rules  # noqa: E402

LATIN = "abcdefghijklmnopqrstuvwxyz"
HAN = ("的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出要于就下得可你年生会自"
       "着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行"
       "方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月")


def random_word(rng: random.Random) -> str:
    return "".join(rng.choice(LATIN) for _ in range(rng.randint(5, 10)))


def build_rules(rng: random.Random, count: int, patterns: int) -> list[RuleSpec]:
    rules = []
    for index in range(count - patterns):
        if index % 2:
            term = "".join(rng.choice(HAN) for _ in range(rng.randint(2, 4)))
        else:
            term = " ".join(random_word(rng) for _ in range(rng.randint(1, 2)))
        rules.append(RuleSpec(
            id=index + 1, market=rng.choice(["ALL", "US", "GB", "CN"]), kind="keyword",
            term=term, severity=rng.choice(["low", "medium", "high", "critical"]),
            reason_code="bench", match_pinyin=index % 10 == 1, match_leet=index % 10 == 0))
    for index in range(patterns):
        word = random_word(rng)
        rules.append(RuleSpec(id=count - patterns + index + 1, market="ALL", kind="pattern",
                              term=rf"\b{word[:4]}\w*\s+\d{{3,}}", severity="medium",
                              reason_code="bench"))
    return rules


def build_note(rng: random.Random, rules: list[RuleSpec], plant: bool) -> str:
    parts: list[str] = []
    while sum(len(p) for p in parts) < 1000:
        if rng.random() < 0.5:
            parts.append(" ".join(random_word(rng) for _ in range(rng.randint(3, 8))) + ". ")
        else:
            parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(8, 20))) + "，")
    if plant:
        term = rng.choice([r for r in rules if r.kind == "keyword"]).term
        parts.insert(rng.randrange(len(parts)), " " + "\u200b".join(term) + " ")
    return "".join(parts)[:1000]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--patterns", type=int, default=50)
    parser.add_argument("--notes", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(13)
    rules = build_rules(rng, args.rules, args.patterns)
    started = time.perf_counter()
    matcher = RuleMatcher(rules)
    print(f"compiled {len(rules)} rules ({args.patterns} patterns) in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")
    notes = [build_note(rng, rules, plant=i % 4 == 0) for i in range(args.notes)]
    matcher.match(notes[0])  # warm the per-character caches
    samples, hits = [], 0
    for note in notes:
        started = time.perf_counter()
        found = matcher.match(note)
        samples.append((time.perf_counter() - started) * 1000)
        hits += bool(found)
    print(f"match a 1,000-character note against {len(rules)} rules: {describe(samples)}")
    print(f"  notes with at least one match: {hits}/{len(notes)} "
          f"(a quarter are planted; random Chinese pairs also hit real rules)")
    small = RuleMatcher(rules[:10])
    small_samples = []
    for note in notes:
        started = time.perf_counter()
        small.match(note)
        small_samples.append((time.perf_counter() - started) * 1000)
    print(f"same notes against 10 rules: {describe(small_samples)}")

    evasion = RuleMatcher(load_rules())
    rows = evasion_rows()
    found = sum(1 for row in rows
                if row["reason_code"] in {m.reason_code for m in evasion.match(row["text"])})
    print(f"evasion set: {found}/{len(rows)} found, recall {found / len(rows):.1%}")
    by_trick: dict[str, list[int]] = {}
    for row in rows:
        hit = row["reason_code"] in {m.reason_code for m in evasion.match(row["text"])}
        by_trick.setdefault(row["trick"], [0, 0])[hit] += 1
    print("  by trick: " + ", ".join(f"{trick} {ok}/{ok + miss}"
                                     for trick, (miss, ok) in sorted(by_trick.items())))


if __name__ == "__main__":
    main()
