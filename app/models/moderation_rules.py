"""Moderation rules per market, versioned, and what automated screening saw.

A market ("US", "GB", "CN", ... or "ALL" for every market) has one rule set. Every change
to it (a rule added, edited or removed, a CSV imported) makes a new version; rules are
never updated in place: a rule row lives from the version that added it (`added_in`) up to
the version that removed or replaced it (`removed_in`, exclusive), so every old version
can still be read exactly, and a screening records the versions it matched against.
"""

from __future__ import annotations

from datetime import datetime

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import TimestampMixin, UTCDateTime, utcnow
from app.models.user import User

MODERATION_RULE_KINDS = ("keyword", "pattern", "prohibited_good", "ad_rule")
MODERATION_SEVERITIES = ("low", "medium", "high", "critical")
MODERATION_RULE_LANGUAGES = ("en", "zh", "any")
SCREENING_OUTCOMES = ("publish", "hold", "block")
SCREENING_TARGETS = ("note", "comment", "product", "profile", "ad_creative")


class ModerationRuleSet(TimestampMixin, db.Model):
    """The rules of one market; `current_version` is the version screening uses now."""

    __tablename__ = "moderation_rule_sets"
    __table_args__ = (CheckConstraint("current_version >= 0", name="current_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # ISO 3166 alpha-2, or "ALL" for rules that apply in every market.
    market: Mapped[str] = mapped_column(String(3), unique=True, nullable=False)
    current_version: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class ModerationRuleSetVersion(db.Model):
    """One change to a market's rules: who made it, when, and a short summary."""

    __tablename__ = "moderation_rule_set_versions"
    __table_args__ = (UniqueConstraint("rule_set_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_rule_sets.id", ondelete="CASCADE"), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    rule_set: Mapped[ModerationRuleSet] = relationship()
    changed_by: Mapped[User | None] = relationship()


class ModerationRule(db.Model):
    """A keyword, pattern, prohibited good or ad rule, alive in versions [added_in, removed_in)."""

    __tablename__ = "moderation_rules"
    __table_args__ = (
        CheckConstraint("kind IN ('keyword', 'pattern', 'prohibited_good', 'ad_rule')",
                        name="kind"),
        CheckConstraint("severity IN ('low', 'medium', 'high', 'critical')", name="severity"),
        CheckConstraint("language IN ('en', 'zh', 'any')", name="language"),
        CheckConstraint("added_in >= 1", name="added_in"),
        CheckConstraint("removed_in IS NULL OR removed_in > added_in", name="removed_in"),
        Index("ix_moderation_rules_rule_set_id_removed_in", "rule_set_id", "removed_in"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_rule_sets.id", ondelete="CASCADE"), nullable=False)
    added_in: Mapped[int] = mapped_column(Integer, nullable=False)
    removed_in: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The keyword or phrase (keyword, prohibited_good, ad_rule) or regular expression.
    term: Mapped[str] = mapped_column(Text, default="", nullable=False)
    # Prohibited goods: HS code prefixes, digits only, comma separated ("0507,9305").
    hs_prefixes: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    language: Mapped[str] = mapped_column(String(3), default="any", nullable=False)
    severity: Mapped[str] = mapped_column(String(10), nullable=False)
    reason_code: Mapped[str] = mapped_column(String(40), nullable=False)
    match_pinyin: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    match_variants: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    match_leet: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)

    rule_set: Mapped[ModerationRuleSet] = relationship()

    def alive_in(self, version: int) -> bool:
        """Whether this rule belongs to `version` of its rule set."""
        return self.added_in <= version and (self.removed_in is None or version < self.removed_in)

    @property
    def hs_prefix_list(self) -> tuple[str, ...]:
        """The HS prefixes as a tuple of digit strings."""
        return tuple(p for p in self.hs_prefixes.split(",") if p)


class ModerationScreening(db.Model):
    """One automated screening of a piece of content: what each check said, and the outcome."""

    __tablename__ = "moderation_screenings"
    __table_args__ = (
        CheckConstraint("outcome IN ('publish', 'hold', 'block')", name="outcome"),
        CheckConstraint("target_type IN ('note', 'comment', 'product', 'profile', "
                        "'ad_creative')", name="target_type"),
        Index("ix_moderation_screenings_target", "target_type", "target_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20), nullable=False)
    target_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # {"US": "publish", "CN": "hold"}: the outcome in each market screened for.
    market_outcomes: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    # {"ALL": 3, "US": 7}: the rule-set versions matched against.
    rule_versions: Mapped[dict] = mapped_column(JSON, default=dict, nullable=False)
    outcome: Mapped[str] = mapped_column(String(10), nullable=False)
    # [{"check": "rules"|"text_classifier"|..., "score": 0.93, "reasons": [...],
    #   "outcome": "hold", "error": null}]
    checks: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # Rule matches with original offsets, for the queue's highlight.
    matches: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    # The reason codes behind a hold or block, most severe first.
    reason_codes: Mapped[list] = mapped_column(JSON, default=list, nullable=False)
    text: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ModerationImageHash(db.Model):
    """A perceptual hash of an image a moderator removed: it may not be posted again.

    One removed image gives several rows (`variant`): the whole image and a few crops of
    it, so a re-post that was cropped still lands near one of them.
    """

    __tablename__ = "moderation_image_hashes"
    __table_args__ = (UniqueConstraint("image_digest", "variant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # 64-bit pHash as 16 hex digits.
    phash: Mapped[str] = mapped_column(String(16), index=True, nullable=False)
    # SHA-256 of the removed image's bytes: the rows of one image share it.
    image_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    variant: Mapped[str] = mapped_column(String(20), nullable=False)
    reason_code: Mapped[str] = mapped_column(String(40), nullable=False)
    source_type: Mapped[str] = mapped_column(String(20), default="", nullable=False)
    source_id: Mapped[int | None] = mapped_column(Integer)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
