"""Automated screening of notes, comments, listings and profiles.

(Ad creatives are checked against the ad rules by app.services.moderation.ad_review, with
the matcher directly.)

A job (`qiao.screen_content`, queued after the commit of every create and edit) calls
`screen_content`. It runs every check on the content as stored now:

- the rules of "ALL" and of every market (app.services.moderation.rules), on the
  normalised text (and, for listings, the HS code);
- the configured classifiers (app.providers.moderation): abusive language, nudity in each
  image, an optional policy model;
- the removed-image blocklist (perceptual hashes).

Each market's policy turns what the checks found into publish / hold / block for that
market; the item's outcome is the strictest. A check that fails or times out never lets
the item through: the market's `unavailable` outcome (hold, at least) applies and the
audit log records the failure. The screening row keeps the rule-set versions used, every
check's score and reasons, and the matches with offsets into the screened text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Comment, Note, Product, User, utcnow
from app.models.moderation_rules import ModerationScreening
from app.providers.media import media_storage
from app.providers.moderation import CheckResult, ScreeningUnavailable, moderation_providers
from app.services.errors import ValidationFailed
from app.services.moderation.audit_hook import (
    CASE_TARGET_OF,
    audit_screening_failure,
    hold_for_review,
)
from app.services.moderation.cases import item_text, open_case
from app.services.moderation.image_hashes import (
    find_removed_image,
    has_detail,
    image_phash,
    working_image,
)
from app.services.moderation.policy import market_policy, policy_markets, strictest
from app.services.moderation.rules import ALL_MARKETS, current_matcher
from app.services.social import sync_content_notices

log = logging.getLogger(__name__)
MAX_IMAGES = 9
# A screening job normally runs within seconds; an item pending longer lost its job.
STALE_PENDING_AFTER = timedelta(minutes=10)
# What screening screens; each row waits as "pending" until its screening has run.
PENDING_MODELS = {"note": Note, "comment": Comment, "product": Product, "profile": User}


@dataclass
class ScreenedContent:
    """What screening looks at, whatever the kind of content."""

    target_type: str
    target_id: int
    text: str
    author: User | None
    language: str | None = None
    image_keys: list[str] = field(default_factory=list)
    hs_code: str | None = None


def _rendition(keys: dict[str, str]) -> str | None:
    for name in ("display", "large", "medium", "256"):
        if name in keys:
            return keys[name]
    return next(iter(keys.values()), None)


def load_content(target_type: str, target_id: int) -> ScreenedContent | None:
    """The text, images and author of an item, or None when it no longer exists."""
    if target_type == "note":
        note = db.session.get(Note, target_id)
        if note is None:
            return None
        keys = [k for k in (_rendition(i.keys) for i in note.images) if k]
        text = f"{note.title}\n{note.body}"
        link = note.coauthorship
        if link is not None and (link.title or link.body):
            # A co-author's part is published with the note; it comes after the author's
            # text so the queue's highlight offsets into title and body still hold.
            text += f"\n{link.title}\n{link.body}"
        return ScreenedContent(target_type, target_id, text, note.author, note.language, keys)
    if target_type == "comment":
        comment = db.session.get(Comment, target_id)
        return None if comment is None else ScreenedContent(
            "comment", target_id, comment.body, comment.author, comment.language)
    if target_type == "product":
        product = db.session.get(Product, target_id)
        if product is None:
            return None
        # The queue highlights offsets into item_text (title + "\n" + description): keep it
        # first, then the translated fields.
        extra = [product.title_en, product.title_zh, product.description_en,
                 product.description_zh]
        text = "\n".join([item_text("product", product), *(p for p in extra if p)])
        keys = [k for k in (_rendition(i.keys) for i in product.images) if k]
        return ScreenedContent("product", target_id, text, None, None, keys, product.hs_code)
    if target_type == "profile":
        user = db.session.get(User, target_id)
        if user is None:
            return None
        return ScreenedContent("profile", target_id, f"{user.display_name}\n{user.bio}", user,
                               None, [user.avatar_path] if user.avatar_path else [])
    raise ValidationFailed(f"Cannot screen {target_type!r}.", code="validation_failed",
                           fields={"target_type": [f"One of {', '.join(PENDING_MODELS)}."]})


def _check_record(result: CheckResult | None, *, check: str, error: str | None = None,
                  **extra) -> dict:
    if result is None:
        return {"check": check, "score": None, "reasons": ["screening_unavailable"],
                "error": error, **extra}
    return {"check": result.check, "score": round(result.score, 4),
            "reasons": list(result.reasons), "error": None, **result.details, **extra}


def screen_content(target_type: str, target_id: int, *,
                   markets: Sequence[str] | None = None) -> ModerationScreening | None:
    """Screen one item now and record the result; hold it for review unless it may publish."""
    content = load_content(target_type, target_id)
    if content is None:
        return None
    return screen_loaded(content, markets=markets)


def screen_loaded(content: ScreenedContent, *, markets: Sequence[str] | None = None
                  ) -> ModerationScreening:
    """Run every check on already-loaded content (see the module docstring)."""
    config = current_app.config
    matcher, versions = current_matcher(markets)
    screened_markets = sorted({m.upper() for m in markets} if markets is not None else
                              (set(policy_markets()) | set(versions)) - {ALL_MARKETS})
    policies = {market: market_policy(market) for market in screened_markets}
    outcomes: dict[str, list[str]] = {market: [] for market in screened_markets}
    reasons: dict[str, list[str]] = {market: [] for market in screened_markets}
    checks: list[dict] = []
    failures: list[str] = []

    def apply(market_scope: Iterable[str], outcome_of, reason_codes: Iterable[str]) -> None:
        codes = list(reason_codes)
        for market in market_scope:
            outcome = outcome_of(policies[market])
            outcomes[market].append(outcome)
            if outcome != "publish":
                reasons[market].extend(codes)

    # Rules. A pattern that ran out of time leaves the text not fully screened: hold it.
    timed_out: list[int] = []
    matches = matcher.match(content.text, target_type=content.target_type,
                            hs_code=content.hs_code, timed_out=timed_out)
    for match in matches:
        scope = screened_markets if match.market == ALL_MARKETS else \
            [m for m in screened_markets if m == match.market]
        apply(scope, lambda p, s=match.severity: p.severity_outcome(s), [match.reason_code])
    rules_error = f"patterns of rules {timed_out} ran out of time" if timed_out else None
    if rules_error:
        failures.append(f"rules: {rules_error}")
        apply(screened_markets, lambda p: strictest([p.unavailable, "hold"]),
              ["screening_unavailable"])
    checks.append({"check": "rules", "score": 1.0 if matches else 0.0,
                   "reasons": sorted({m.reason_code for m in matches}), "error": rules_error,
                   "versions": versions, "timed_out": timed_out})

    providers = moderation_providers()

    def run(check: str, call, scope_reason: Iterable[str] = ()) -> CheckResult | None:
        try:
            result = call()
        except ScreeningUnavailable as exc:
            log.warning("screening check %s failed for %s %s: %s", check,
                        content.target_type, content.target_id, exc)
            failures.append(f"{check}: {exc}")
            checks.append(_check_record(None, check=check, error=str(exc)))
            apply(screened_markets, lambda p: strictest([p.unavailable, "hold"]),
                  ["screening_unavailable"])
            return None
        checks.append(_check_record(result, check=check))
        apply(screened_markets, lambda p: p.score_outcome(result.check, result.score),
              result.reasons or scope_reason)
        return result

    if providers.text is not None and content.text.strip():
        run("text_classifier", lambda: providers.text.classify(content.text),
            ["offensive"])
    if providers.policy is not None and content.text.strip():
        run("policy_model", lambda: providers.policy.classify(content.text, content.language),
            ["policy_model"])

    max_distance = int(config.get("MODERATION_PHASH_MAX_DISTANCE", 10))
    for key in content.image_keys[:MAX_IMAGES]:
        try:
            image = working_image(media_storage().read(key))
        except (OSError, ValueError) as exc:
            failures.append(f"image {key}: {exc}")
            checks.append(_check_record(None, check="image", error=str(exc), image=key))
            apply(screened_markets, lambda p: strictest([p.unavailable, "hold"]),
                  ["screening_unavailable"])
            continue
        phash = image_phash(image) if has_detail(image) else None
        hit = find_removed_image(phash, max_distance) if phash else None
        checks.append({"check": "image_hash", "score": 1.0 if hit else 0.0, "image": key,
                       "phash": phash, "reasons": ["known_removed_image"] if hit else [],
                       "distance": hit.distance if hit else None, "error": None})
        if hit:
            apply(screened_markets, lambda p: p.known_removed_image, ["known_removed_image"])
        if providers.image is not None:
            run("image_classifier", lambda image=image: providers.image.classify(image),
                ["nudity"])

    market_outcomes = {market: strictest(found) for market, found in outcomes.items()}
    outcome = strictest(market_outcomes.values())
    ordered: list[str] = []
    for market in screened_markets:
        for code in reasons[market]:
            if code not in ordered:
                ordered.append(code)
    screening = ModerationScreening(
        target_type=content.target_type, target_id=content.target_id,
        market_outcomes=market_outcomes, rule_versions=versions, outcome=outcome,
        checks=checks, matches=[m.as_dict() for m in matches], reason_codes=ordered,
        text=content.text)
    db.session.add(screening)
    db.session.flush()
    if failures:
        audit_screening_failure(content.target_type, content.target_id, screening.id, failures)
    if outcome != "publish":
        hold_for_review(content.target_type, content.target_id, screening, content.author)
    else:
        _release_pending(content)
    return screening


def _release_pending(content: ScreenedContent) -> None:
    """An item that waited for this screening (see screen_after_commit) may now be seen."""
    model = PENDING_MODELS.get(content.target_type)
    row = db.session.get(model, content.target_id) if model else None
    if row is not None and row.moderation_state == "pending":
        row.moderation_state = "visible"
        if isinstance(row, (Note, Comment)):
            sync_content_notices(row)  # the mentions it held back until now


def hold_unscreened(target_type: str, target_id: int, error: str) -> None:
    """Screening itself broke: hold the item for a moderator rather than leave it unscreened."""
    if load_content(target_type, target_id) is None:
        return
    audit_screening_failure(target_type, target_id, None, [error])
    open_case(CASE_TARGET_OF[target_type], target_id, source="screening",
              reasons=[{"code": "screening_unavailable", "severity": "medium", "spans": []}],
              hold=True)


def stale_pending_items(*, now: datetime | None = None, limit: int = 500
                        ) -> list[tuple[str, int]]:
    """Items still "pending" well after their last change: their screening job was lost (a
    broker restarted, a worker died), so the periodic sweep screens them again.
    """
    cutoff = (now or utcnow()) - STALE_PENDING_AFTER
    found: list[tuple[str, int]] = []
    for target_type, model in PENDING_MODELS.items():
        found += [(target_type, item_id) for item_id in db.session.scalars(
            select(model.id).where(model.moderation_state == "pending",
                                   model.updated_at < cutoff).order_by(model.id).limit(limit))]
    return found


def latest_screening(target_type: str, target_id: int) -> ModerationScreening | None:
    """The most recent screening of an item."""
    return db.session.scalar(
        select(ModerationScreening)
        .where(ModerationScreening.target_type == target_type,
               ModerationScreening.target_id == target_id)
        .order_by(ModerationScreening.id.desc()).limit(1))
