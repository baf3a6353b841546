"""Sponsored notes in the API feed, and reporting their views and hides.

A sponsored item of `GET /api/v1/feed` carries `sponsored: {campaign_id, label,
impression_token, click_url}`. Apps report the view with `POST /api/v1/ads/impressions`
once at least half of the card was on screen for a second, and open `click_url` (the
web redirect that records the tap) when it is tapped.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app, request, url_for
from flask_babel import force_locale

from app.api import bp
from app.api.core import idempotent, json_body
from app.api.notes import optional_viewer
from app.api.openapi import operation, schema
from app.core.transaction import commit
from app.extensions import limiter
from app.models import HIDE_REASONS, Note, User
from app.services import ads
from app.services.social import feed
from app.web.sponsored import ad_label
from app.web.viewer import current_preferences

DEVICE_HEADER = "X-Device-Id"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
DEVICE_PARAM = {"name": DEVICE_HEADER, "in": "header", "required": False,
                "schema": {"type": "string", "pattern": _DEVICE_ID.pattern},
                "description": "A stable random id of the app install, for frequency caps "
                               "and hidden ads of signed-out viewers."}

IMPRESSION_REQUEST = schema("AdImpressionRequest", {
    "type": "object", "required": ["impression_token"],
    "properties": {"impression_token": {"type": "string", "maxLength": 2000}},
})
HIDE_REQUEST = schema("AdHideRequest", {
    "type": "object", "required": ["impression_token", "reason"],
    "properties": {"impression_token": {"type": "string", "maxLength": 2000},
                   "reason": {"type": "string", "enum": list(HIDE_REASONS)}},
})
HIDE_SCHEMA = schema("AdHide", {
    "type": "object", "required": ["campaign_id", "reason"],
    "properties": {"campaign_id": {"type": "integer"}, "reason": {"type": "string"}},
})


def _device_id(viewer: User | None) -> str | None:
    if viewer is not None:
        return None
    raw = request.headers.get(DEVICE_HEADER, "")
    # Without a device id every request is a new anonymous viewer (no cap can be kept).
    return raw if _DEVICE_ID.match(raw) else f"req-{secrets.token_urlsafe(9)}"


def _requester(viewer: User | None) -> ads.Requester:
    return ads.Requester(user_id=viewer.id if viewer is not None else None,
                         anon_id=_device_id(viewer),
                         user_agent=request.headers.get("User-Agent", "")[:500])


def discover_slots(viewer: User | None, language: str, region: str | None,
                   note_ids: list[int], shown: frozenset[int] = frozenset()
                   ) -> list[ads.SponsoredSlot]:
    """The sponsored notes chosen for this caller's Discover page of `note_ids`, leaving
    out the campaigns `shown` by earlier pages.
    """
    anon_id = _device_id(viewer)
    ad_viewer = ads.AdViewer(user_id=viewer.id if viewer is not None else None,
                             anon_id=anon_id, country=region, language=language,
                             is_new=anon_id is not None
                             and anon_id != request.headers.get(DEVICE_HEADER))
    return ads.sponsored_for_page(ad_viewer, "discover", note_ids, shown_campaigns=shown)


def sponsored_object(slot: ads.SponsoredSlot) -> dict:
    """A sponsored item's `sponsored` object, labelled in the current locale."""
    return {"campaign_id": slot.campaign_id, "label": ad_label(slot),
            "impression_token": slot.impression_token,
            "click_url": url_for("notes.ad_click", note_id=slot.note_id,
                                 t=slot.click_token, _external=True)}


def discover_with_sponsored(viewer: User | None, language: str, region: str | None,
                            notes: list[Note], shown: frozenset[int] = frozenset()
                            ) -> tuple[list[Note], dict[int, dict]]:
    """Discover's notes with sponsored ones merged in, and each sponsored index's
    `sponsored` object (labelled in `language`); the campaigns `shown` by earlier pages
    are left out.
    """
    slots = discover_slots(viewer, language, region, [n.id for n in notes], shown)
    if not slots:
        return notes, {}
    loaded = {n.id: n for n in notes if n.id in {s.note_id for s in slots}}
    loaded.update((n.id, n) for n in feed.load_few_notes(
        [s.note_id for s in slots if s.note_id not in loaded],
        market=current_preferences().ship_to_country))
    merged = ads.merge_slots(notes, slots, loaded)
    with force_locale(language):
        sponsored = {index: sponsored_object(slot)
                     for index, (_note, slot) in enumerate(merged) if slot is not None}
    return [note for note, _slot in merged], sponsored


@bp.post("/ads/impressions")
@operation(summary="Report a sponsored note seen", tags=["feed"], auth=False,
           request=IMPRESSION_REQUEST, idempotent=True, params=[DEVICE_PARAM],
           responses={204: None, 400: None, 401: None, 413: None, 429: None})
@limiter.limit(lambda: current_app.config["ADS_TRACKING_RATE_LIMIT"])
@idempotent()
def report_ad_impression():
    """Count the view of a sponsored feed item (half of it on screen for a second). Always
    204 for a well-formed body: forged, replayed or expired tokens are recorded as invalid,
    never billed, and not reported back.
    """
    body = json_body()
    viewer = optional_viewer()
    ads.record_impression(str(body.get("impression_token") or "")[:2000], _requester(viewer))
    commit()
    return "", 204


@bp.post("/ads/hides")
@operation(summary="Hide a sponsored note", tags=["feed"], auth=False, request=HIDE_REQUEST,
           idempotent=True, params=[DEVICE_PARAM],
           responses={201: HIDE_SCHEMA, 400: None, 401: None, 413: None, 422: None})
@idempotent()
def hide_ad():
    """Stop showing this campaign to the viewer, saying why (the token of the item)."""
    body = json_body()
    viewer = optional_viewer()
    hide = ads.hide_sponsored(_requester(viewer), str(body.get("impression_token") or ""),
                              str(body.get("reason") or ""))
    result = {"campaign_id": hide.campaign_id, "reason": hide.reason}
    commit()
    return result, 201
