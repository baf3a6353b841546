"""Feed API: Discover and Following, profiles and topics, with keyset cursors; "not
interested" and the topics a new person starts Discover with.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from flask import current_app, request
from flask_babel import force_locale

from app.api import bp
from app.api.ad_delivery import (
    DEVICE_PARAM,
    discover_slots,
    discover_with_sponsored,
    sponsored_object,
)
from app.api.core import PAGE_PARAMS, api_user, json_body, page_limit, token_required
from app.api.fields import id_field
from app.api.notes import NOTE_SCHEMA, notes_json, optional_viewer
from app.api.openapi import list_of, operation, schema
from app.core.transaction import commit
from app.extensions import limiter
from app.models import User, utcnow
from app.services import ads
from app.services.ads import placements
from app.services.catalog import reads as catalog_reads
from app.services.errors import Unauthorized, ValidationFailed
from app.services.social import engagement as interactions
from app.services.social import feed, interests, topics
from app.web.cached_pages import answer_page, shared_fragments, shared_parts
from app.web.cursors import (
    add_shown_ads,
    decode_cursor,
    decode_feed_cursor,
    encode_cursor,
    encode_feed_cursor,
)
from app.web.viewer import current_preferences

NOTE_LIST = list_of(NOTE_SCHEMA)
NOT_INTERESTED_STATE = schema("NotInterestedState", {
    "type": "object", "required": ["note_id", "not_interested"],
    "properties": {"note_id": {"type": "integer"}, "not_interested": {"type": "boolean"}},
})
TOPIC_PICK_REQUEST = schema("TopicPickRequest", {
    "type": "object", "required": ["topic_ids"],
    "properties": {"topic_ids": {"type": "array", "items": {"type": "integer"},
                                 "minItems": interests.MIN_PICKED_TOPICS,
                                 "maxItems": interests.MAX_PICKED_TOPICS}},
})
TOPIC_PICK_STATE = schema("TopicPickState", {
    "type": "object", "required": ["topic_ids"],
    "properties": {"topic_ids": {"type": "array", "items": {"type": "integer"},
                                 "description": "Every topic the profile now favours."}},
})


def _page_body(page: feed.FeedPage, viewer: User | None) -> dict:
    return {"items": notes_json(page.notes, viewer),
            "next_cursor": encode_cursor(page.next_cursor) if page.next_cursor else None}


@bp.get("/feed")
@operation(summary="Discover or Following", tags=["feed"], auth=False,
           params=[{"name": "tab", "in": "query", "required": False,
                    "schema": {"type": "string", "enum": list(feed.FEED_TABS),
                               "default": "discover"}},
                   {"name": "lang", "in": "query", "required": False,
                    "schema": {"type": "string"},
                    "description": "Viewer language for Discover's mix (default: the "
                                   "account's or Accept-Language)."},
                   DEVICE_PARAM, *PAGE_PARAMS],
           responses={200: NOTE_LIST, 400: None, 401: None, 422: None})
def get_feed():
    """Discover (anyone; a share of each page from other languages and regions) or
    Following (needs a token). Items are notes; Discover merges in sponsored notes at
    configured positions, which carry `sponsored: {campaign_id, label, impression_token,
    click_url}` (organic ones `sponsored: false`); Discover's `next_cursor` also names the
    campaigns shown so far, so later pages show others. Apps report each first Discover
    page they show with `POST /api/v1/feed/discover-views`.
    """
    viewer = optional_viewer()
    tab = request.args.get("tab", "discover")
    if tab not in feed.FEED_TABS:
        raise ValidationFailed("tab must be discover or following.",
                               fields={"tab": ["Use discover or following."]})
    limit = page_limit()
    if tab == "following":
        if viewer is None:
            raise Unauthorized("The Following feed needs a bearer token.",
                               code="authentication_required")
        page = feed.following(viewer, decode_cursor(2), limit,
                              market=current_preferences().ship_to_country)
    else:
        prefs = current_preferences()
        language = (request.args.get("lang") or prefs.locale or "en")[:2].lower()
        region = viewer.home_country if viewer is not None and viewer.home_country \
            else prefs.ship_to_country
        if viewer is None and (cached := _guest_discover(language, region, limit)) is not None:
            return cached
        cursor, seen = decode_feed_cursor(feed.DISCOVER_CURSOR_LENGTH)
        page = feed.discover(feed.Audience(viewer, language, region, prefs.ship_to_country),
                             cursor, limit, current_app.config["DISCOVER_FOREIGN_SHARE"],
                             current_app.config["DISCOVER_EXPLORE_SHARE"])
        shown, sponsored = discover_with_sponsored(viewer, language, region, page.notes, seen)
        items = notes_json(shown, viewer)
        for index, ad in sponsored.items():
            items[index]["sponsored"] = ad
        # The next page's cursor names the campaigns shown so far: it shows others.
        seen |= {ad["campaign_id"] for ad in sponsored.values()}
        body = {"items": items, "next_cursor": encode_feed_cursor(page.next_cursor, seen)
                if page.next_cursor else None}
        commit()
        return body
    body = _page_body(page, viewer)
    commit()
    return body


@bp.post("/feed/discover-views")
@operation(summary="Report a Discover first page shown", tags=["feed"], auth=False,
           responses={204: None, 401: None, 429: None})
@limiter.limit(lambda: current_app.config["ADS_TRACKING_RATE_LIMIT"])
def report_discover_view():
    """Count one Discover first page shown, in the caller's country (the traffic that
    guaranteed placements are forecast from). Apps call it when they show the first page
    of `GET /api/v1/feed`, as the web page's script does: reading the feed writes nothing.
    """
    viewer = optional_viewer()
    region = viewer.home_country if viewer is not None and viewer.home_country \
        else current_preferences().ship_to_country
    placements.record_discover_view(region, utcnow())
    commit()
    return "", 204


@dataclass(frozen=True)
class _CachedItem:
    """An item of a guest's Discover page as the shared cache keeps it: its JSON text."""

    id: int
    text: str


