"""The review queue: a moderator's scope, listing with filters, claiming and releasing.

A moderator sees only cases in their markets and languages (PlatformRole.markets /
.languages; empty = all). A case with no known market or language is everyone's.
The listing costs the same number of queries whatever the queue's size: one count, one
page of cases (with claimers eager-loaded), one query per kind of item on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    AuditLogEntry,
    Campaign,
    Comment,
    ModerationCase,
    Note,
    Product,
    User,
    utcnow,
)
from app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.services.moderation.audit import record_audit
from app.services.permissions import require_platform_role

# "pending" = everything that needs a person: open, claimed and appealed cases.
QUEUE_STATUSES = ("pending", "open", "claimed", "appealed", "decided", "closed", "all")
PENDING = ("open", "claimed", "appealed")
KINDS = ("reported", "screened")


@dataclass(frozen=True)
class Scope:
    """The markets and languages a moderator covers (empty: all)."""

    markets: tuple[str, ...]
    languages: tuple[str, ...]

    def covers(self, case: ModerationCase) -> bool:
        """Whether the case is in this scope."""
        markets_ok = not self.markets or not case.market_codes \
            or bool(set(case.market_codes) & set(self.markets))
        languages_ok = not self.languages or not case.language \
            or case.language in self.languages
        return markets_ok and languages_ok

    def clause(self):
        """The same test as SQL."""
        conditions = []
        if self.markets:
            conditions.append(or_(ModerationCase.markets == "",
                                  *[ModerationCase.markets.contains(f",{m},")
                                    for m in self.markets]))
        if self.languages:
            conditions.append(or_(ModerationCase.language.is_(None),
                                  ModerationCase.language.in_(self.languages)))
        return and_(True, *conditions)


def moderator_scope(moderator: User) -> Scope:
    """The moderator's scope (admins without a moderator row cover everything)."""
    require_platform_role(moderator, "moderator")
    role = next((r for r in moderator.platform_roles if r.role == "moderator"), None)
    if role is None:
        return Scope((), ())
    return Scope(tuple(m.upper() for m in role.markets or []),
                 tuple(role.languages or []))


class OutOfScope(Forbidden):
    """A moderator acted on a case outside their markets or languages."""

    code = "outside_moderator_scope"


def _refusal_audit(exc, actor_id: int, action: str, case: ModerationCase,
                   details: dict[str, Any]):
    """Make the refusal leave an audit line once the failed work is rolled back."""
    case_id, target_type, target_id = case.id, case.target_type, case.target_id

    def keep() -> None:
        db.session.add(AuditLogEntry(actor_id=actor_id, action=action, case_id=case_id,
                                     target_type=target_type, target_id=target_id,
                                     details=details))
        db.session.flush()

    exc.after_rollback = keep
    return exc


def case_in_scope(moderator: User, case_id: int, *, action: str = "view") -> ModerationCase:
    """The case, if it exists and is in the moderator's scope.

    Missing: NotFound. Out of scope: 403 `outside_moderator_scope`, and the refusal is
    written to the audit log (after the failed work is rolled back).
    """
    scope = moderator_scope(moderator)
    case = db.session.get(ModerationCase, case_id)
    if case is None:
        raise NotFound(_("No such moderation item."), code="moderation_item_not_found")
    if not scope.covers(case):
        raise _refusal_audit(
            OutOfScope(_("This item is outside your markets and languages.")),
            moderator.id, "out_of_scope", case,
            {"attempted": action, "case_markets": case.market_codes,
             "case_language": case.language, "scope_markets": list(scope.markets),
             "scope_languages": list(scope.languages)})
    return case


@dataclass
class QueueFilters:
    """What the moderator asked to see."""

    status: str = "pending"
    market: str | None = None
    language: str | None = None
    kind: str | None = None  # reported | screened
    reason: str | None = None
    min_severity: int | None = None
    older_than_hours: int | None = None
    target_type: str | None = None
    mine: bool = False


