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
from app.services.ads.counters import CounterStore, DatabaseCounters, RedisCounters, counter_store
from app.services.ads.guaranteed import serve_booked_placements, update_placement_pacing
from app.services.ads.ledger import (
    InsufficientBalance,
    account_balance_minor,
    ledger_sum_minor,
    post_entry,
)
from app.services.ads.pacing_loop import adjust_pacing
from app.services.ads.selection import Choice, FeedRequest, LiveCampaign
from app.services.ads.serving import (
    AdViewer,
    SponsoredSlot,
    merge_slots,
    register_guaranteed_source,
    slot_positions,
    sponsored_for_page,
)
from app.services.ads.snapshot import invalidate_snapshot
from app.services.ads.tracking import (
    InvalidAdHide,
    Outcome,
    Requester,
    charge,
    hide_sponsored,
    queue_click,
    record_click,
    record_impression,
)

# Booked guaranteed placements are served before the auction.
register_guaranteed_source(serve_booked_placements)

__all__ = [
    "AdViewer",
    "Choice",
    "CounterStore",
    "DatabaseCounters",
    "FeedRequest",
    "InvalidAdHide",
    "LiveCampaign",
    "Outcome",
    "RedisCounters",
    "Requester",
    "SponsoredSlot",
    "adjust_pacing",
    "charge",
    "counter_store",
    "hide_sponsored",
    "invalidate_snapshot",
    "merge_slots",
    "queue_click",
    "record_click",
    "record_impression",
    "register_guaranteed_source",
    "slot_positions",
    "sponsored_for_page",
    "update_placement_pacing",
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
