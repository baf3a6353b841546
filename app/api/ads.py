"""Brand advertising API: campaigns, the balance and its top-ups, partnerships.

Brand staff act on `/brands/{organization_id}/...` (another brand's answers 404); a
creator answers the partnership briefs sent to them under `/partnerships/{id}/...`.
"""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp
from app.api.core import api_user, idempotent, json_body, page_limit, paginated, token_required
from app.api.fields import optional_body
from app.api.openapi import list_of, operation, ref, schema
from app.api.serializers import timestamp
from app.core.transaction import commit, rollback
from app.errors import json_error
from app.models import CAMPAIGN_STATES, PARTNERSHIP_STATES, AdTopUp, Campaign, Partnership
from app.money import Money
from app.services import ads
from app.services.errors import DomainError, ValidationFailed
from app.web.cursors import decode_id_cursor

TAGS = ["ads"]
ID_LIST = {"type": "array", "items": {"type": "string"}}
TARGETING = {"type": "object", "properties": {
    "countries": {**ID_LIST, "description": "ISO 3166 alpha-2 codes; empty: every country."},
    "languages": {**ID_LIST, "description": "ISO 639-1 codes of the app's interface; empty: "
                                            "every language."},
    "topics": {**ID_LIST, "description": "Existing #topics (case-insensitive); empty: any."},
}}
CAMPAIGN_REQUEST = schema("CampaignCreate", {
    "type": "object",
    "required": ["name", "objective", "bid", "budget", "starts_at", "ends_at", "note_ids"],
    "properties": {
        "name": {"type": "string", "maxLength": 120},
        "objective": {"type": "string", "enum": ["awareness", "traffic", "sales"],
                      "description": "awareness buys impressions (CPM); traffic and sales "
                                     "buy clicks (CPC)."},
        "bid": ref("Money"), "budget": ref("Money"),
        "daily_cap": {"oneOf": [ref("Money"), {"type": "null"}]},
        "starts_at": {"type": "string", "format": "date-time",
                      "description": "With an offset; without one it is read in the "
                                     "account's time zone."},
        "ends_at": {"type": "string", "format": "date-time"},
        "note_ids": {"type": "array", "items": {"type": "integer"}, "minItems": 1,
                     "maxItems": 10},
        "targeting": TARGETING,
        "pacing": {"type": "string", "enum": ["even", "asap"], "default": "even"},
        "audience": {"type": "string", "enum": ["all", "new", "returning", "engaged"],
                     "default": "all"},
        "frequency_cap_per_day": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
    },
})
CAMPAIGN_SCHEMA = schema("Campaign", {
    "type": "object",
    "required": ["id", "organization_id", "name", "objective", "pricing", "status", "bid",
                 "budget", "daily_cap", "spent", "starts_at", "ends_at", "note_ids",
                 "targeting"],
    "properties": {
        "id": {"type": "integer"}, "organization_id": {"type": ["integer", "null"]},
        "name": {"type": "string"},
        "objective": {"type": "string", "enum": ["awareness", "traffic", "sales"]},
        "pricing": {"type": "string", "enum": ["cpm", "cpc"]},
        "status": {"type": "string", "enum": list(CAMPAIGN_STATES)},
        "rejection_reason": {"type": "string"},
        "rejection_code": {"type": ["string", "null"],
                           "description": "The moderator's reason code when rejected."},
        "bid": ref("Money"), "budget": ref("Money"),
        "daily_cap": {"oneOf": [ref("Money"), {"type": "null"}]},
        "spent": ref("Money"), "released": ref("Money"),
        "starts_at": {"type": "string", "format": "date-time"},
        "ends_at": {"type": "string", "format": "date-time"},
        "pacing": {"type": "string", "enum": ["even", "asap"]},
        "audience": {"type": "string", "enum": ["all", "new", "returning", "engaged"]},
        "frequency_cap_per_day": {"type": ["integer", "null"]},
        "note_ids": {"type": "array", "items": {"type": "integer"}},
        "targeting": TARGETING,
        "is_boost": {"type": "boolean"},
        "review_findings": {"type": "array", "items": {"type": "object"}},
        "submitted_at": {"type": ["string", "null"], "format": "date-time"},
        "reviewed_at": {"type": ["string", "null"], "format": "date-time"},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
BALANCE_SCHEMA = schema("AdBalance", {
    "type": "object", "required": ["balance"],
    "properties": {"balance": ref("Money"), "time_zone": {"type": "string"},
                   "reserved": ref("Money")},
    "description": "`balance` is what the brand can still spend; `reserved` is what its "
                   "running campaigns hold (budget not yet spent).",
})
TOPUP_REQUEST = schema("AdTopUpCreate", {
    "type": "object", "required": ["amount"],
    "properties": {"amount": ref("Money")},
})
TOPUP_SCHEMA = schema("AdTopUp", {
    "type": "object", "required": ["id", "state", "amount", "intent_id", "client_secret"],
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string", "enum": ["created", "processing", "succeeded", "failed",
                                             "cancelled", "refunded"]},
        "amount": ref("Money"),
        "intent_id": {"type": ["string", "null"]},
        "client_secret": {"type": ["string", "null"],
                          "description": "Confirm the PaymentIntent with Stripe.js; the "
                                         "balance is credited once Stripe reports success."},
        "created_at": {"type": "string", "format": "date-time"},
    },
})
PARTNERSHIP_REQUEST = schema("PartnershipCreate", {
    "type": "object", "required": ["creator_id", "title", "brief", "fee"],
    "properties": {"creator_id": {"type": "integer"},
                   "title": {"type": "string", "maxLength": 120},
                   "brief": {"type": "string", "maxLength": 5000}, "fee": ref("Money")},
})
PARTNERSHIP_SCHEMA = schema("Partnership", {
    "type": "object",
    "required": ["id", "organization_id", "brand_name", "creator_id", "title", "brief",
                 "fee", "status", "note_id"],
    "properties": {
        "id": {"type": "integer"}, "organization_id": {"type": "integer"},
        "brand_name": {"type": "string"}, "creator_id": {"type": "integer"},
        "title": {"type": "string"}, "brief": {"type": "string"}, "fee": ref("Money"),
        "status": {"type": "string", "enum": list(PARTNERSHIP_STATES)},
        "note_id": {"type": ["integer", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "responded_at": {"type": ["string", "null"], "format": "date-time"},
        "fee_paid_at": {"type": ["string", "null"], "format": "date-time"},
    },
})
PUBLISH_REQUEST = schema("PartnershipPublish", {
    "type": "object", "required": ["note_id"], "properties": {"note_id": {"type": "integer"}},
})
PAGE_PARAMS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The next_cursor of the previous page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
CAMPAIGN_ERRORS = (
    "422 with `fields` naming each bad field: `budget_below_bid`, `daily_cap_below_bid`, "
    "`daily_cap_above_budget`, `bid_below_minimum`, `currency_mismatch` (not the billing "
    "currency), `flight_in_past`, `flight_reversed`, `flight_too_long`, `invalid_country`, "
    "`unknown_language`, `unknown_topic`, `invalid_objective`, `note_not_promotable` (at "
    "`note_ids.<i>`: not the brand's own published note nor a published note of one of "
    "its partnerships), `invalid_amount`, `validation_failed` (several kinds at once); "
    "409 `ad_account_not_open`.")


def _money(minor: int | None, currency: str) -> dict[str, str] | None:
    return None if minor is None else Money(minor, currency).to_api()


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as its brand sees it."""
    currency = campaign.currency
    return {
        "id": campaign.id, "organization_id": campaign.organization_id, "name": campaign.name,
        "objective": campaign.objective, "pricing": campaign.pricing,
        "status": campaign.status, "rejection_reason": campaign.rejection_reason,
        "rejection_code": campaign.rejection_code,
        "bid": _money(campaign.bid_minor, currency),
        "budget": _money(campaign.budget_minor, currency),
        "daily_cap": _money(campaign.daily_cap_minor, currency),
        "spent": _money(campaign.spent_minor, currency),
        "released": _money(campaign.released_minor, currency),
        "starts_at": timestamp(campaign.starts_at), "ends_at": timestamp(campaign.ends_at),
        "pacing": campaign.pacing, "audience": campaign.audience,
        "frequency_cap_per_day": campaign.frequency_cap_per_day,
        "note_ids": campaign.note_ids,
        "targeting": {"countries": campaign.countries, "languages": campaign.languages,
                      "topics": campaign.topics},
        "is_boost": campaign.is_boost, "review_findings": campaign.review_findings,
        "submitted_at": timestamp(campaign.submitted_at),
        "reviewed_at": timestamp(campaign.reviewed_at),
        "created_at": timestamp(campaign.created_at),
    }


def topup_json(topup: AdTopUp, client_secret: str | None = None) -> dict[str, Any]:
    """A top-up and what Stripe.js needs to confirm it."""
    return {"id": topup.id, "state": topup.state,
            "amount": _money(topup.amount_minor, topup.currency),
            "intent_id": topup.intent_id, "client_secret": client_secret,
            "created_at": timestamp(topup.created_at)}


def partnership_json(partnership: Partnership) -> dict[str, Any]:
    """A partnership as its brand or its creator sees it."""
    return {"id": partnership.id, "organization_id": partnership.organization_id,
            "brand_name": partnership.organization.name,
            "creator_id": partnership.creator_id, "title": partnership.title,
            "brief": partnership.brief,
            "fee": _money(partnership.fee_minor, partnership.currency),
            "status": partnership.status, "note_id": partnership.note_id,
            "created_at": timestamp(partnership.created_at),
            "responded_at": timestamp(partnership.responded_at),
            "fee_paid_at": timestamp(partnership.fee_paid_at)}


# Campaigns ------------------------------------------------------------------------------

@bp.post("/brands/<int:organization_id>/campaigns")
@operation(summary="Create a draft campaign", tags=TAGS, idempotent=True,
           request=CAMPAIGN_REQUEST,
           responses={201: CAMPAIGN_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="Brand staff (404 for anyone else). Amounts in the account's billing "
                       "currency; pricing follows the objective. " + CAMPAIGN_ERRORS)
@token_required("write")
@idempotent()
def create_campaign(organization_id: int):
    """A new campaign in `draft`."""
    campaign = ads.create_campaign(api_user(), organization_id, json_body())
    body = campaign_json(campaign)
    commit()
    return body, 201


@bp.get("/brands/<int:organization_id>/campaigns")
@operation(summary="The brand's campaigns", tags=TAGS, params=[
    *PAGE_PARAMS, {"name": "status", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": list(CAMPAIGN_STATES)}}],
    responses={200: list_of(CAMPAIGN_SCHEMA), 400: None, 401: None, 404: None, 422: None})
@token_required("read")
def list_campaigns(organization_id: int):
    """Newest first, cursor-paginated; `status` filters."""
    status = request.args.get("status")
    if status is not None and status not in CAMPAIGN_STATES:
        raise ValidationFailed("Unknown status.", fields={"status": [
            f"Use one of: {', '.join(CAMPAIGN_STATES)}."]})
    limit = page_limit()
    items = ads.list_brand_campaigns(api_user(), organization_id, status=status,
                                     before_id=decode_id_cursor(), limit=limit + 1)
    body = paginated(items, limit, lambda c: [c.id], campaign_json)
    commit()
    return body


@bp.get("/brands/<int:organization_id>/campaigns/<int:campaign_id>")
@operation(summary="One campaign", tags=TAGS,
           responses={200: CAMPAIGN_SCHEMA, 401: None, 404: None})
@token_required("read")
def get_campaign(organization_id: int, campaign_id: int):
    """One of the brand's campaigns (404 for another brand's)."""
    body = campaign_json(ads.get_brand_campaign(api_user(), organization_id, campaign_id))
    commit()
    return body


@bp.post("/brands/<int:organization_id>/campaigns/<int:campaign_id>/submit")
@operation(summary="Send a draft campaign to review", tags=TAGS, idempotent=True,
           body_required=False, request={"type": "object"},
           responses={200: CAMPAIGN_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The draft moves to `in_review`; ad rules of its destination markets "
                       "are checked and their matches shown to the reviewer "
                       "(`review_findings`). 409 `invalid_campaign_transition` when it is "
                       "not a draft; 422 `note_not_promotable`, `flight_in_past`.")
@token_required("write")
@idempotent()
def submit_campaign(organization_id: int, campaign_id: int):
    """Draft -> in review."""
    optional_body()
    campaign = ads.submit_campaign(api_user(), organization_id, campaign_id)
    body = campaign_json(campaign)
    commit()
    return body


# Balance and top-ups --------------------------------------------------------------------

@bp.get("/brands/<int:organization_id>/balance")
@operation(summary="The brand's ad balance", tags=TAGS,
           responses={200: BALANCE_SCHEMA, 401: None, 404: None, 409: None},
           description="409 `ad_account_not_open` before the account is opened in the "
                       "brand portal.")
@token_required("read")
def get_balance(organization_id: int):
    """What the brand can spend, and what its running campaigns hold."""
    account = ads.brand_account(api_user(), organization_id)
    reserved = ads.reserved_minor(account)
    body = {"balance": _money(account.balance_minor, account.currency),
            "reserved": _money(reserved, account.currency), "time_zone": account.time_zone}
    commit()
    return body


@bp.post("/brands/<int:organization_id>/topups")
@operation(summary="Top up the balance by card", tags=TAGS, idempotent=True,
           request=TOPUP_REQUEST,
           responses={201: TOPUP_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None, 503: ref("Error")},
           description="Creates the top-up and its Stripe PaymentIntent; confirm it with "
                       "Stripe.js using `client_secret`. The balance is credited exactly "
                       "once when Stripe reports success (webhook or the portal's return "
                       "page). 422 `currency_mismatch`, `invalid_amount`, "
                       "`amount_below_minimum`, `amount_above_maximum`; 503 "
                       "`payment_provider_unavailable` (nothing charged).")
@token_required("write")
@idempotent()
def create_topup(organization_id: int):
    """Start a card top-up."""
    account = ads.brand_account(api_user(), organization_id)
    topup = ads.start_topup(api_user(), account, json_body().get("amount"))
    try:
        commit()  # the top-up and its idempotency key are durable before Stripe is called
        intent = ads.open_topup_intent(topup)
        body = topup_json(topup, intent.client_secret)
        commit()
    except DomainError as exc:
        # Answered (not raised) so the Idempotency-Key claim committed above is released.
        rollback()
        return json_error(exc.status, exc.code, exc.message, exc.fields)
    return body, 201


# Partnerships ---------------------------------------------------------------------------

@bp.get("/brands/<int:organization_id>/partnerships")
@operation(summary="The brand's partnerships", tags=TAGS,
           responses={200: list_of(PARTNERSHIP_SCHEMA), 401: None, 404: None})
@token_required("read")
def list_brand_partnerships(organization_id: int):
    """Newest first."""
    items = [partnership_json(p) for p in ads.list_brand_partnerships(api_user(),
                                                                      organization_id)]
    commit()
    return {"items": items, "next_cursor": None}


@bp.post("/brands/<int:organization_id>/partnerships")
@operation(summary="Send a creator a brief and a fee", tags=TAGS, idempotent=True,
           request=PARTNERSHIP_REQUEST,
           responses={201: PARTNERSHIP_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The creator is notified in the app; the fee is reserved from the "
                       "balance when they accept. 422 `creator_not_found`, "
                       "`currency_mismatch`, `validation_failed`.")
@token_required("write")
@idempotent()
def create_partnership(organization_id: int):
    """A brief in `proposed`."""
    data = json_body()
    made = ads.propose_partnership(api_user(), organization_id,
                                   creator_id=data.get("creator_id"), title=data.get("title"),
                                   brief=data.get("brief"), fee=data.get("fee"))
    body = partnership_json(made)
    commit()
    return body, 201


@bp.get("/me/partnerships")
@operation(summary="Briefs brands sent you", tags=TAGS,
           responses={200: list_of(PARTNERSHIP_SCHEMA), 401: None})
@token_required("read")
def list_my_partnerships():
    """The caller's partnerships as a creator, newest first."""
    items = [partnership_json(p) for p in ads.list_creator_partnerships(api_user())]
    commit()
    return {"items": items, "next_cursor": None}


@bp.post("/partnerships/<int:partnership_id>/accept")
@operation(summary="Accept a brief", tags=TAGS, idempotent=True, body_required=False,
           request={"type": "object"},
           responses={200: PARTNERSHIP_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The creator only (404 for anyone else). The fee is reserved from "
                       "the brand's balance: 422 `insufficient_balance` when it does not "
                       "cover it; 409 `invalid_partnership_transition`.")
@token_required("write")
@idempotent()
def accept_partnership(partnership_id: int):
    """Proposed -> accepted."""
    optional_body()
    body = partnership_json(ads.accept_partnership(api_user(), partnership_id))
    commit()
    return body


@bp.post("/partnerships/<int:partnership_id>/decline")
@operation(summary="Decline a brief", tags=TAGS, idempotent=True, body_required=False,
           request={"type": "object"},
           responses={200: PARTNERSHIP_SCHEMA, 400: None, 401: None, 404: None, 409: None},
           description="The creator only. 409 `invalid_partnership_transition`.")
@token_required("write")
@idempotent()
def decline_partnership(partnership_id: int):
    """Proposed -> declined."""
    optional_body()
    body = partnership_json(ads.decline_partnership(api_user(), partnership_id))
    commit()
    return body


@bp.post("/partnerships/<int:partnership_id>/publish")
@operation(summary="Name the published note made for a brief", tags=TAGS, idempotent=True,
           request=PUBLISH_REQUEST,
           responses={200: PARTNERSHIP_SCHEMA, 400: None, 401: None, 404: None, 409: None,
                      422: None},
           description="The creator's own published note becomes sponsored (“Sponsored · "
                       "with <brand>”) and is held for ad review (status `published`); "
                       "once a moderator approves it the fee is paid (status `paid`, "
                       "within a minute), if it is removed the brief is `accepted` again "
                       "for another note. 422 `note_not_promotable`, "
                       "`note_not_published`, `note_already_sponsored`; 409 "
                       "`invalid_partnership_transition`.")
@token_required("write")
@idempotent()
def publish_partnership(partnership_id: int):
    """Accepted -> published (in ad review)."""
    note_id = json_body().get("note_id")
    body = partnership_json(ads.publish_partnership_note(api_user(), partnership_id, note_id))
    commit()
    return body
