"""Moderation rules per market: validated, versioned, imported from CSV, compiled for matching.

Platform admins change rules; moderators read them. Every change makes a new version of
the market's rule set (old versions stay readable: see app.models.moderation_rules) and is
written to the audit log. Screening asks `current_matcher` for the compiled rules of the
markets it screens for; the matcher is cached per (market, version) and so is rebuilt only
after a change.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select, update

from app.extensions import db
from app.models import User
from app.models.moderation_rules import (
    MODERATION_RULE_KINDS,
    MODERATION_RULE_LANGUAGES,
    MODERATION_SEVERITIES,
    ModerationRule,
    ModerationRuleSet,
    ModerationRuleSetVersion,
)
from app.services.errors import Conflict, NotFound, ValidationFailed
from app.services.moderation.audit_hook import audit_rule_change
from app.services.moderation.labels import REASON_LABELS
from app.services.moderation.matcher import (
    MATCHERS,
    RuleMatcher,
    RuleSpec,
    pattern_error,
    pattern_risk,
)
from app.services.moderation.normalise import is_han, normalise_term
from app.services.moderation.reason_codes import SCREENING_REASONS
from app.services.permissions import require_platform_role
from app.services.regions import is_country

ALL_MARKETS = "ALL"
MAX_TERM = 200
MAX_IMPORT_ROWS = 20_000
HS_PREFIX = re.compile(r"\d{2,10}")
CSV_COLUMNS = ("market", "kind", "term", "language", "severity", "reason_code",
               "match_pinyin", "match_variants", "match_leet", "hs_prefixes")
TRUE_WORDS = {"yes", "y", "true", "1", "on"}
FALSE_WORDS = {"no", "n", "false", "0", "off", ""}

# Every reason a rule may give: the decision reasons and the screening-only ones. The author
# is shown the label in their language.
REASON_CODES: tuple[str, ...] = tuple(
    code for code in (*REASON_LABELS, *SCREENING_REASONS) if code not in ("no_violation", "legal"))
RULE_SEVERITY_LABELS = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"),
                   "critical": _l("Critical")}
KIND_LABELS = {"keyword": _l("Keyword or phrase"), "pattern": _l("Pattern (regular expression)"),
               "prohibited_good": _l("Prohibited good (listings)"),
               "ad_rule": _l("Ad rule (creatives)")}
LANGUAGE_LABELS = {"en": _l("English"), "zh": _l("Chinese"), "any": _l("Any language")}


@dataclass(frozen=True)
class CleanModerationRule:
    """A validated rule, ready to be written."""

    market: str
    kind: str
    term: str
    hs_prefixes: str
    language: str
    severity: str
    reason_code: str
    match_pinyin: bool
    match_variants: bool
    match_leet: bool


def _flag(value: Any, field: str, errors: dict[str, list[str]]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    errors.setdefault(field, []).append(_("Use yes or no."))
    return False


def clean_moderation_rule(data: Mapping[str, Any]) -> CleanModerationRule:
    """Check one rule as an admin typed it or a CSV row gave it; every bad field is named."""
    errors: dict[str, list[str]] = {}
    unsafe = False
    market = str(data.get("market") or "").strip().upper()
    if market != ALL_MARKETS and not is_country(market):
        errors["market"] = [_("Choose a country code (US, GB, CN…) or ALL.")]
    kind = str(data.get("kind") or "").strip()
    if kind not in MODERATION_RULE_KINDS:
        errors["kind"] = [_("Choose keyword, pattern, prohibited_good or ad_rule.")]
    term = str(data.get("term") or "").strip()
    language = str(data.get("language") or "any").strip().lower()
    if language not in MODERATION_RULE_LANGUAGES:
        errors["language"] = [_("Choose en, zh or any.")]
    severity = str(data.get("severity") or "").strip().lower()
    if severity not in MODERATION_SEVERITIES:
        errors["severity"] = [_("Choose low, medium, high or critical.")]
    reason_code = str(data.get("reason_code") or "").strip().lower()
    if reason_code not in REASON_CODES:
        errors["reason_code"] = [_("Choose one of the listed reason codes.")]
    match_pinyin = _flag(data.get("match_pinyin"), "match_pinyin", errors)
    match_variants = _flag(data.get("match_variants", True), "match_variants", errors)
    match_leet = _flag(data.get("match_leet"), "match_leet", errors)
    raw_prefixes = str(data.get("hs_prefixes") or "")
    prefixes = [p.strip() for p in re.split(r"[,\s;]+", raw_prefixes) if p.strip()]
    bad_prefixes = [p for p in prefixes if not HS_PREFIX.fullmatch(p)]
    if bad_prefixes:
        errors["hs_prefixes"] = [_("HS code prefixes are 2 to 10 digits, without dots: "
                                   "%(bad)s", bad=", ".join(bad_prefixes))]
    elif prefixes and kind != "prohibited_good":
        errors["hs_prefixes"] = [_("Only prohibited-good rules take HS codes.")]

    if len(term) > MAX_TERM:
        errors["term"] = [_("At most %(n)d characters.", n=MAX_TERM)]
    elif kind == "pattern":
        problem = pattern_error(term)
        if problem:
            errors["term"] = [_("This is not a usable regular expression: %(problem)s",
                                problem=problem)]
        elif pattern_risk(term):
            unsafe = True
            errors["term"] = [_("This pattern could take too long to match: write it without "
                                "back-references or a repetition inside a repeated group, "
                                "such as (a+)+.")]
        if match_pinyin or match_leet:
            errors.setdefault("match_pinyin", []).append(
                _("Patterns match the text as written; pinyin and leetspeak are for keywords."))
    elif kind in MODERATION_RULE_KINDS:
        if not term and not (kind == "prohibited_good" and prefixes):
            errors["term"] = [_("Enter the word or phrase to match.")]
        elif term and not normalise_term(term):
            errors["term"] = [_("The phrase has no letters, digits or characters to match.")]
        if match_pinyin and sum(1 for ch in term if is_han(ch)) < 2:
            errors["match_pinyin"] = [_("Pinyin matching needs at least two Chinese "
                                        "characters (one syllable matches too much).")]
    if errors:
        # A pattern that is valid but unsafe gets its own code, so a client can tell it apart.
        code = "unsafe_pattern" if unsafe and list(errors) == ["term"] else \
            "invalid_moderation_rule"
        raise ValidationFailed(_("The rule has problems; nothing was saved."), code=code,
                               fields=errors)
    return CleanModerationRule(market, kind, term, ",".join(prefixes), language, severity,
                               reason_code, match_pinyin, match_variants, match_leet)


# Reading ----------------------------------------------------------------------------------
def rule_set_overview(actor: User) -> list[tuple[str, int, int]]:
    """(market, current version, live rules) for every market with rules; moderators read."""
    require_platform_role(actor, "moderator")
    counts = dict(db.session.execute(
        select(ModerationRule.rule_set_id, func.count())
        .where(ModerationRule.removed_in.is_(None)).group_by(ModerationRule.rule_set_id)).all())
    sets = db.session.scalars(select(ModerationRuleSet).order_by(ModerationRuleSet.market))
    return [(s.market, s.current_version, counts.get(s.id, 0)) for s in sets]


def _rule_set(market: str) -> ModerationRuleSet | None:
    return db.session.scalar(select(ModerationRuleSet).where(ModerationRuleSet.market == market))


def _alive_at(version: int):
    return (ModerationRule.added_in <= version) & or_(
        ModerationRule.removed_in.is_(None), ModerationRule.removed_in > version)


def rules_of_market(actor: User, market: str, version: int | None = None
                    ) -> tuple[int, list[ModerationRule]]:
    """The rules of `market` at `version` (its current one by default)."""
    require_platform_role(actor, "moderator")
    rule_set = _rule_set(market.upper())
    if rule_set is None:
        return 0, []
    wanted = rule_set.current_version if version is None else version
    if not 0 <= wanted <= rule_set.current_version:
        raise NotFound(_("That version of the rules does not exist."), code="not_found")
    rules = db.session.scalars(
        select(ModerationRule).where(ModerationRule.rule_set_id == rule_set.id,
                                     _alive_at(wanted))
        .order_by(ModerationRule.kind, ModerationRule.term, ModerationRule.id)).all()
    return wanted, list(rules)


def rules_page(actor: User, market: str, version: int | None = None, *, query: str = "",
               page: int = 1, per_page: int = 50) -> tuple[int, int, Pagination]:
    """(version shown, current version, a page of its rules) of `market`, filtered by term."""
    require_platform_role(actor, "moderator")
    rule_set = _rule_set(market.upper())
    current = rule_set.current_version if rule_set else 0
    wanted = current if version is None else version
    if not 0 <= wanted <= current:
        raise NotFound(_("That version of the rules does not exist."), code="not_found")
    stmt = select(ModerationRule).where(
        ModerationRule.rule_set_id == (rule_set.id if rule_set else -1), _alive_at(wanted))
    if query:
        stmt = stmt.where(ModerationRule.term.ilike(f"%{query}%"))
    stmt = stmt.order_by(ModerationRule.kind, ModerationRule.term, ModerationRule.id)
    pagination = db.paginate(stmt, page=max(page, 1), per_page=per_page, error_out=False,
                             count=True)
    return wanted, current, pagination


def rule_set_versions(actor: User, market: str) -> list[ModerationRuleSetVersion]:
    """The change history of a market's rules, newest first."""
    require_platform_role(actor, "moderator")
    return list(db.session.scalars(
        select(ModerationRuleSetVersion).join(ModerationRuleSet)
        .where(ModerationRuleSet.market == market.upper())
        .order_by(ModerationRuleSetVersion.version.desc())))


