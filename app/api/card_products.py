"""The product strip of a note's feed card in the API: the first tagged product the viewer
may see, priced in their currency (app.services.catalog.card_products).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import get_locale

from app.api.openapi import ref, schema
from app.models import Note
from app.providers.media import media_storage
from app.services import catalog
from app.services.catalog import CardProduct
from app.web.viewer import current_preferences

CARD_PRODUCT_SCHEMA = schema("NoteCardProduct", {
    "type": "object",
    "required": ["product_id", "tag_id", "title", "thumbnail_url", "price", "price_is_from",
                 "more", "url"],
    "description": "The first product the note tags that the viewer may see (live, not "
                   "held, restricted or out of market in their ship-to country), as the "
                   "feed card shows it.",
    "properties": {
        "product_id": {"type": "integer"}, "tag_id": {"type": "integer"},
        "title": {"type": "string", "description": "In the request's language when the "
                                                   "merchant wrote one."},
        "thumbnail_url": {"type": ["string", "null"], "description": "The first photo's "
                                                                     "thumb rendition."},
        "price": {"oneOf": [ref("Money"), {"type": "null"}],
                  "description": "The lowest price in the viewer's currency (the "
                                 "merchant's fixed price, else converted at today's rate)."},
        "price_is_from": {"type": "boolean",
                          "description": "The variants' prices differ: show \"From\"."},
        "more": {"type": "integer", "minimum": 0,
                 "description": "How many other products of the note the viewer may see."},
        "url": {"type": "string", "description": "Opens the product; the tap is attributed "
                                                 "to the note."},
    },
})

def card_products(note_list: list[Note]) -> dict[int, CardProduct]:
    """Each note's strip by id, for the request's language, currency and ship-to country."""
    prefs = current_preferences()
    return catalog.card_products(note_list, language=str(get_locale() or "en")[:2],
                                 currency=prefs.currency, country=prefs.ship_to_country,
                                 market=prefs.ship_to_country)


def card_product_json(strip: CardProduct) -> dict[str, Any]:
    """A strip as a note item's `card_product`."""
    thumb = strip.photo.keys.get("thumb") if strip.photo is not None else None
    return {"product_id": strip.tag.product_id, "tag_id": strip.tag.id, "title": strip.title,
            "thumbnail_url": media_storage().url(thumb) if thumb else None,
            "price": strip.price.to_api() if strip.price else None,
            "price_is_from": strip.price_is_from, "more": strip.more,
            "url": url_for("notes.tag_click", tag_id=strip.tag.id, _external=True)}
