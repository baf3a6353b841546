"""Two app servers on one database, each keeping the rule book: an edit on one reaches both.

The servers are two `create_app()` instances (each its own engine and its own kept copy)
sharing a fresh database; every step commits for real, as separate servers would.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import PlatformRole, User, utcnow
from app.money import Money
from app.services.markets.landed_cost import (
    DutiableLine,
    RuleBook,
    assess,
    load_market_rules,
    rule_for,
)
from app.services.markets.rules import rule_form_data, save_market_rule
from tests.concurrency import race_application

TODAY = utcnow().date()


@pytest.fixture(autouse=True)
def _transaction():
    """Override the rolled-back transaction: each server must see the other's commits."""
    yield


@pytest.fixture
def servers(tmp_path) -> Iterator[tuple[Flask, Flask]]:
    with race_application("rule_book", tmp_path) as first:
        second = create_app("testing",
                            SQLALCHEMY_DATABASE_URI=first.config["SQLALCHEMY_DATABASE_URI"],
                            MEDIA_ROOT=str(tmp_path / "media-second"))
        with first.app_context():
            load_market_rules()
            db.session.add(User(email="admin@rules.test", password_hash="x",
                                display_name="Admin", platform_roles=[
                                    PlatformRole(role="admin", markets=[], languages=[])]))
            db.session.commit()
        try:
            yield first, second
        finally:
            with second.app_context():
                db.engine.dispose()


def tea_duty(server: Flask, on: date = TODAY) -> Money:
    """The US duty on USD 100 of tea shipped from Britain, as `server` assesses it."""
    with server.app_context():
        try:
            return assess(origin_country="GB", destination_country="US",
                          lines=[DutiableLine("090210", Money(10000, "USD"))],
                          shipping=Money(0, "USD"), on=on).duties
        finally:
            db.session.remove()


def set_tea_duty(percent: str, *, commit: bool = True) -> None:
    admin = db.session.scalar(db.select(User).where(User.email == "admin@rules.test"))
    rule = rule_for("US", TODAY)
    data = rule_form_data(rule)
    data["duty_rates"] = [{**row, "rate": percent} if row["hs_prefix"] == "0902" else row
                          for row in data["duty_rates"]]
    save_market_rule(admin, data, rule.id)
    if commit:
        db.session.commit()


def test_an_edit_on_one_server_is_in_the_next_assessment_of_the_other(servers):
    first, second = servers
    assert tea_duty(first) == Money(0, "USD")
    assert ("rule", "US", TODAY) in first.extensions["qiao_cache_shelves"]["rule_book"][1]
    with second.app_context():
        set_tea_duty("10")
        db.session.remove()
    assert tea_duty(first) == Money(1000, "USD")
    assert tea_duty(second) == Money(1000, "USD")


def test_a_rolled_back_edit_leaves_nothing_behind(servers):
    first, _second = servers
    tomorrow = TODAY + timedelta(days=1)
    assert tea_duty(first) == Money(0, "USD")
    with first.app_context():
        set_tea_duty("10", commit=False)
        # The transaction sees its own edit; what it read must not be kept for others.
        assert RuleBook().rule("US", tomorrow).duty_rates[0].rate == Decimal("0.10")
        db.session.rollback()
        db.session.remove()
    assert tea_duty(first, tomorrow) == Money(0, "USD")
