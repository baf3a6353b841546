"""Cases: one open case per reported or screened item, and what it does to the item.

`open_case` is the single entry point for everything that wants a person to look at an
item: user reports (app.services.moderation.reports) and screening (rules, classifiers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import (
    CASE_TARGETS,
    SEVERITIES,
    Campaign,
    Comment,
    LegalRequest,
    Membership,
    ModerationCase,
    Note,
    Product,
    Store,
    User,
    market_key,
    market_list,
)
from app.services.moderation.audit import record_audit
from app.services.social import adjust_topic_counts, counted_state, sync_content_notices

SOURCES = ("report", "screening", "rules", "classifier", "llm", "hash", "legal")

# What another domain does, in the same transaction, when moderation moves an item's state
# (target type, id, new state): ads pays a partnership note's creator when it is approved.
# Registered by that domain, so moderation imports none of them.
StateListener = Callable[[str, int, str], None]
_state_listeners: list[StateListener] = []


def register_state_listener(listener: StateListener) -> None:
    """Have `listener` called with (target type, id, state) whenever a decision, a hold or
    a reinstatement sets an item's moderation state.
    """
    if listener not in _state_listeners:
        _state_listeners.append(listener)


def severity_rank(severity: str | int | None) -> int:
    """0 (none) .. 4 (critical) for a severity name or number."""
    if isinstance(severity, int) and not isinstance(severity, bool):
        return max(0, min(4, severity))
    if isinstance(severity, str) and severity in SEVERITIES:
        return SEVERITIES.index(severity) + 1
    return 0


@dataclass
class Target:
    """The item a case is about, with whose it is and where it is shown."""

    target_type: str
    target_id: int
    row: Any | None
    owner_id: int | None
    markets: list[str]
    language: str | None


def load_target(target_type: str, target_id: int) -> Target:
    """The item of a case (row None when it no longer exists or has no table yet)."""
    row: Any | None = None
    owner_id: int | None = None
    markets: list[str] = []
    language: str | None = None
    if target_type == "note":
        row = db.session.get(Note, target_id)
        if row is not None:
            owner_id, language = row.author_id, row.language
            home = row.region or (row.author.home_country if row.author else None)
            markets = [home] if home else []
    elif target_type == "comment":
        row = db.session.get(Comment, target_id)
        if row is not None:
            owner_id, language = row.author_id, row.language
            home = row.note.region or (row.author.home_country if row.author else None)
            markets = [home] if home else []
    elif target_type == "user":
        row = db.session.get(User, target_id)
        if row is not None:
            owner_id = row.id
            language = (row.languages or [None])[0] or (row.locale or None)
            markets = [row.home_country] if row.home_country else []
    elif target_type == "product":
        row = db.session.get(Product, target_id)
        if row is not None:
            store = db.session.get(Store, row.store_id)
            if store is not None:
                markets = [store.origin_country]
                owner_id = db.session.scalar(select(Membership.user_id).where(
                    Membership.organization_id == store.organization_id,
                    Membership.role == "owner"))
    elif target_type == "campaign":
        row = db.session.get(Campaign, target_id)
        if row is not None:
            # Whoever submitted speaks for it; the brand's whole team may appeal (ad_review).
            owner_id = row.account.user_id if row.is_boost else row.created_by_id
            markets = list(row.countries or [])
            language = next((link.note.language for link in row.campaign_notes
                             if link.note.language), None)
    return Target(target_type, target_id, row, owner_id, markets, language)


def item_text(target_type: str, row: Any | None) -> str:
    """The text of an item as screening reads it (spans of reasons index into it)."""
    if row is None:
        return ""
    if target_type == "note":
        return f"{row.title}\n{row.body}"
    if target_type == "comment":
        return row.body
    if target_type == "user":
        return f"{row.display_name}\n{row.bio}"
    if target_type == "product":
        return f"{row.title}\n{row.description}"
    if target_type == "campaign":
        notes = [f"{link.note.title}\n{link.note.body}" for link in row.campaign_notes]
        return "\n\n".join([row.name, *notes])
    return ""


def highlight_segments(text: str, spans: list[list[int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, highlighted) pairs at the given spans (merged, clipped)."""
    marks = sorted((max(0, int(a)), min(len(text), int(b))) for a, b in spans
                   if isinstance(a, int) and isinstance(b, int) and b > a)
    merged: list[tuple[int, int]] = []
    for start, end in marks:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        elif start < end:
            merged.append((start, end))
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in merged:
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _clean_reasons(reasons: list[dict[str, Any]] | None, source: str) -> list[dict[str, Any]]:
    cleaned = []
    for reason in reasons or []:
        if not isinstance(reason, dict) or not reason.get("code"):
            raise ValueError(f"a reason needs a code: {reason!r}")
        item = dict(reason)
        item.setdefault("source", source)
        item.setdefault("severity", "medium")
        item["spans"] = [list(span)[:2] for span in item.get("spans") or []]
        cleaned.append(item)
    return cleaned


