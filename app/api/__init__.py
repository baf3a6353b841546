"""The JSON API at /api/v1 (contract: shared API.md; described by /api/v1/openapi.json)."""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__)
# Bearer tokens, not cookies, authenticate the API, so cross-site requests carry no credentials.
csrf.exempt(bp)

from app.api import (  # noqa: E402,F401
    ad_delivery,
    ads,
    auth,
    campaign_reports,
    cart,
    catalog,
    checkout,
    coauthors,
    docs,
    events,
    feed,
    inventory,
    logistics,
    me,
    moderation,
    notes,
    order_messages,
    orders,
    organizations,
    payments,
    placements,
    questions,
    returns,
    search,
    social,
    tokens,
    tracking,
    translations,
    users,
    webhooks,
)
