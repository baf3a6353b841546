"""Advertising: brand balances, campaigns, placements, sponsored notes, pacing and reports.

Money moves only through `post_entry` (app.services.ads.ledger): a conditional UPDATE of
the account's balance plus one ledger entry, so the balance can never go negative and
the entries always sum to it. Other domains and the edges import from this package only.
"""

from app.models import (
    CAMPAIGN_STATES,
    LEDGER_KINDS,
    PRICING_BY_OBJECTIVE,
    AdAccount,
    AdLedgerEntry,
    Campaign,
    CampaignNote,
    Partnership,
)
from app.services.ads.ledger import (
    InsufficientBalance,
    account_balance_minor,
    ledger_sum_minor,
    post_entry,
)

__all__ = [
    "CAMPAIGN_STATES",
    "LEDGER_KINDS",
    "PRICING_BY_OBJECTIVE",
    "AdAccount",
    "AdLedgerEntry",
    "Campaign",
    "CampaignNote",
    "InsufficientBalance",
    "Partnership",
    "account_balance_minor",
    "ledger_sum_minor",
    "post_entry",
]