def set_content_state(target: Target, state: str, reason_code: str | None = None) -> None:
    """Write the moderation state on the content row itself (notes, comments, products,
    profiles); feeds and pages of those domains filter on it.
    """
    row = target.row
    if row is None or not hasattr(row, "moderation_state"):
        return
    # A note shown or hidden moves its topics' side counts in the same transaction.
    counted_before = counted_state(row) if isinstance(row, Note) else None
    row.moderation_state = state
    row.moderation_reason = reason_code if state != "visible" else None
    if isinstance(row, Note):
        adjust_topic_counts(counted_before, row)
    if isinstance(row, (Note, Comment)):
        # Mentions and comment notices go out when it shows, come back when it is hidden.
        sync_content_notices(row)
    for listener in _state_listeners:
        listener(target.target_type, target.target_id, state)


def recompute_hidden_markets(target: Target, restricted: list[str]) -> None:
    """hidden_markets = the markets a decision restricted plus every legal takedown."""
    row = target.row
    if row is None or not hasattr(row, "hidden_markets"):
        return
    legal = db.session.scalars(select(LegalRequest.country).where(
        LegalRequest.target_type == target.target_type,
        LegalRequest.target_id == target.target_id))
    row.hidden_markets = market_key([*restricted, *legal])


def active_case(target_type: str, target_id: int) -> ModerationCase | None:
    """The target's open or claimed case, if any."""
    return db.session.scalar(select(ModerationCase).where(
        ModerationCase.open_key == f"{target_type}:{target_id}"))


def open_case(target_type: str, target_id: int, *, source: str,
              reasons: list[dict[str, Any]] | None = None,
              markets: list[str] | None = None, language: str | None = None,
              hold: bool = False, reporter: User | None = None,
              report_reason: str | None = None) -> ModerationCase:
    r"""Add to, or create, the one open case of an item; with `hold`, hide it until decided.

    Contract (called by user reports and by screening):

    - `target_type` is one of "note", "comment", "user", "product", "campaign"; `target_id`
      its primary key. Idempotent per target: while a case of the target is open or
      claimed, every call joins it (concurrent calls too: a unique `open_key` decides).
    - `source`: "report" for a user's report (then `reporter` and `report_reason` count it
      in `report_count` / `report_reasons`), anything else ("screening", "rules",
      "classifier", "llm", "hash") marks the case screened.
    - `reasons`: a list of dicts `{"code": str, "severity": "low"|"medium"|"high"|"critical",
      "source": str, "spans": [[start, end], ...], "text": str?, "score": float?,
      "rule_id": int?}`; `spans` are [start, end) character offsets into `item_text()` of
      the item (a note's title + "\n" + body, a comment's body, a profile's name + "\n" +
      bio, a product's title + "\n" + description), highlighted on the moderator's item
      page. They are appended (duplicates of the same code, source and spans are skipped).
    - `markets`: ISO country codes the reasons apply in (merged with the item's home
      market); `language`: ISO 639-1 of the text (defaults to the item's detected language).
    - `hold=True`: the item is hidden (moderation_state "held") from everyone but its author
      until a moderator decides; False leaves it visible while it waits.

    Returns the case; flushes, never commits; writes an audit line when a case is created.
    Raises ValueError for an unknown target type or a reason without a code.
    """
    if target_type not in CASE_TARGETS:
        raise ValueError(f"unknown moderation target {target_type}")
    target = load_target(target_type, target_id)
    cleaned = _clean_reasons(reasons, source)
    case = active_case(target_type, target_id)
    created = False
    if case is None:
        case = ModerationCase(target_type=target_type, target_id=target_id,
                              open_key=f"{target_type}:{target_id}", owner_id=target.owner_id,
                              markets=market_key(target.markets), language=target.language,
                              reasons=[], report_reasons={}, report_count=0, severity=0)
        try:
            with db.session.begin_nested():
                db.session.add(case)
            created = True
        except IntegrityError:  # another request opened it first: join theirs
            case = active_case(target_type, target_id)
            if case is None:
                raise
    merged = list(case.reasons or [])
    seen = {(r.get("code"), r.get("source"), str(r.get("spans"))) for r in merged}
    for reason in cleaned:
        key = (reason["code"], reason["source"], str(reason["spans"]))
        if key not in seen:
            merged.append(reason)
            seen.add(key)
    case.reasons = merged
    if merged and case.reason_code is None:
        case.reason_code = merged[0]["code"]
    case.severity = max([case.severity or 0, *(severity_rank(r.get("severity"))
                                              for r in merged)])
    if markets:
        case.markets = market_key([*market_list(case.markets), *markets])
    if language and not case.language:
        case.language = language
    if source == "report":
        case.reported = True
        if report_reason:
            counts = dict(case.report_reasons or {})
            counts[report_reason] = counts.get(report_reason, 0) + 1
            case.report_reasons = counts
            if case.reason_code is None:
                case.reason_code = report_reason
        db.session.flush()
        db.session.execute(update(ModerationCase).where(ModerationCase.id == case.id)
                           .values(report_count=ModerationCase.report_count + 1),
                           execution_options={"synchronize_session": False})
        db.session.expire(case, ["report_count"])
    else:
        case.screened = True
    if hold and not case.held:
        case.held = True
        row = target.row
        if row is not None and getattr(row, "moderation_state", None) in ("visible", "pending"):
            set_content_state(target, "held", case.reason_code)
    db.session.flush()
    if created:
        record_audit(reporter if source == "report" else None, "case_opened",
                     target_type=target_type, target_id=target_id, case_id=case.id,
                     details={"source": source, "hold": hold,
                              "reasons": [r["code"] for r in cleaned]})
    return case
