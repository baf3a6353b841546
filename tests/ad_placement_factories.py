"""Brands with a funded ad account and a campaign, Discover traffic, and the slot on sale.

Load with `pytest_plugins = ["tests.ad_placement_factories"]`:

    def test_something(ad_brand, discover_traffic):
        brand = ad_brand(balance_minor=50_000)  # USD, a live traffic campaign
        discover_traffic("JP", 1000)            # 28 days of 1,000 Discover views a day
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AdAccount,
    Campaign,
    DiscoverViewDay,
    Organization,
    PlacementSlot,
    User,
    utcnow,
)
from app.services.ads.ledger import post_entry


@dataclass
class AdBrand:
    """A brand organisation, its owner, its ad account and one campaign."""

    org: Organization
    owner: User
    account: AdAccount
    campaign: Campaign


def fund_brand(org: Organization, *, currency: str = "USD", balance_minor: int = 100_000,
               time_zone: str = "UTC", now: datetime | None = None,
               campaign_name: str = "Spring glow") -> tuple[AdAccount, Campaign]:
    """An ad account topped up with `balance_minor` and a live CPC campaign."""
    now = now or utcnow()
    account = AdAccount(organization_id=org.id, currency=currency, time_zone=time_zone)
    db.session.add(account)
    db.session.flush()
    if balance_minor:
        post_entry(account, "topup", balance_minor, reference_type="test_topup",
                   reference_id=account.id)
    campaign = Campaign(organization_id=org.id, account_id=account.id, name=campaign_name,
                        objective="traffic", pricing="cpc", bid_minor=50,
                        budget_minor=50_000, currency=currency,
                        starts_at=now - timedelta(days=30), ends_at=now + timedelta(days=60),
                        status="active")
    db.session.add(campaign)
    db.session.flush()
    return account, campaign


@pytest.fixture
def ad_brand(make_org, make_user):
    def factory(*, balance_minor: int = 100_000, currency: str = "USD", time_zone: str = "UTC",
                owner: User | None = None) -> AdBrand:
        owner = owner or make_user()
        org = make_org("brand", owner=owner)
        account, campaign = fund_brand(org, currency=currency, balance_minor=balance_minor,
                                       time_zone=time_zone)
        db.session.commit()
        return AdBrand(org, owner, account, campaign)

    return factory


def add_traffic(country: str, per_day: int, *, days: int = 28, today=None) -> None:
    """`per_day` Discover views in `country` on each of the `days` days before today."""
    today = today or utcnow().date()
    for offset in range(1, days + 1):
        db.session.add(DiscoverViewDay(country=country, day=today - timedelta(days=offset),
                                       views=per_day))
    db.session.flush()


@pytest.fixture
def discover_traffic(app):
    def factory(country: str, per_day: int, *, days: int = 28) -> None:
        add_traffic(country, per_day, days=days)
        db.session.commit()

    return factory


def discover_slot() -> PlacementSlot:
    """The slot the migration seeds: Discover's first sponsored card, USD 12.00 CPM."""
    return db.session.scalar(select(PlacementSlot).where(PlacementSlot.code == "discover_first"))
