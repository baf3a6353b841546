"""Helpers shared by the advertising tests (fixtures live in tests/ads_fixtures.py, loaded
with `pytest_plugins = ["tests.ads_fixtures"]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.models import AdAccount, Note, Organization, User, utcnow
from app.money import Money
from app.services import ads, moderation


@dataclass
class Brand:
    """A brand organisation, its owner, its account and one published note of its own."""

    org: Organization
    owner: User
    account: AdAccount
    note: Note


def fund(account: AdAccount, minor: int) -> None:
    """Credit the account as a platform adjustment (tests of spending, not of top-ups)."""
    ads.post_entry(account, "adjustment", minor, memo="test credit")
    db.session.commit()


def campaign_input(brand: Brand, **overrides) -> dict:
    """A valid CPC campaign for the brand's note, flying tomorrow for a week."""
    start = utcnow() + timedelta(days=1)
    data = {
        "name": "Spring glow", "objective": "traffic",
        "bid": {"amount": "0.50", "currency": brand.account.currency},
        "budget": {"amount": "100.00", "currency": brand.account.currency},
        "daily_cap": {"amount": "20.00", "currency": brand.account.currency},
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(days=7)).isoformat(),
        "note_ids": [brand.note.id],
        "targeting": {"countries": ["JP"], "languages": ["ja", "en"], "topics": []},
    }
    data.update(overrides)
    return data


def money(minor: int, currency: str = "USD") -> Money:
    """Shorthand."""
    return Money(minor, currency)


def decide_in_queue(reviewer: User, campaign_id: int, action: str = "approve",
                    reason_code: str = "no_violation", note: str = ""):
    """Decide a submitted campaign's case the way a moderator does, in the queue."""
    case = moderation.latest_case("campaign", campaign_id)
    return moderation.decide_case(reviewer, case.id,
                                  moderation.DecisionInput(action, reason_code, [], note))


def decide_note_review(reviewer: User, note_id: int, action: str = "approve",
                       reason_code: str = "no_violation"):
    """Decide the ad review of a partnership note, as a moderator does in the queue."""
    case = moderation.latest_case("note", note_id)
    return moderation.decide_case(reviewer, case.id,
                                  moderation.DecisionInput(action, reason_code, []))
