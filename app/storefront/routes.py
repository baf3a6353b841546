"""Storefront pages: a store, a product, and browsing/search across every store.

Product lists page by keyset: `?after=<product id>` is the last product of the previous
page. The "more" endpoints answer just the next cards, for infinite scroll
(static/js/storefront.js); without JavaScript the "Load more" link opens the next page.

Every page here only reads: stock counts a hold past its expiry as free without
releasing it (the expiry job does), so no page takes a row lock or writes a row.
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.models import Note, Product, Store, User
from app.services import ads
from app.services.catalog import reads as catalog_reads
from app.services.catalog.reads import ProductOffer
from app.services.social import engagement as interactions
from app.services.social import feed
from app.storefront import bp, display
from app.web.cached_pages import public_page
from app.web.cursors import decode_cursor, encode_cursor
from app.web.viewer import current_preferences

PAGE_SIZE = 24  # fills rows of 2, 3 and 4 columns
STORE_NOTES_PAGE_SIZE = 20
MAX_QUERY = 100


def _viewer() -> User | None:
    return current_user if current_user.is_authenticated else None


def _locale() -> str:
    return str(get_locale() or "en")


def _int_arg(name: str) -> int | None:
    """A positive integer query argument, or None when absent or not a number."""
    value = request.args.get(name, type=int)
    return value if value is not None and value > 0 else None


def _offers(products: list[Product]) -> dict[int, ProductOffer]:
    """The products priced and checked for the viewer's currency and ship-to country."""
    prefs = current_preferences()
    return {o.product.id: o for o in catalog_reads.product_offers(
        products, currency=prefs.currency, country=prefs.ship_to_country)}


def _product_cards(store: Store | None, text: str, category: str | None) -> dict:
    """A page of product cards (from `?after=`), their offers and the next page's URLs."""
    after = _int_arg("after")
    page = catalog_reads.list_catalog(store_id=store.id if store else None,
                                      text=text or None, category=category,
                                      after=[after] if after else None, limit=PAGE_SIZE,
                                      market=current_preferences().ship_to_country)
    following = page.next_after[0] if page.next_after else None
    urls = {"next_url": None, "more_url": None}
    if following:
        args = {"q": text or None, "category": category, "after": following}
        if store is None:
            urls = {"next_url": url_for(".browse", **args),
                    "more_url": url_for(".browse_more", **args)}
        else:
            urls = {"next_url": url_for(".store", slug=store.slug, **args),
                    "more_url": url_for(".store_more", slug=store.slug, **args)}
    return {"products": page.items, "offers": _offers(page.items), "display": display,
            "show_store": store is None, **urls}


def _note_cards(notes: list[Note]) -> dict:
    sponsors = ads.sponsor_names([n.id for n in notes])
    for note in notes:  # the paid-partnership label on the card
        note.sponsored_by = sponsors.get(note.id)
    return {"notes": notes,
            "liked_ids": interactions.liked_note_ids(_viewer(), [n.id for n in notes])}


def _search_args() -> tuple[str, str | None]:
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    return text, request.args.get("category") or None


# Browse and search --------------------------------------------------------------------------
@bp.get("/shop")
@public_page
def browse():
    """Every store's active products: text search, a category, newest first."""
    text, category = _search_args()
    cards = _product_cards(None, text, category)
    categories = catalog_reads.store_categories()
    return render_template("storefront/browse.html", query=text, category=category,
                           categories=categories, **cards)


@bp.get("/shop/more")
@public_page
def browse_more():
    """The next cards of /shop, as an HTML fragment for infinite scroll."""
    text, category = _search_args()
    cards = _product_cards(None, text, category)
    return render_template("storefront/_product_page.html", **cards)


# Store --------------------------------------------------------------------------------------
@bp.get("/stores/<slug>")
@public_page
def store(slug: str):
    """A store: who they are, where they ship, their products by category, their notes."""
    shop = catalog_reads.get_public_store_by_slug(slug)
    tab = "notes" if request.args.get("tab") == "notes" else "products"
    text, category = _search_args()
    context: dict = {"store": shop, "tab": tab, "query": text, "category": category,
                     "categories": catalog_reads.store_categories(shop.id), "display": display}
    if tab == "products":
        context.update(_product_cards(shop, text, category))
    else:
        notes = feed.store_feed(shop.id, decode_cursor(2), STORE_NOTES_PAGE_SIZE,
                                market=current_preferences().ship_to_country)
        cursor = encode_cursor(notes.next_cursor) if notes.next_cursor else None
        context.update(_note_cards(notes.notes))
        context["next_url"] = url_for(".store", slug=slug, tab="notes", cursor=cursor) \
            if cursor else None
        context["more_url"] = url_for(".store_notes_more", slug=slug, cursor=cursor) \
            if cursor else None
    return render_template("storefront/store.html", **context)


@bp.get("/stores/<slug>/more")
@public_page
def store_more(slug: str):
    """The store's next product cards, as an HTML fragment."""
    shop = catalog_reads.get_public_store_by_slug(slug)
    text, category = _search_args()
    cards = _product_cards(shop, text, category)
    return render_template("storefront/_product_page.html", **cards)


@bp.get("/stores/<slug>/notes/more")
@public_page
def store_notes_more(slug: str):
    """The store's next note cards, as the feed's fragment (static/js/feed.js)."""
    shop = catalog_reads.get_public_store_by_slug(slug)
    notes = feed.store_feed(shop.id, decode_cursor(2), STORE_NOTES_PAGE_SIZE)
    cursor = encode_cursor(notes.next_cursor) if notes.next_cursor else None
    return render_template(
        "notes/_feed_page.html", **_note_cards(notes.notes),
        more_url=url_for(".store_notes_more", slug=slug, cursor=cursor) if cursor else None,
        next_url=url_for(".store", slug=slug, tab="notes", cursor=cursor) if cursor else None)


# Product ------------------------------------------------------------------------------------
@bp.get("/products/<int:product_id>")
@public_page
def product(product_id: int):
    """A product: gallery, variant picker, price and availability for the viewer, notes.

    `?note=` is the note whose product tag led here; it is kept for the add-to-cart form
    so the purchase is attributed to that note. `?variant=` and `?image=` choose the
    variant and the large image without JavaScript.
    """
    item = catalog_reads.get_public_product(product_id,
                                            market=current_preferences().ship_to_country)
    offer = _offers([item])[item.id]
    locale = _locale()
    selected = display.select_variant(offer, _int_arg("variant"))
    wanted_image = _int_arg("image")
    image = next((i for i in item.images if i.id == wanted_image),
                 item.images[0] if item.images else None)
    notes = catalog_reads.product_notes(item.id)
    context = {
        "product": item, "store": item.store, "offer": offer, "selected": selected,
        "image": image, "note_id": _int_arg("note"), "display": display,
        "title": item.localized_title(locale), "description": item.localized_description(locale),
        "picker": display.picker_data(offer, locale),
        # For the add-to-cart form (templates/checkout/_add_form.html): which variant ids it offers.
        "variant_choices": [(v.variant.id, v.variant.option_label() or v.variant.sku,
                             v.available) for v in offer.variants],
        **_note_cards(notes),
    }
    return render_template("storefront/product.html", **context)
