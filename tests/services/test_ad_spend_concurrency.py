"""Spend under real concurrency: 100 clickers, 50 clicks of budget left, on PostgreSQL.

Each thread clicks its own (valid, seen) card through a connection pool of 32 (the server
is shared, so 100 connections at once are not available; the pool is how an app server
meets it too); the conditional
UPDATEs must bill at most one click past the budget (or the daily cap), bucket the rest as
`over_budget`, and keep the campaign, its day and its events in agreement.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdAccount,
    AdClick,
    Campaign,
    CampaignDay,
    CampaignNote,
    Note,
    Organization,
    User,
    utcnow,
)
from app.services import ads
from tests.ad_delivery_factories import BROWSER, tokens_for
from tests.concurrency import POSTGRES_ONLY, race, race_application

pytestmark = POSTGRES_ONLY
CLICKERS = 100
BID = 100


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    with race_application("adspend", tmp_path_factory.mktemp("adspend"),
                          SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 32, "max_overflow": 0,
                                                     "pool_timeout": 120}) as application:
        yield application


def seed(app: Flask, name: str, **campaign_fields) -> tuple[int, list[tuple[int, str]]]:
    """A live CPC campaign and CLICKERS shoppers who each saw its card: (id, [(user, click)])."""
    with app.app_context():
        org = Organization(kind="brand", name=name, slug=name.lower())
        author = User(email=f"{name}-author@example.test", password_hash="x",
                      display_name="Author")
        db.session.add_all([org, author])
        db.session.flush()
        account = AdAccount(organization_id=org.id, currency="USD", balance_minor=0)
        note = Note(author_id=author.id, title="Serum", body="", status="published",
                    published_at=utcnow(), hot_score=0.0)
        db.session.add_all([account, note])
        db.session.flush()
        campaign = Campaign(organization_id=org.id, account_id=account.id, name=name,
                            objective="traffic", pricing="cpc", bid_minor=BID,
                            currency="USD", starts_at=utcnow() - timedelta(days=1),
                            ends_at=utcnow() + timedelta(days=5), status="active",
                            countries=[], languages=[], topics=[], **campaign_fields)
        campaign.campaign_notes = [CampaignNote(note_id=note.id)]
        db.session.add(campaign)
        clickers = [User(email=f"{name}-{i}@example.test", password_hash="x",
                         display_name=f"Clicker {i}") for i in range(CLICKERS)]
        db.session.add_all(clickers)
        commit()
        cards = []
        for user in clickers:
            viewer = ads.AdViewer(user.id, None, "JP", "ja")
            impression, click = tokens_for(campaign, viewer, price_micros=BID * 10**6)
            assert ads.record_impression(impression, requester(user.id)).is_billable
            cards.append((user.id, click))
        commit()
        return campaign.id, cards


def requester(user_id: int) -> ads.Requester:
    return ads.Requester(user_id=user_id, anon_id=None, user_agent=BROWSER)


def click_race(app: Flask, cards: list[tuple[int, str]]):
    def work(index: int) -> str:
        user_id, click = cards[index]
        outcome = ads.record_click(click, requester(user_id))
        return "billed" if outcome.is_billable else outcome.invalid_reason

    return race(app, work, CLICKERS)


def totals(app: Flask, campaign_id: int) -> tuple[Campaign, CampaignDay, int]:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        day = db.session.scalars(select(CampaignDay)
                                 .where(CampaignDay.campaign_id == campaign_id)).one()
        charged = db.session.scalar(select(func.coalesce(func.sum(AdClick.charged_minor), 0))
                                    .where(AdClick.campaign_id == campaign_id))
        db.session.expunge_all()
        return campaign, day, charged


def test_hundred_clickers_fifty_clicks_of_budget_left(race_app):
    campaign_id, cards = seed(race_app, "Budget", budget_minor=100 * BID,
                              spent_minor=50 * BID)
    outcomes = click_race(race_app, cards)
    assert set(outcomes) <= {"billed", "over_budget"}, outcomes
    assert 50 <= outcomes["billed"] <= 51, outcomes
    assert outcomes["billed"] + outcomes["over_budget"] == CLICKERS
    campaign, day, charged = totals(race_app, campaign_id)
    assert campaign.spent_minor == 50 * BID + outcomes["billed"] * BID
    assert campaign.spent_minor <= campaign.budget_minor + BID
    assert campaign.status == "completed"
    assert charged == outcomes["billed"] * BID == day.spend_minor
    assert (day.clicks, day.invalid_clicks) == (outcomes["billed"], outcomes["over_budget"])
    assert day.spend_micros == day.spend_minor * 10**6, "refused charges were undone"


def test_daily_cap_holds_under_concurrent_clicks(race_app):
    campaign_id, cards = seed(race_app, "DailyCap", budget_minor=1000 * BID,
                              daily_cap_minor=30 * BID)
    outcomes = click_race(race_app, cards)
    assert 30 <= outcomes["billed"] <= 31, outcomes
    assert outcomes["over_budget"] == CLICKERS - outcomes["billed"]
    campaign, day, charged = totals(race_app, campaign_id)
    assert day.spend_minor == charged == campaign.spent_minor == outcomes["billed"] * BID
    assert campaign.status == "active"