@dataclass
class QueuePage:
    """One page of the queue, with each case's item (None: gone) for the preview."""

    cases: list[ModerationCase]
    total: int
    page: int
    per_page: int
    items: dict[tuple[str, int], Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, -(-self.total // self.per_page))

    def item(self, case: ModerationCase) -> Any:
        """The note, comment, user or product of a case (None when missing)."""
        return self.items.get((case.target_type, case.target_id))


def _filtered(moderator: User, filters: QueueFilters):
    scope = moderator_scope(moderator)
    if filters.status not in QUEUE_STATUSES:
        raise ValidationFailed(_("Unknown status."), code="invalid_filter",
                               fields={"status": [_("Choose one of: %(v)s.",
                                                    v=", ".join(QUEUE_STATUSES))]})
    conditions = [scope.clause()]
    if filters.status == "pending":
        conditions.append(ModerationCase.status.in_(PENDING))
    elif filters.status != "all":
        conditions.append(ModerationCase.status == filters.status)
    if filters.market:
        conditions.append(ModerationCase.markets.contains(f",{filters.market.upper()},",
                                                          autoescape=True))
    if filters.language:
        conditions.append(ModerationCase.language == filters.language)
    if filters.kind == "reported":
        conditions.append(ModerationCase.reported.is_(True))
    elif filters.kind == "screened":
        conditions.append(ModerationCase.screened.is_(True))
    if filters.reason:
        conditions.append(ModerationCase.reason_code == filters.reason)
    if filters.min_severity:
        conditions.append(ModerationCase.severity >= filters.min_severity)
    if filters.older_than_hours:
        conditions.append(ModerationCase.created_at
                          <= utcnow() - timedelta(hours=filters.older_than_hours))
    if filters.target_type:
        conditions.append(ModerationCase.target_type == filters.target_type)
    if filters.mine:
        conditions.append(ModerationCase.claimed_by_id == moderator.id)
    return conditions


ITEM_MODELS = {"note": Note, "comment": Comment, "user": User, "product": Product,
               "campaign": Campaign}


def load_items(cases: list[ModerationCase]) -> dict[tuple[str, int], Any]:
    """The items of these cases: one query per kind of item present."""
    wanted: dict[str, set[int]] = {}
    for case in cases:
        wanted.setdefault(case.target_type, set()).add(case.target_id)
    found: dict[tuple[str, int], Any] = {}
    for target_type, ids in wanted.items():
        model = ITEM_MODELS.get(target_type)
        if model is None:
            continue
        for row in db.session.scalars(select(model).where(model.id.in_(ids))):
            found[(target_type, row.id)] = row
    return found


def list_queue(moderator: User, filters: QueueFilters, *, page: int = 1,
               per_page: int = 25, after_id: int | None = None) -> QueuePage:
    """A page of the moderator's queue, oldest first (filter by severity to triage).

    `after_id` pages by keyset (the API's cursor) instead of page numbers.
    """
    conditions = _filtered(moderator, filters)
    total = db.session.scalar(select(func.count(ModerationCase.id)).where(*conditions)) or 0
    stmt = (select(ModerationCase)
            .options(selectinload(ModerationCase.claimed_by))
            .where(*conditions).order_by(ModerationCase.id).limit(per_page))
    if after_id is not None:
        stmt = stmt.where(ModerationCase.id > after_id)
    else:
        stmt = stmt.offset((max(page, 1) - 1) * per_page)
    cases = list(db.session.scalars(stmt))
    return QueuePage(cases, total, page, per_page, load_items(cases))


def claim_case(moderator: User, case_id: int) -> ModerationCase:
    """Claim a case so nobody else decides it (claiming one's own claim changes nothing).

    One conditional UPDATE decides between concurrent claimers: the loser gets 409
    `case_claimed_by_other` (logged in the audit log); a decided case 409 `case_already_decided`.
    """
    case = case_in_scope(moderator, case_id, action="claim")
    now = utcnow()
    claimed = db.session.execute(
        update(ModerationCase)
        .where(ModerationCase.id == case.id, ModerationCase.claimed_by_id.is_(None),
               ModerationCase.status.in_(("open", "appealed")))
        .values(status=sql_case((ModerationCase.status == "open", "claimed"),
                                else_=ModerationCase.status),
                claimed_by_id=moderator.id, claimed_at=now),
        execution_options={"synchronize_session": False}).rowcount
    db.session.refresh(case)
    if claimed:
        record_audit(moderator, "claim", target_type=case.target_type,
                     target_id=case.target_id, case_id=case.id)
        return case
    if case.claimed_by_id == moderator.id:
        return case
    if case.claimed_by_id is not None:
        raise _refusal_audit(
            Conflict(_("Another moderator has claimed this item."),
                     code="case_claimed_by_other"),
            moderator.id, "claim_conflict", case,
            {"attempted": "claim", "claimed_by": case.claimed_by_id})
    raise Conflict(_("This item has already been decided."), code="case_already_decided")


def release_case(moderator: User, case_id: int) -> ModerationCase:
    """Give a claimed case back to the queue (only its claimer can)."""
    case = case_in_scope(moderator, case_id, action="release")
    released = db.session.execute(
        update(ModerationCase)
        .where(ModerationCase.id == case.id, ModerationCase.claimed_by_id == moderator.id)
        .values(status=sql_case((ModerationCase.status == "claimed", "open"),
                                else_=ModerationCase.status),
                claimed_by_id=None, claimed_at=None),
        execution_options={"synchronize_session": False}).rowcount
    db.session.refresh(case)
    if not released:
        raise Conflict(_("You have not claimed this item."), code="case_not_claimed")
    record_audit(moderator, "release", target_type=case.target_type,
                 target_id=case.target_id, case_id=case.id)
    return case