def get_moderation_rule(actor: User, rule_id: int) -> ModerationRule:
    """One rule (any version) by id."""
    require_platform_role(actor, "moderator")
    rule = db.session.get(ModerationRule, rule_id)
    if rule is None:
        raise NotFound(_("No such rule."), code="not_found")
    return rule


# Writing ----------------------------------------------------------------------------------
def _new_version(actor: User, market: str, summary: str) -> tuple[ModerationRuleSet, int]:
    """Open the next version of `market`'s rule set (created on first use); races → 409."""
    rule_set = _rule_set(market)
    if rule_set is None:
        rule_set = ModerationRuleSet(market=market, current_version=0)
        db.session.add(rule_set)
        db.session.flush()
    seen = rule_set.current_version
    changed = db.session.execute(
        update(ModerationRuleSet)
        .where(ModerationRuleSet.id == rule_set.id, ModerationRuleSet.current_version == seen)
        .values(current_version=seen + 1), execution_options={"synchronize_session": False})
    if changed.rowcount != 1:
        raise Conflict(_("Someone else changed these rules at the same moment; try again."),
                       code="rules_changed_concurrently")
    db.session.refresh(rule_set)
    db.session.add(ModerationRuleSetVersion(rule_set_id=rule_set.id, version=seen + 1,
                                            changed_by_id=actor.id, summary=summary[:200]))
    return rule_set, seen + 1


