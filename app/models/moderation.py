"""Moderation: one case per reported or screened item, its decisions, appeals, legal
requests and the append-only audit log.

The state a viewer sees lives on the content rows themselves (`moderation_state`,
`hidden_markets` on notes, comments, products; `moderation_state`, `posting_restricted_until`,
`suspended_until` on users), so the social and catalog domains filter on their own columns
and never import moderation. These tables are the moderators' record of why.

`hidden_markets` is a string of ISO country codes between commas (",US,GB,", "" for none),
so "hidden in the viewer's market" is one `NOT LIKE '%,US,%'` on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.user import User

CASE_TARGETS = ("note", "comment", "user", "product", "campaign")
# open: waiting; claimed: a moderator holds it; decided: acted on (appealable);
# appealed: the author appealed, waiting for a second moderator; closed: final.
CASE_STATUSES = ("open", "claimed", "decided", "appealed", "closed")
DECISION_ACTIONS = ("approve", "remove", "restrict", "age_gate", "warn", "suspend")
SEVERITIES = ("low", "medium", "high", "critical")
# What viewers see of an item: visible; pending (new or edited, waiting for its screening
# job: only its author sees it); held for review; removed; shown behind an age gate.
CONTENT_STATES = ("visible", "pending", "held", "removed", "age_gated")
APPEAL_STATUSES = ("open", "upheld", "reinstated")


def market_key(markets: list[str] | tuple[str, ...] | set[str]) -> str:
    """",US,GB," for ["US", "GB"]; "" for none: one LIKE finds a market in it."""
    codes = sorted({m.upper() for m in markets if m})
    return f",{','.join(codes)}," if codes else ""


def market_list(key: str | None) -> list[str]:
    """The codes of a market key (the inverse of market_key)."""
    return [code for code in (key or "").split(",") if code]


class ModerationCase(TimestampMixin, db.Model):
    """Everything known about one item under review: reports, screening reasons, status.

    At most one *open or claimed* case per target: `open_key` ("note:12") is set while the
    case waits and cleared when it is decided, and it is unique (NULLs never collide), so
    concurrent reports of the same note join one case.
    """

    __tablename__ = "moderation_cases"
    __table_args__ = (
        CheckConstraint(f"target_type IN {CASE_TARGETS}", name="target_type"),
        CheckConstraint(f"status IN {CASE_STATUSES}", name="status"),
        CheckConstraint("report_count >= 0", name="report_count"),
        CheckConstraint("severity BETWEEN 0 AND 4", name="severity"),
        # "claimed" always names its moderator; an appeal may be claimed while it waits.
        CheckConstraint("(status <> 'claimed' OR claimed_by_id IS NOT NULL) AND "
                        "(status IN ('claimed', 'appealed') OR claimed_by_id IS NULL)",
                        name="claim"),
        UniqueConstraint("open_key"),
        # The queue: by status, oldest first.
        Index("ix_moderation_cases_status_id", "status", "id"),
        Index("ix_moderation_cases_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    open_key: Mapped[str | None] = mapped_column(String(40))
    # Whose content it is (the note's or comment's author, the user, the store's owner...).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # market_key() of the markets the item is shown in (its author's home, screened markets).
    markets: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    reported: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    screened: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    # [{"code", "severity", "source", "spans": [[start, end], ...], "text"?, "score"?}, ...]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, nullable=False)
    # The first reason's code and the highest severity (0 none .. 4 critical), for filters.
    reason_code: Mapped[str | None] = mapped_column(String(40))
    severity: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # {"spam": 2, "offensive": 1}: user reports grouped by reason.
    report_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, nullable=False)
    report_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    held: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="open", nullable=False)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    decisions: Mapped[list[ModerationDecision]] = relationship(
        back_populates="case", order_by="ModerationDecision.id")
    appeal: Mapped[ModerationAppeal | None] = relationship(back_populates="case")

    @property
    def market_codes(self) -> list[str]:
        """The case's markets as a list."""
        return market_list(self.markets)

    @property
    def target_key(self) -> str:
        """"note:12"."""
        return f"{self.target_type}:{self.target_id}"


class ModerationDecision(db.Model):
    """A moderator's decision on a case (or, with `on_appeal`, on its appeal)."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (
        CheckConstraint(f"action IN {DECISION_ACTIONS}", name="action"),
        Index("ix_moderation_decisions_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="CASCADE"), index=True, nullable=False)
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Whose content was decided on (copied from the case): repeated removals escalate.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    reason_code: Mapped[str] = mapped_column(String(40), nullable=False)
    # market_key() of the markets a "restrict" hides the item in.
    markets: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    note: Mapped[str] = mapped_column(Text, default="", nullable=False)
    on_appeal: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    case: Mapped[ModerationCase] = relationship(back_populates="decisions")
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])


class ModerationAppeal(TimestampMixin, db.Model):
    """The author's one appeal of a decision; another moderator decides it, finally."""

    __tablename__ = "moderation_appeals"
    __table_args__ = (
        CheckConstraint(f"status IN {APPEAL_STATUSES}", name="status"),
        UniqueConstraint("case_id"),  # one appeal per case
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="CASCADE"), nullable=False)
    appellant_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # The decision appealed against; its moderator may not decide the appeal.
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_decisions.id", ondelete="CASCADE"), nullable=False)
    statement: Mapped[str] = mapped_column(Text, default="", nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="open", nullable=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[ModerationCase] = relationship(back_populates="appeal")
    decision: Mapped[ModerationDecision] = relationship(foreign_keys=[decision_id])


class LegalRequest(db.Model):
    """A takedown order from a jurisdiction: the item is hidden in that country only."""

    __tablename__ = "legal_requests"
    __table_args__ = (
        CheckConstraint(f"target_type IN {CASE_TARGETS}", name="target_type"),
        CheckConstraint("length(country) = 2", name="country"),
        Index("ix_legal_requests_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    legal_basis: Mapped[str] = mapped_column(String(300), nullable=False)
    authority: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    reference: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # The (closed) case that records the takedown as a decision, for the log and the report.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_cases.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class AuditLogEntry(db.Model):
    """One line of the append-only audit log: decisions, claims, conflicts, rules, legal.

    The ORM refuses to update or delete a row (see the listeners below), and no service
    offers a way to: the log only grows.
    """

    __tablename__ = "audit_log_entries"
    __table_args__ = (
        Index("ix_audit_log_entries_created_at", "created_at"),
        Index("ix_audit_log_entries_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # "decision", "claim", "claim_conflict", "out_of_scope", "appeal", "legal_request",
    # "rule_change", "case_opened", "escalation", ...
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    market: Mapped[str | None] = mapped_column(String(2))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    actor: Mapped[User | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit log row."""


@event.listens_for(AuditLogEntry, "before_update")
@event.listens_for(AuditLogEntry, "before_delete")
def _refuse_audit_changes(_mapper, _connection, entry: AuditLogEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit log entry {entry.id} cannot be changed")
