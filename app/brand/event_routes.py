"""Sponsored events in the brand portal: the events a brand sponsors and how far they reach."""

from __future__ import annotations

from flask_login import current_user, login_required

from app.brand import bp
from app.brand.portal import open_brand, render_brand
from app.core.transaction import commit
from app.services.social import event_sponsors
from app.web.times import zone_label


@bp.get("/<int:org_id>/events")
@login_required
def sponsored_events(org_id: int):
    """The brand's sponsored events (read-only): dates, participants, entries and views."""
    brand = open_brand(org_id)
    listed = event_sponsors.sponsored_events(current_user, org_id)
    body = render_brand("brand/events.html", brand, tab="events", sponsored=listed,
                        zone=zone_label())
    commit()
    return body
