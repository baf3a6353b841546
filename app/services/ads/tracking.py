"""Counting impressions and clicks, and charging campaigns for the billable ones.

Every report is stored, valid or not, so invalid traffic is visible in the buckets:
`forged` (bad signature, or a token presented by another viewer than it was served to),
`expired` (older than ADS_TOKEN_TTL_SECONDS), `replay` (the token was used before),
`duplicate` (the same viewer counted for the campaign moments ago with another token),
`bot` (a crawler's user agent, or a click whose card was never reported as seen: no
JavaScript ran), `over_budget` (the campaign's budget or today's cap was used up).
Nothing invalid is billed, and nothing here raises for bad tokens: the edges answer 204
or redirect whatever happened.

Spend (`charge`): ONE conditional UPDATE per limit, so concurrent traffic overshoots a
budget by at most one maximum price:

1. `campaign_days`: `spend_micros += price WHERE spend_minor < daily cap` (the day's cap);
2. `campaigns`: `spent_minor += whole minor units WHERE spent_minor < budget_minor AND
   status = 'active'`; if it fails, step 1 is undone (same transaction) and the event is
   `over_budget` (a paused or completed campaign is charged nothing more, so the unspent
   budget released when it completes is exact);
3. `campaign_days.spend_minor += the same units`. Prices are micros of a minor unit (CPM
   impressions cost fractions of a cent); the whole units billed are the floor of the
   day's accumulated micros, so fractions carry over exactly.

A campaign whose budget is used up moves to `completed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.core.transaction import after_commit
from app.extensions import db
from app.models import HIDE_REASONS, AdClick, AdHide, AdImpression, Campaign, CampaignDay
from app.services.ads.auction import MICROS
from app.services.ads.counters import counter_store
from app.services.ads.snapshot import invalidate_snapshot
from app.services.ads.tokens import AdToken, TokenKind, read_token
from app.services.errors import ValidationFailed

DEFAULT_BOT_PATTERN = (r"bot\b|bot/|crawl|spider|slurp|facebookexternalhit|headless|"
                       r"python-requests|python-urllib|curl/|wget/|httpclient|scrapy|"
                       r"phantomjs|go-http-client|java/|okhttp/|libwww|preview")


@dataclass(frozen=True)
class Requester:
    """Who reported the event: their identity as this request shows it, and their browser."""

    user_id: int | None
    anon_id: str | None
    user_agent: str
    country: str | None = None
    language: str | None = None

    @property
    def key(self) -> str:
        """The same key serving used (`u:<id>` or `a:<cookie id>`)."""
        return f"u:{self.user_id}" if self.user_id is not None else f"a:{self.anon_id or '-'}"


@dataclass(frozen=True)
class Outcome:
    """What was recorded: billable or the invalid bucket, the charge, the note to open."""

    is_billable: bool
    invalid_reason: str | None
    charged_minor: int
    note_id: int | None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _dialect():
    return postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite


def is_bot(user_agent: str) -> bool:
    """A crawler, script or headless browser by its user agent (or none at all)."""
    if not user_agent.strip():
        return True
    pattern = current_app.config.get("ADS_BOT_USER_AGENTS") or DEFAULT_BOT_PATTERN
    return re.search(pattern, user_agent, re.IGNORECASE) is not None


def ensure_day(campaign_id: int, day: date) -> None:
    """Create the campaign's statistics row for `day` unless it exists (race-safe)."""
    table = CampaignDay.__table__
    db.session.execute(_dialect().insert(table)
                       .values(campaign_id=campaign_id, day=day)
                       .on_conflict_do_nothing(index_elements=["campaign_id", "day"]))


def charge(campaign_id: int, price_micros: int, day: date, now: datetime) -> int | None:
    """Charge one billable event; the whole minor units billed, or None when the budget or
    today's cap is used up (nothing charged then).
    """
    ensure_day(campaign_id, day)
    cap = select(func.coalesce(Campaign.daily_cap_minor, 2**31 - 1)) \
        .where(Campaign.id == campaign_id).scalar_subquery()
    accumulated = db.session.execute(
        update(CampaignDay)
        .where(CampaignDay.campaign_id == campaign_id, CampaignDay.day == day,
               CampaignDay.spend_minor < cap)
        .values(spend_micros=CampaignDay.spend_micros + price_micros)
        .returning(CampaignDay.spend_micros)).scalar()
    if accumulated is None:
        return None
    units = accumulated // MICROS - (accumulated - price_micros) // MICROS
    charged = db.session.execute(
        update(Campaign)
        .where(Campaign.id == campaign_id, Campaign.spent_minor < Campaign.budget_minor,
               Campaign.status == "active")
        .values(spent_minor=Campaign.spent_minor + units)
        .returning(Campaign.spent_minor, Campaign.budget_minor)).first()
    if charged is None:
        db.session.execute(update(CampaignDay)
                           .where(CampaignDay.campaign_id == campaign_id,
                                  CampaignDay.day == day)
                           .values(spend_micros=CampaignDay.spend_micros - price_micros))
        return None
    if units:
        db.session.execute(update(CampaignDay)
                           .where(CampaignDay.campaign_id == campaign_id,
                                  CampaignDay.day == day)
                           .values(spend_minor=CampaignDay.spend_minor + units))
    counter_store().add_delivery(campaign_id, day, price_micros)
    spent, budget = charged
    if spent >= budget:
        db.session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == "active")
            .values(status="completed", completed_at=now))
        invalidate_snapshot()
    return units


