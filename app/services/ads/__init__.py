"""Advertising: brand balances, campaigns, placements, sponsored notes, pacing and reports.

Money moves only through `post_entry` (app.services.ads.ledger): a conditional UPDATE of
the account's balance plus one ledger entry, so the balance can never go negative and
the entries always sum to it. Other domains and the edges import from this package only.

Ownership: a brand organisation's account, campaigns and partnerships belong to its
staff (`require_brand`); a creator's boost campaigns (`is_boost`, no organisation) and
boost account belong to that user. Everything else answers 404.
"""

from app.models import (
    CAMPAIGN_STATES,
    FUNDED_STATES,
    LEDGER_KINDS,
    PRICING_BY_OBJECTIVE,
    AdAccount,
    AdLedgerEntry,
    AdTopUp,
    Campaign,
    CampaignNote,
    Partnership,
)
from app.services.ads.accounts import (
    AccountNotOpen,
    BrandContext,
    account_zone,
    brand_account,
    creator_account,
    default_currency,
    is_time_zone,
    list_ledger,
    open_brand_account,
    open_creator_account,
    require_brand,
    update_account_time_zone,
)
from app.services.ads.boosts import BOOST_DAYS, BOOST_IMPRESSIONS, boost_price, create_boost
from app.services.ads.campaign_input import language_codes, minimum_bid
from app.services.ads.campaigns import (
    InvalidCampaignTransition,
    advance_campaigns,
    appeal_rejection,
    apply_review_verdict,
    complete_campaign,
    create_campaign,
    get_brand_campaign,
    get_own_boost,
    list_brand_campaigns,
    list_own_boosts,
    pause_campaign,
    promotable_note_ids,
    promotable_notes,
    reserved_minor,
    resume_campaign,
    review_case,
    submit_campaign,
    update_campaign,
    withdraw_campaign,
)
from app.services.ads.counters import CounterStore, DatabaseCounters, RedisCounters, counter_store
from app.services.ads.guaranteed import serve_booked_placements, update_placement_pacing
from app.services.ads.invoices import Invoice, build_invoice, invoice_months, invoice_pdf
from app.services.ads.ledger import (
    InsufficientBalance,
    account_balance_minor,
    ledger_sum_minor,
    post_entry,
)
from app.services.ads.notices import CAMPAIGN_EVENTS, register_campaign_links
from app.services.ads.pacing_loop import adjust_pacing
from app.services.ads.partnerships import (
    accept_partnership,
    cancel_partnership,
    decline_partnership,
    get_brand_partnership,
    get_creator_partnership,
    list_brand_partnerships,
    list_creator_partnerships,
    propose_partnership,
    publish_partnership_note,
    settle_partnership_reviews,
    settle_partnership_verdict,
    sponsor_names,
)
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
from app.services.ads.topups import PURPOSE as TOPUP_PURPOSE
from app.services.ads.topups import (
    confirm_sandbox_topup,
    get_own_topup,
    get_topup,
    list_topups,
    open_topup_intent,
    record_topup_outcome,
    record_topup_refunds,
    refund_topup,
    start_topup,
    sync_stale_topups,
    sync_topup,
)
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
from app.services.moderation import register_campaign_decider, register_state_listener

# Booked guaranteed placements are served before the auction.
register_guaranteed_source(serve_booked_placements)
register_campaign_decider(apply_review_verdict)
# A partnership note's verdict pays (or reopens) its partnership in the decision's commit.
register_state_listener(settle_partnership_verdict)

__all__ = [
    "CAMPAIGN_EVENTS",
    "register_campaign_links",
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
    "BOOST_DAYS",
    "BOOST_IMPRESSIONS",
    "update_placement_pacing",
    "CAMPAIGN_STATES",
    "FUNDED_STATES",
    "LEDGER_KINDS",
    "PRICING_BY_OBJECTIVE",
    "TOPUP_PURPOSE",
    "AccountNotOpen",
    "AdAccount",
    "AdLedgerEntry",
    "AdTopUp",
    "BrandContext",
    "Campaign",
    "CampaignNote",
    "InsufficientBalance",
    "InvalidCampaignTransition",
    "Invoice",
    "Partnership",
    "accept_partnership",
    "account_balance_minor",
    "account_zone",
    "advance_campaigns",
    "appeal_rejection",
    "apply_review_verdict",
    "boost_price",
    "brand_account",
    "build_invoice",
    "cancel_partnership",
    "complete_campaign",
    "confirm_sandbox_topup",
    "create_boost",
    "create_campaign",
    "creator_account",
    "decline_partnership",
    "default_currency",
    "get_brand_campaign",
    "get_brand_partnership",
    "get_creator_partnership",
    "get_own_boost",
    "get_own_topup",
    "get_topup",
    "invoice_months",
    "invoice_pdf",
    "is_time_zone",
    "language_codes",
    "ledger_sum_minor",
    "list_brand_campaigns",
    "list_brand_partnerships",
    "list_creator_partnerships",
    "list_ledger",
    "list_own_boosts",
    "list_topups",
    "minimum_bid",
    "open_brand_account",
    "open_creator_account",
    "open_topup_intent",
    "pause_campaign",
    "post_entry",
    "promotable_note_ids",
    "promotable_notes",
    "propose_partnership",
    "publish_partnership_note",
    "settle_partnership_reviews",
    "settle_partnership_verdict",
    "record_topup_outcome",
    "record_topup_refunds",
    "refund_topup",
    "require_brand",
    "reserved_minor",
    "resume_campaign",
    "review_case",
    "start_topup",
    "submit_campaign",
    "sponsor_names",
    "sync_stale_topups",
    "sync_topup",
    "update_account_time_zone",
    "update_campaign",
    "withdraw_campaign",
]
