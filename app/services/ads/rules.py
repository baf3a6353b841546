"""Ad rules per destination market: words a reviewer must look at before an ad serves.

The rules live in app/data/ad_rules.json (English and Chinese terms per market; "*" is
every market). `check_ad_rules` is the one entry point, so the moderation rule engine
can replace what is behind it without touching callers. A match is a flag for the
human reviewer, never an automatic verdict.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from app.models import Campaign

RULES_FILE = Path(__file__).resolve().parents[2] / "data" / "ad_rules.json"
EVERY_MARKET = "*"


@dataclass(frozen=True)
class Finding:
    """One rule a campaign's creative or name matched, in one market."""

    rule: str
    label: str
    label_zh: str
    market: str  # a country code, or "*" for a rule of every market
    term: str
    where: str  # "name", or "note <id>"

    def to_json(self) -> dict[str, str]:
        """As stored on the campaign for the review page."""
        return asdict(self)


@dataclass(frozen=True)
class _Rule:
    code: str
    label: str
    label_zh: str
    markets: tuple[str, ...]
    patterns: tuple[tuple[str, re.Pattern], ...]


def _pattern(term: str) -> re.Pattern:
    # Latin words match whole words ("wine", not "swine"); CJK terms match anywhere.
    if term.isascii():
        return re.compile(rf"(?<![\w]){re.escape(term)}(?![\w])", re.IGNORECASE)
    return re.compile(re.escape(term))


@cache
def load_rules(path: str = str(RULES_FILE)) -> tuple[_Rule, ...]:
    """The rules file, parsed once."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(_Rule(code=rule["code"], label=rule["label"],
                       label_zh=rule.get("label_zh", rule["label"]),
                       markets=tuple(rule["markets"]),
                       patterns=tuple((term, _pattern(term)) for term in rule["terms"]))
                 for rule in data["rules"])


def check_texts(texts: list[tuple[str, str]], countries: list[str]) -> list[Finding]:
    """Findings for (where, text) pairs shown in `countries` (empty: every market)."""
    findings: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in load_rules():
        if EVERY_MARKET in rule.markets:
            markets = [EVERY_MARKET]
        elif countries:
            markets = [c for c in countries if c in rule.markets]
        else:
            markets = list(rule.markets)
        if not markets:
            continue
        for where, text in texts:
            for term, pattern in rule.patterns:
                if pattern.search(text or ""):
                    for market in markets:
                        key = (rule.code, market, where)
                        if key not in seen:
                            seen.add(key)
                            findings.append(Finding(rule=rule.code, label=rule.label,
                                                    label_zh=rule.label_zh,
                                                    market=market, term=term, where=where))
                    break
    return findings


def check_ad_rules(campaign: Campaign) -> list[Finding]:
    """What in the campaign's name and notes the reviewer should check, per market."""
    texts = [("name", campaign.name)]
    for link in campaign.campaign_notes:
        note = link.note
        texts.append((f"note {note.id}", f"{note.title}\n{note.body}"))
    return check_texts(texts, list(campaign.countries or []))