def _guest_discover(language: str, region: str | None, limit: int):
    """Discover for a caller without a token: the organic items from the shared cache,
    the sponsored ones chosen per request (None when nothing may be cached).

    Items stay JSON text from the cache to the answer: decoding and encoding every item
    of the page cost as much as the rest of the request.
    """
    market = current_preferences().ship_to_country
    dumps = current_app.json.dumps

    cursor, seen = decode_feed_cursor(feed.DISCOVER_CURSOR_LENGTH)

    def build() -> dict:
        page = feed.discover(feed.Audience(None, language, region, market), cursor,
                             limit, current_app.config["DISCOVER_FOREIGN_SHARE"])
        body = _page_body(page, None)
        return {"items": [[item["id"], dumps(item)] for item in body["items"]],
                "next_cursor": body["next_cursor"]}

    shared = shared_parts(build)
    if shared is None:
        return None
    key, parts = shared
    organic = [_CachedItem(note_id, text) for note_id, text in parts["items"]]
    slots = discover_slots(None, language, region, [c.id for c in organic], seen)
    texts = [item.text for item in organic]
    if slots:
        with force_locale(language):
            texts = [entry.text if slot is None else dumps(
                {**json.loads(entry.text), "sponsored": sponsored_object(slot)})
                for entry, slot in ads.merge_slots(organic, slots,
                                                   _sponsored_items(key, slots))]
    # The next page's cursor names the campaigns shown so far: it shows others.
    seen |= {slot.campaign_id for slot in slots}
    next_cursor = parts["next_cursor"]
    if seen and next_cursor:
        next_cursor = add_shown_ads(next_cursor, seen)
    commit()
    body = f'{{"items": [{", ".join(texts)}], "next_cursor": {dumps(next_cursor)}}}'
    return answer_page(key, body, "application/json")


def _sponsored_items(page_key: str, slots: list[ads.SponsoredSlot]) -> dict[int, _CachedItem]:
    """Each slot's note as a feed item, from the shared cache (the same for every guest of
    the page: the `sponsored` object is added per request); notes that may not be shown
    are left out.
    """
    names = {f"ad-item:{slot.note_id}": slot.note_id for slot in slots}

    def build(missing: list[str]) -> dict[str, str]:
        notes = feed.load_few_notes([names[name] for name in missing],
                                    market=current_preferences().ship_to_country)
        return {f"ad-item:{note.id}": current_app.json.dumps(item)
                for note, item in zip(notes, notes_json(notes, None), strict=True)}

    items = shared_fragments(page_key, list(names), build)
    return {note_id: _CachedItem(note_id, items[name])
            for name, note_id in names.items() if items[name]}


@bp.get("/users/<int:user_id>/notes")
@operation(summary="A user's notes", tags=["feed"], auth=False, params=PAGE_PARAMS,
           responses={200: NOTE_LIST, 400: None, 404: None, 422: None})
def user_notes(user_id: int):
    """Newest first; with the author's own token, drafts too."""
    viewer = optional_viewer()
    author = interactions.active_user(user_id)
    body = _page_body(feed.author_feed(
        author, viewer, decode_cursor(1), page_limit(),
        market=current_preferences().ship_to_country), viewer)
    commit()
    return body


@bp.get("/stores/<int:store_id>/notes")
@operation(summary="Notes tagging a store's products", tags=["feed"], auth=False,
           params=PAGE_PARAMS, responses={200: NOTE_LIST, 400: None, 404: None, 422: None})
def store_notes(store_id: int):
    """Shoppable notes that pin the store's products, newest first."""
    viewer = optional_viewer()
    catalog_reads.get_public_store(store_id)
    body = _page_body(feed.store_feed(store_id, decode_cursor(2), page_limit(),
                                      market=current_preferences().ship_to_country), viewer)
    commit()
    return body