def _count(campaign_id: int, day: date, kind: TokenKind, valid: bool) -> None:
    ensure_day(campaign_id, day)
    column = {("impression", True): "impressions", ("impression", False): "invalid_impressions",
              ("click", True): "clicks", ("click", False): "invalid_clicks"}[(kind, valid)]
    db.session.execute(update(CampaignDay)
                       .where(CampaignDay.campaign_id == campaign_id, CampaignDay.day == day)
                       .values({column: getattr(CampaignDay, column) + 1}))


def _claim(model, token: AdToken, requester: Requester, now: datetime, **extra) -> int | None:
    """Insert the event under the token's id; None when the id was used before (replay)."""
    table = model.__table__
    return db.session.execute(
        _dialect().insert(table)
        .values(token_id=token.token_id, campaign_id=token.campaign_id,
                note_id=token.note_id, viewer_user_id=requester.user_id,
                viewer_anon_id=requester.anon_id, country=requester.country,
                language=requester.language, surface=token.surface[:10],
                position=token.position, price_micros=token.price_micros, charged_minor=0,
                is_billable=True, invalid_reason=None, created_at=now, **extra)
        .on_conflict_do_nothing(index_elements=["token_id"])
        .returning(table.c.id)).scalar()


def _store_invalid(model, token: AdToken | None, requester: Requester, reason: str,
                   now: datetime, **extra) -> None:
    db.session.add(model(
        token_id=None, campaign_id=token.campaign_id if token else None,
        note_id=token.note_id if token else None, viewer_user_id=requester.user_id,
        viewer_anon_id=requester.anon_id, country=requester.country,
        language=requester.language, surface=token.surface[:10] if token else None,
        position=token.position if token else None,
        price_micros=token.price_micros if token else 0, charged_minor=0,
        is_billable=False, invalid_reason=reason, created_at=now, **extra))
    db.session.flush()


def _mark_invalid(model, event_id: int, reason: str) -> None:
    db.session.execute(update(model).where(model.id == event_id)
                       .values(is_billable=False, invalid_reason=reason))


def _precheck(kind: TokenKind, raw: str, requester: Requester, note_id: int | None
              ) -> tuple[AdToken | None, str | None]:
    config = current_app.config
    check = read_token(config["SECRET_KEY"], kind, raw or "",
                       int(config.get("ADS_TOKEN_TTL_SECONDS", 3600)))
    token, reason = check.token, check.invalid_reason
    if token is not None and reason is None:
        if is_bot(requester.user_agent):
            reason = "bot"
        elif token.viewer.startswith("u:") and requester.user_id is not None \
                and token.viewer != requester.key:
            # A signed-in viewer's token presented by another signed-in user: shared or
            # scraped. (Presented signed out it is the same person's app opening the click
            # URL in a browser: the event is the token's viewer's, see _as_viewer.)
            reason = "forged"
        elif note_id is not None and token.note_id != note_id:
            # Not reachable through a served card (its URL and token are made together).
            reason = "forged"
    return token, reason


def _is_duplicate(model, token: AdToken, requester: Requester, now: datetime,
                  exclude_id: int) -> bool:
    window = int(current_app.config.get(
        "ADS_CLICK_DEDUP_SECONDS" if model is AdClick else "ADS_IMPRESSION_DEDUP_SECONDS",
        600 if model is AdClick else 5))
    viewer = (model.viewer_user_id == requester.user_id) if requester.user_id is not None \
        else (model.viewer_anon_id == requester.anon_id)
    if window <= 0 or (requester.user_id is None and not requester.anon_id):
        return False
    return db.session.scalar(
        select(model.id).where(model.campaign_id == token.campaign_id, viewer,
                               model.is_billable.is_(True), model.id != exclude_id,
                               model.created_at >= now - timedelta(seconds=window))
        .limit(1)) is not None


def _as_viewer(token: AdToken | None, requester: Requester) -> Requester:
    """The requester, or the token's signed-in viewer when it came signed out."""
    if token is None or requester.user_id is not None or not token.viewer.startswith("u:"):
        return requester
    try:
        user_id = int(token.viewer[2:])
    except ValueError:
        return requester
    return replace(requester, user_id=user_id, anon_id=None)


