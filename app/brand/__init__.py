"""The brand portal: campaigns, partnerships, the prepaid ad balance and sponsored events."""

from flask import Blueprint

from app.services import ads
from app.web.links import site_links

bp = Blueprint("brand", __name__)
# Campaign e-mails link to the portal, which services cannot name.
ads.register_campaign_links(site_links)

from app.brand import (  # noqa: E402,F401
    balance_routes,
    campaign_routes,
    event_routes,
    partnership_routes,
)