SIDE_PARAM = {"name": "side", "in": "query", "required": False,
              "schema": {"type": "string", "enum": list(topics.SIDE_FILTERS), "default": "all"},
              "description": "Notes from China or from abroad (the side Discover's foreign "
                             "share uses); with view=questions, the side a question asks."}
VIEW_PARAM = {"name": "view", "in": "query", "required": False,
              "schema": {"type": "string", "enum": list(topics.TOPIC_VIEWS),
                         "default": "notes"},
              "description": "notes: every note; questions: only questions to a side."}
SIDE_COUNTS = {"type": "object", "required": ["all", "china", "abroad"],
               "properties": {"all": {"type": "integer"}, "china": {"type": "integer"},
                              "abroad": {"type": "integer"}}}
TOPIC_PAGE = schema("TopicPage", {
    "type": "object", "required": ["name", "names", "note_counts", "question_counts"],
    "properties": {
        "name": {"type": "string", "description": "The canonical name (the page's address)."},
        "names": {"type": "array", "items": {"type": "string"},
                  "description": "Every linked name, the canonical one first."},
        "note_counts": {**SIDE_COUNTS, "description": "Shown notes of the whole group, "
                                                      "each counted once, by side."},
        "question_counts": {**SIDE_COUNTS, "description": "Its questions, by the side "
                                                          "they ask."},
    },
})


@bp.get("/topics/<name>")
@operation(summary="A topic with both sides' counts", tags=["feed"], auth=False,
           responses={200: TOPIC_PAGE, 404: None})
def topic_detail(name: str):
    """A topic, its names in every language and how many notes and questions come from
    China and from abroad. Any name of the topic works, in any case: a linked name (#茶
    linked to #tea) answers for its whole group.
    """
    found = topics.find_topic(name)
    market = current_preferences().ship_to_country
    notes_header = topics.topic_page(found, "notes", market=market)
    questions = topics.side_counts(notes_header.group, "questions", market=market)
    body = {"name": notes_header.topic.name, "names": notes_header.names,
            "note_counts": asdict(notes_header.counts), "question_counts": asdict(questions)}
    commit()
    return body


@bp.get("/topics/<name>/notes")
@operation(summary="Notes carrying a #topic", tags=["feed"], auth=False,
           params=[SIDE_PARAM, VIEW_PARAM, *PAGE_PARAMS],
           responses={200: NOTE_LIST, 400: None, 404: None, 422: None})
def topic_notes(name: str):
    """Published notes of the topic and every topic linked to it (by any of their names),
    newest first: all, from China or from abroad; or its questions (`view=questions`), to
    China or abroad.
    """
    viewer = optional_viewer()
    page = topics.topic_feed(topics.group_of(topics.find_topic(name)), decode_cursor(2),
                             page_limit(),
                             side=request.args.get("side", "all"),
                             view=request.args.get("view", "notes"),
                             market=current_preferences().ship_to_country)
    body = _page_body(page, viewer)
    commit()
    return body


@bp.post("/notes/<int:note_id>/not-interested")
@operation(summary="Not interested in a note", tags=["feed"],
           responses={200: NOT_INTERESTED_STATE, 401: None, 403: None, 404: None, 422: None})
@token_required("write")
def dismiss_note(note_id: int):
    """Leave the note out of your Discover and show fewer by its creator and on its topics
    (twice changes nothing; your own note: 422 `own_note`).
    """
    interests.dismiss_note(api_user(), note_id)
    commit()
    return {"note_id": note_id, "not_interested": True}


@bp.delete("/notes/<int:note_id>/not-interested")
@operation(summary="Undo \"not interested\"", tags=["feed"],
           responses={200: NOT_INTERESTED_STATE, 401: None, 403: None, 404: None})
@token_required("write")
def undo_dismissal(note_id: int):
    """The note returns to your Discover, its creator and topics get their weight back."""
    interests.undo_dismissal(api_user(), note_id)
    commit()
    return {"note_id": note_id, "not_interested": False}


@bp.post("/me/topics")
@operation(summary="Pick topics for Discover", tags=["feed"], request=TOPIC_PICK_REQUEST,
           responses={200: TOPIC_PICK_STATE, 400: None, 401: None, 403: None, 413: None,
                      422: None})
@token_required("write")
def pick_topics():
    """Start (or strengthen) Discover's interest profile with 1 to 10 topics, as the
    optional step after signing up does.
    """
    raw = json_body().get("topic_ids")
    if not isinstance(raw, list):
        raise ValidationFailed("topic_ids must be a list of topic ids.",
                               code="invalid_topic_choice",
                               fields={"topic_ids": ["Send a list of topic ids."]})
    user = api_user()
    interests.pick_topics(user, [id_field(value, "topic_ids") or 0 for value in raw])
    commit()
    return {"topic_ids": sorted(interests.picked_topic_ids(user))}