def _record(model, kind: TokenKind, raw: str, requester: Requester, now: datetime,
            billed_model: str, extra_of, note_id: int | None = None) -> Outcome:
    token, reason = _precheck(kind, raw, requester, note_id)
    requester = _as_viewer(token, requester) if reason is None else requester
    day = now.date()
    extra = extra_of(token) if token else {}
    if reason is not None:
        _store_invalid(model, token, requester, reason, now, **extra)
        if token is not None:
            _count(token.campaign_id, day, kind, valid=False)
        return Outcome(False, reason, 0, token.note_id if token else None)
    event_id = _claim(model, token, requester, now, **extra)
    if event_id is None:
        _store_invalid(model, token, requester, "replay", now, **extra)
        _count(token.campaign_id, day, kind, valid=False)
        return Outcome(False, "replay", 0, token.note_id)
    reason = None
    if kind == "click" and current_app.config.get("ADS_REQUIRE_VIEW_FOR_CLICK", True) \
            and db.session.scalar(select(AdImpression.id).where(
                AdImpression.token_id == token.impression_id)) is None:
        reason = "bot"  # the card's view was never reported: no JavaScript ran
    elif _is_duplicate(model, token, requester, now, event_id):
        reason = "duplicate"
    charged = 0
    if reason is None:
        model_of_campaign = db.session.scalar(select(Campaign.pricing)
                                              .where(Campaign.id == token.campaign_id))
        if model_of_campaign == billed_model:
            units = charge(token.campaign_id, token.price_micros, day, now)
            if units is None:
                reason = "over_budget"
            else:
                charged = units
        else:
            db.session.execute(update(model).where(model.id == event_id)
                               .values(price_micros=0))
    if reason is not None:
        _mark_invalid(model, event_id, reason)
        _count(token.campaign_id, day, kind, valid=False)
        return Outcome(False, reason, 0, token.note_id)
    if charged:
        db.session.execute(update(model).where(model.id == event_id)
                           .values(charged_minor=charged))
    _count(token.campaign_id, day, kind, valid=True)
    if kind == "impression":
        counter_store().count_impression(requester.key, token.campaign_id, day)
    return Outcome(True, None, charged, token.note_id)


def record_impression(raw_token: str, requester: Requester, now: datetime | None = None
                      ) -> Outcome:
    """Count a sponsored card seen; CPM campaigns are charged for it."""
    return _record(AdImpression, "impression", raw_token, requester, _now(now), "cpm",
                   lambda token: {})


def record_click(raw_token: str, requester: Requester, note_id: int | None = None,
                 now: datetime | None = None) -> Outcome:
    """Count a tap on a sponsored card; CPC campaigns are charged for it.

    `note_id` is the note the click URL opens; a token for another note is forged.
    """
    outcome = _record(AdClick, "click", raw_token, requester, _now(now), "cpc",
                      lambda token: {"impression_token_id": token.impression_id or None},
                      note_id)
    return outcome if outcome.note_id is not None else Outcome(
        outcome.is_billable, outcome.invalid_reason, 0, note_id)


class InvalidAdHide(ValidationFailed):
    """The hide form was not about a sponsored note served to this viewer."""

    code = "invalid_ad_hide"


def hide_sponsored(requester: Requester, raw_token: str, reason: str) -> AdHide | None:
    """The viewer hides a sponsored note's campaign, saying why (once; later hides keep the
    first reason). The impression token names the campaign; it may have expired.
    """
    if reason not in HIDE_REASONS:
        raise InvalidAdHide(_("Choose why you hide this ad."),
                            fields={"reason": [_("Choose one of the reasons.")]})
    check = read_token(current_app.config["SECRET_KEY"], "impression", raw_token or "",
                       10 * 365 * 86_400)
    token = check.token
    if token is None or check.invalid_reason is not None or token.viewer != requester.key:
        raise InvalidAdHide(_("This ad can no longer be hidden; reload the page."),
                            fields={"token": [_("Reload the page and try again.")]})
    table = AdHide.__table__
    db.session.execute(_dialect().insert(table)
                       .values(viewer_key=requester.key, user_id=requester.user_id,
                               campaign_id=token.campaign_id, note_id=token.note_id,
                               reason=reason, created_at=_now(None))
                       .on_conflict_do_nothing(index_elements=["viewer_key", "campaign_id"]))
    return db.session.scalar(select(AdHide).where(AdHide.viewer_key == requester.key,
                                                  AdHide.campaign_id == token.campaign_id))


def queue_click(raw_token: str, requester: Requester, note_id: int) -> None:
    """Record a click after the request commits (the click URL is a GET that must not
    write or wait on the campaign's row lock: the job does both).
    """
    after_commit("qiao.record_ad_click", raw_token, requester.user_id, requester.anon_id,
                 requester.user_agent, requester.country, requester.language, note_id,
                 _now(None).isoformat())