def _row(rule_set: ModerationRuleSet, version: int,
         clean: CleanModerationRule) -> ModerationRule:
    return ModerationRule(
        rule_set_id=rule_set.id, added_in=version, kind=clean.kind, term=clean.term,
        hs_prefixes=clean.hs_prefixes, language=clean.language, severity=clean.severity,
        reason_code=clean.reason_code, match_pinyin=clean.match_pinyin,
        match_variants=clean.match_variants, match_leet=clean.match_leet)


def _describe(clean: CleanModerationRule | ModerationRule) -> str:
    term = clean.term or clean.hs_prefixes
    return f"{clean.kind} “{term[:60]}” ({clean.severity}, {clean.reason_code})"


def add_moderation_rule(actor: User, data: Mapping[str, Any]) -> ModerationRule:
    """Add a rule to a market: a new version of its rule set."""
    require_platform_role(actor, "admin")
    clean = clean_moderation_rule(data)
    rule_set, version = _new_version(actor, clean.market, f"Added {_describe(clean)}")
    rule = _row(rule_set, version, clean)
    db.session.add(rule)
    db.session.flush()
    audit_rule_change(actor, "rule_added", clean.market, version, rule.id, _describe(clean))
    return rule


def update_moderation_rule(actor: User, rule_id: int, data: Mapping[str, Any]
                           ) -> ModerationRule:
    """Change a rule: the old row ends at the new version, a new row starts there."""
    require_platform_role(actor, "admin")
    old = get_moderation_rule(actor, rule_id)
    if old.removed_in is not None:
        raise Conflict(_("This rule was already changed or removed; edit its current version."),
                       code="rule_not_current")
    clean = clean_moderation_rule({**data, "market": old.rule_set.market})
    rule_set, version = _new_version(actor, old.rule_set.market,
                                     f"Changed {_describe(old)} to {_describe(clean)}")
    old.removed_in = version
    rule = _row(rule_set, version, clean)
    db.session.add(rule)
    db.session.flush()
    audit_rule_change(actor, "rule_changed", rule_set.market, version, rule.id,
                      f"{_describe(old)} → {_describe(clean)}")
    return rule


def remove_moderation_rule(actor: User, rule_id: int) -> int:
    """Remove a rule from its market's current rules; returns the new version."""
    require_platform_role(actor, "admin")
    old = get_moderation_rule(actor, rule_id)
    if old.removed_in is not None:
        raise Conflict(_("This rule was already changed or removed."), code="rule_not_current")
    rule_set, version = _new_version(actor, old.rule_set.market, f"Removed {_describe(old)}")
    old.removed_in = version
    db.session.flush()
    audit_rule_change(actor, "rule_removed", rule_set.market, version, old.id, _describe(old))
    return version


