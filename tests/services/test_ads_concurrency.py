"""Ad balances under real concurrency (PostgreSQL): credited once, never overdrawn.

The webhook and the return page both record a succeeded top-up intent; approvals of
several campaigns draw on one balance that covers only some of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app.core.transaction import commit
from app.extensions import db
from app.models import (
    AdAccount,
    AdLedgerEntry,
    AdTopUp,
    Campaign,
    CampaignNote,
    Membership,
    Note,
    Organization,
    PlatformRole,
    User,
    utcnow,
)
from app.money import Money
from app.providers.payments import Intent
from app.services import ads, moderation
from tests.ads_factories import decide_in_queue
from tests.concurrency import POSTGRES_ONLY, race, race_application

pytestmark = POSTGRES_ONLY
THREADS = 12


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: the threads must see committed rows."""
    yield


@pytest.fixture(scope="module")
def race_app(tmp_path_factory) -> Iterator[Flask]:
    with race_application("ads_race", tmp_path_factory.mktemp("ads_race"),
                          SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool}) as application:
        yield application


def seed_account(app: Flask, tag: str) -> tuple[int, int, int]:
    """A brand with an empty USD account, a note of its owner, and a reviewer."""
    with app.app_context():
        owner = User(email=f"owner@{tag}.test", password_hash="x", display_name="Owner")
        reviewer = User(email=f"mod@{tag}.test", password_hash="x", display_name="Mod")
        reviewer.platform_roles = [PlatformRole(role="moderator", markets=[], languages=[])]
        org = Organization(kind="brand", name=f"Brand {tag}", slug=f"brand-{tag}")
        note = Note(author=owner, title="Serum", body="", status="published",
                    published_at=utcnow())
        db.session.add_all([owner, reviewer, org, note,
                            Membership(organization=org, user=owner, role="owner")])
        db.session.flush()
        account = AdAccount(organization_id=org.id, currency="USD", time_zone="UTC")
        db.session.add(account)
        commit()
        ids = account.id, note.id, reviewer.id
        db.session.remove()
    return ids


def test_a_top_up_raced_by_webhook_and_return_page_is_credited_once(race_app):
    account_id, _note_id, _reviewer = seed_account(race_app, "topup")
    with race_app.app_context():
        topup = AdTopUp(account_id=account_id, idempotency_key="race-key", intent_id="pi_race",
                        state="created", currency="USD", amount_minor=50_000)
        db.session.add(topup)
        commit()
        db.session.remove()
    intent = Intent(id="pi_race", status="succeeded", amount=Money(50_000, "USD"),
                    currency="USD", client_secret="", metadata={"qiao_purpose": "ad_topup"})
    outcomes = race(race_app, lambda _i: ads.record_topup_outcome(intent), THREADS)
    assert outcomes == {"top-up credited": 1, "top-up already credited": THREADS - 1}
    with race_app.app_context():
        account = db.session.get(AdAccount, account_id)
        assert account.balance_minor == 50_000
        assert ads.ledger_sum_minor(account_id) == 50_000
        db.session.remove()


def test_approvals_never_overdraw_the_balance(race_app):
    account_id, note_id, reviewer_id = seed_account(race_app, "approve")
    with race_app.app_context():
        account = db.session.get(AdAccount, account_id)
        ads.post_entry(account, "adjustment", 30_000)  # covers three 10,000 budgets
        start = utcnow() + timedelta(days=1)
        campaign_ids = []
        for n in range(THREADS):
            campaign = Campaign(
                organization_id=account.organization_id, account_id=account_id,
                name=f"C{n}", objective="traffic", pricing="cpc", bid_minor=50,
                budget_minor=10_000, currency="USD", starts_at=start,
                ends_at=start + timedelta(days=3), status="in_review",
                campaign_notes=[CampaignNote(note_id=note_id)])
            db.session.add(campaign)
            db.session.flush()
            moderation.open_campaign_review(campaign)
            campaign_ids.append(campaign.id)
        commit()
        db.session.remove()

    def approve(index: int) -> str:
        reviewer = db.session.get(User, reviewer_id)
        decide_in_queue(reviewer, campaign_ids[index])
        return db.session.get(Campaign, campaign_ids[index]).status

    outcomes = race(race_app, approve, THREADS)
    assert outcomes == {"scheduled": 3, "insufficient_balance": THREADS - 3}
    with race_app.app_context():
        assert db.session.get(AdAccount, account_id).balance_minor == 0
        assert ads.ledger_sum_minor(account_id) == 0
        reserves = db.session.scalar(select(func.count(AdLedgerEntry.id)).where(
            AdLedgerEntry.account_id == account_id, AdLedgerEntry.kind == "campaign_reserve"))
        assert reserves == 3
        assert db.session.scalar(select(func.count(Campaign.id)).where(
            Campaign.account_id == account_id, Campaign.status == "in_review")) == THREADS - 3
        db.session.remove()
