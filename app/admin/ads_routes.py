"""Ads review now happens in the moderation queue: these addresses lead there."""

from __future__ import annotations

from flask import abort, redirect, url_for

from app.admin import bp
from app.services import moderation


@bp.get("/ads")
def ads():
    """Campaigns waiting for review: the queue, filtered to ad campaigns."""
    return redirect(url_for(".moderation", target_type="campaign"))


@bp.get("/ads/<int:campaign_id>")
def ad_campaign(campaign_id: int):
    """A campaign's latest review case in the queue."""
    case = moderation.latest_case("campaign", campaign_id)
    if case is None:
        abort(404)
    return redirect(url_for(".moderation_item", case_id=case.id))