def import_moderation_rules(actor: User, csv_text: str) -> dict[str, int]:
    """Add every row of a CSV list (header: CSV_COLUMNS); all rows valid or nothing saved.

    Each market named in the file gets one new version holding all its new rows. Returns
    the number of rules added per market.
    """
    require_platform_role(actor, "admin")
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = [c for c in ("market", "kind", "term", "severity", "reason_code")
               if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            _("The file needs a header line with these columns: %(columns)s",
              columns=", ".join(CSV_COLUMNS)),
            code="invalid_moderation_rule", fields={"file": [_("Missing columns: %(c)s",
                                                              c=", ".join(missing))]})
    cleaned: list[CleanModerationRule] = []
    errors: dict[str, list[str]] = {}
    for line, row in enumerate(reader, start=2):
        if line - 1 > MAX_IMPORT_ROWS:
            errors["file"] = [_("At most %(n)d rules per file.", n=MAX_IMPORT_ROWS)]
            break
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        try:
            cleaned.append(clean_moderation_rule(row))
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                errors[f"line {line}: {field}"] = messages
    if errors:
        raise ValidationFailed(_("Some lines have problems; nothing was imported."),
                               code="invalid_moderation_rule", fields=errors)
    if not cleaned:
        raise ValidationFailed(_("The file has no rules."), code="invalid_moderation_rule",
                               fields={"file": [_("The file has no rules.")]})
    added: dict[str, int] = {}
    for market in sorted({c.market for c in cleaned}):
        rows = [c for c in cleaned if c.market == market]
        rule_set, version = _new_version(actor, market, f"Imported {len(rows)} rules")
        db.session.add_all([_row(rule_set, version, c) for c in rows])
        added[market] = len(rows)
        audit_rule_change(actor, "rules_imported", market, version, None,
                          f"{len(rows)} rules from a CSV file")
    db.session.flush()
    return added


def export_moderation_rules(actor: User, market: str) -> str:
    """A market's current rules as CSV, in the import format."""
    _version, rules = rules_of_market(actor, market)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for rule in rules:
        writer.writerow([market.upper(), rule.kind, rule.term, rule.language, rule.severity,
                         rule.reason_code, "yes" if rule.match_pinyin else "no",
                         "yes" if rule.match_variants else "no",
                         "yes" if rule.match_leet else "no", rule.hs_prefixes])
    return out.getvalue()


# Matching ---------------------------------------------------------------------------------
def current_versions(markets: Iterable[str] | None) -> dict[str, tuple[int, str]]:
    """{market: (current version, when it was made)} for "ALL" and the given markets (every
    market with rules when `markets` is None).
    """
    stmt = (
        select(ModerationRuleSet.market, ModerationRuleSet.current_version,
               ModerationRuleSetVersion.created_at)
        .join(ModerationRuleSetVersion,
              (ModerationRuleSetVersion.rule_set_id == ModerationRuleSet.id)
              & (ModerationRuleSetVersion.version == ModerationRuleSet.current_version)))
    if markets is not None:
        stmt = stmt.where(ModerationRuleSet.market.in_(
            {ALL_MARKETS, *(m.upper() for m in markets)}))
    rows = db.session.execute(stmt).all()
    return {market: (version, made.isoformat()) for market, version, made in rows}


def _load_specs(versions: Mapping[str, int]) -> list[RuleSpec]:
    specs: list[RuleSpec] = []
    for market, version in versions.items():
        rows = db.session.execute(
            select(ModerationRule).join(ModerationRuleSet)
            .where(ModerationRuleSet.market == market, _alive_at(version))).scalars()
        specs.extend(RuleSpec(
            id=r.id, market=market, kind=r.kind, term=r.term, severity=r.severity,
            reason_code=r.reason_code, language=r.language, match_pinyin=r.match_pinyin,
            match_variants=r.match_variants, match_leet=r.match_leet,
            hs_prefixes=r.hs_prefix_list) for r in rows)
    return specs


def current_matcher(markets: Iterable[str] | None) -> tuple[RuleMatcher, dict[str, int]]:
    """The compiled current rules of "ALL" and `markets` (None: every market with rules),
    and the versions they are.

    The cache key holds each version's creation time as well as its number, so a version
    number reused after a rolled-back change never brings back another rule list.
    """
    stamped = current_versions(markets)
    versions = {market: version for market, (version, _made) in stamped.items()}
    key = tuple(sorted(stamped.items()))
    return MATCHERS.get(key, lambda: _load_specs(versions)), versions
