"""Advertising fixtures: a brand with an open ad account and a note; a reviewer.

Load with `pytest_plugins = ["tests.ads_fixtures"]` (it loads the notes fixtures too).
"""

from __future__ import annotations

import pytest

from app.extensions import db
from app.services import ads
from tests.ads_factories import Brand, fund

pytest_plugins = ["tests.notes_fixtures"]


@pytest.fixture
def make_brand(app, make_org, make_user, quick_note):
    """A brand with an opened USD account (optionally funded) and a note by its owner."""

    def factory(*, balance: int = 0, currency: str = "USD", name: str | None = None,
                time_zone: str = "Asia/Shanghai") -> Brand:
        owner = make_user(home_country="CN")
        org = make_org("brand", owner=owner, name=name)
        account = ads.open_brand_account(owner, org.id, currency=currency,
                                         time_zone=time_zone)
        note = quick_note(owner, "Our new serum", "Glow #skincare")
        db.session.commit()
        if balance:
            fund(account, balance)
        return Brand(org=org, owner=owner, account=account, note=note)

    return factory


@pytest.fixture
def reviewer(make_user):
    """A platform moderator who reviews ads."""
    return make_user(roles=("moderator",))
