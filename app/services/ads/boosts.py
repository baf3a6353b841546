"""Boosts (薯条): a creator promotes their own published note for a fixed price.

A boost is an ordinary Campaign with `is_boost` true and no organisation, funded from the
creator's own ad account (topped up by card like a brand's). It is reviewed, served,
capped and reported like any campaign; its owner is the account's user.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from app.extensions import db
from app.models import Campaign, Note, User, utcnow
from app.money import Money
from app.services.ads.accounts import creator_account
from app.services.ads.campaigns import check_promotable, set_campaign_notes, submit_campaign
from app.services.ads.ledger import InsufficientBalance
from app.services.errors import NotFound, ValidationFailed

BOOST_IMPRESSIONS = 1000
BOOST_DAYS = 3
# The fixed price of 1,000 impressions, per billing currency (major units).
BOOST_PRICES: dict[str, Decimal] = {
    "USD": Decimal("5.00"), "EUR": Decimal("5.00"), "GBP": Decimal("4.00"),
    "CNY": Decimal("30.00"), "JPY": Decimal("700"), "KRW": Decimal("6500"),
    "HKD": Decimal("40.00"), "SGD": Decimal("7.00"), "AUD": Decimal("8.00"),
    "CAD": Decimal("7.00")}


def boost_price(currency: str) -> Money:
    """What one boost (1,000 impressions over three days) costs in `currency`."""
    return Money.from_decimal(BOOST_PRICES.get(currency, BOOST_PRICES["USD"]), currency)


def create_boost(actor: User, note_id: int, *, now: datetime | None = None) -> Campaign:
    """Boost the creator's own published note: 1,000 impressions for a fixed price, paid
    from the creator's account and sent to review like any campaign.
    """
    now = now or utcnow()
    account = creator_account(actor)
    if account is None:
        raise NotFound(_("Open your boost balance first."), code="ad_account_not_open")
    if not isinstance(note_id, int) or isinstance(note_id, bool):
        raise ValidationFailed(_("Choose one of your published notes."),
                               code="note_not_promotable",
                               fields={"note_id": [_("Choose a note.")]})
    check_promotable({"organization_id": None, "creator_id": actor.id}, [note_id])
    price = boost_price(account.currency)
    if account.balance_minor < price.minor:
        # Checked again, atomically, when the boost is approved and its price reserved.
        raise InsufficientBalance(
            _("A boost costs %(price)s; top up your boost balance first.",
              price=price.format()), fields={"balance": [_("Top up first.")]})
    # CPM pricing: the whole price buys exactly BOOST_IMPRESSIONS impressions.
    bid_minor = price.minor * 1000 // BOOST_IMPRESSIONS
    note = db.session.get(Note, note_id)
    campaign = Campaign(
        organization_id=None, account_id=account.id, is_boost=True, created_by_id=actor.id,
        name=_("Boost: %(title)s", title=note.title)[:120], objective="awareness",
        pricing="cpm", bid_minor=bid_minor, budget_minor=price.minor, daily_cap_minor=None,
        currency=account.currency, starts_at=now, ends_at=now + timedelta(days=BOOST_DAYS),
        pacing="even", audience="all", countries=[], languages=[], topics=[],
        status="draft")
    campaign.account = account
    set_campaign_notes(campaign, [note_id])
    db.session.add(campaign)
    db.session.flush()
    return submit_campaign(actor, None, campaign.id, now=now)
