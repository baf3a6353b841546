"""Note pages: compose, view, edit, delete; the feed (home page and "load more")."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import (
    abort,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.core.transaction import commit, rollback
from app.models import Note, User
from app.notes import bp
from app.notes.ads_routes import ad_viewer, with_sponsored
from app.notes.forms import ActionForm, CollectForm, CommentForm, NoteForm, ReportForm
from app.providers.media import media_url as stored_media_url
from app.services import ads, catalog, moderation
from app.services.catalog.reads import product_offers
from app.services.errors import DomainError, ValidationFailed
from app.services.social import (
    age_gate,
    feed,
    notes,
    product_tags,
    questions,
)
from app.services.social import engagement as interactions
from app.services.social.age_gate import ADULT_SESSION_KEY
from app.web.cached_pages import answer_page, shared_fragments, shared_parts
from app.web.converters import MAX_ROW_ID
from app.web.cursors import decode_cursor, encode_cursor, seen_ads_param
from app.web.forms import select_choices, show_errors_on_form
from app.web.prices import card_price
from app.web.viewer import current_preferences

FEED_PAGE_SIZE = 20
# Where a guest's page of note cards takes them (cached page, per-request sponsored notes).
CARD_GRID_PLACEHOLDER = "<!-- qiao-card-grid -->"
# Where a cached sponsored card takes its viewer's tokens (URL- and HTML-safe, as tokens are).
AD_IMPRESSION_HOLE = "qiao-ad-impression-hole-5b0d"
AD_CLICK_HOLE = "qiao-ad-click-hole-5b0d"


def viewer() -> User | None:
    """The signed-in user, or None for guests."""
    return current_user if current_user.is_authenticated else None


def ui_language() -> str:
    """The two-letter language of the UI for this request."""
    return str(get_locale() or "en")[:2]


@bp.app_template_global()
def media_url(key: str | None) -> str | None:
    """The URL of a stored media file (public or signed, per MEDIA_URL_MODE)."""
    return stored_media_url(key)


# The feed -----------------------------------------------------------------------------------
def audience() -> feed.Audience:
    """The viewer's language and region, for mixing Discover."""
    user = viewer()
    region = (user.home_country if user is not None and user.home_country
              else current_preferences().ship_to_country)
    return feed.Audience(user=user, language=ui_language(), region=region,
                         market=current_preferences().ship_to_country)


def load_feed(tab: str) -> feed.FeedPage:
    """One page of the Discover or Following tab, from `?cursor=`."""
    if tab == "following":
        user = viewer()
        if user is None:
            return feed.FeedPage([], None)
        return feed.following(user, decode_cursor(2), FEED_PAGE_SIZE,
                              market=current_preferences().ship_to_country)
    return feed.discover(audience(), decode_cursor(feed.DISCOVER_CURSOR_LENGTH), FEED_PAGE_SIZE,
                         current_app.config["DISCOVER_FOREIGN_SHARE"],
                         current_app.config["DISCOVER_EXPLORE_SHARE"], cards=True)


def card_context(note_list: list[Note], ad_slots: dict | None = None) -> dict:
    """What note cards need besides the notes: which ones the viewer likes (one query),
    the brand of each paid-partnership note (one query) for its label, the organic cards'
    tagged products (mark_card_products), and the sponsored slots by index in the page
    (app.notes.ads_routes.with_sponsored).
    """
    mark_sponsored(note_list)
    slots = ad_slots or {}
    mark_card_products([note for index, note in enumerate(note_list) if index not in slots])
    return {"liked_ids": interactions.liked_note_ids(viewer(), [n.id for n in note_list]),
            "ad_slots": slots}


def discover_with_ads(tab: str, page: feed.FeedPage, shown: frozenset[int] = frozenset()
                      ) -> tuple[list[Note], dict]:
    """Discover's page with sponsored notes merged in (Following carries no ads), leaving
    out the campaigns `shown` on the page already.
    """
    if tab != "discover":
        return page.notes, {}
    return with_sponsored("discover", page.notes, ui_language(), shown=shown)


def mark_sponsored(note_list: list[Note]) -> None:
    """Set `sponsored_by` (the brand's name) on notes made for a brand partnership."""
    names = ads.sponsor_names([n.id for n in note_list])
    for note in note_list:
        note.sponsored_by = names.get(note.id)


def mark_card_products(note_list: list[Note]) -> None:
    """Set `card_product` on each note: the product strip its card shows (None: nothing
    tagged that the viewer may see), priced in their currency for their ship-to country.
    """
    prefs = current_preferences()
    strips = catalog.card_products(note_list, language=ui_language(), currency=prefs.currency,
                                   country=prefs.ship_to_country, market=prefs.ship_to_country)
    for note in note_list:
        note.card_product = strips.get(note.id)


def dismissing_viewer(tab: str) -> int | None:
    """The viewer's id where cards offer "not interested" (Discover, signed in), else None."""
    user = viewer()
    return user.id if tab == "discover" and user is not None else None


def home_page():
    """Discover and Following as a two-column masonry of note cards."""
    tab = request.args.get("tab", "discover")
    if tab not in feed.FEED_TABS:
        tab = "discover"
    if tab == "discover" and (guest_page := guest_discover_page()) is not None:
        return guest_page
    page = load_feed(tab)
    next_url = url_for("main.index", tab=tab, cursor=encode_cursor(page.next_cursor)) \
        if page.next_cursor else None
    more_url = url_for("notes.feed_more", tab=tab, cursor=encode_cursor(page.next_cursor)) \
        if page.next_cursor else None
    shown, ad_slots = discover_with_ads(tab, page)
    # After "not interested" without JavaScript, the page offers to undo it.
    dismissed = request.args.get("dismissed", type=int) if viewer() is not None else None
    return render_template("main/index.html", tab=tab, notes=shown, next_url=next_url,
                           more_url=more_url, dismiss_for=dismissing_viewer(tab),
                           dismissed_note_id=dismissed if dismissed and 0 < dismissed <= MAX_ROW_ID
                           else None, **card_context(shown, ad_slots))


@dataclass(frozen=True)
class _CachedCard:
    """An organic card of a guest's Discover page, as the shared cache keeps it."""

    id: int
    html: str


def guest_card_page(surface: str, render: Callable[[Markup], tuple[str, list[Note]]],
                    empty_message: str | LazyString, topics: list[str] | None = None,
                    ads_without_cards: bool = True):
    """A guest's page of note cards: the page and its organic cards come from the shared
    cache (rendered once per content version, URL, language, currency and ship-to
    country), the sponsored notes are chosen for this browser and rendered per request.

    `render(grid)` renders the page with `grid` where the cards go and returns it with its
    notes; `ads_without_cards` False leaves a page without cards without sponsored ones.
    None when the viewer's page may not be cached.
    """
    note_card = get_template_attribute("notes/_cards.html", "note_card")

    def build() -> dict:
        html, page_notes = render(Markup(CARD_GRID_PLACEHOLDER))
        mark_sponsored(page_notes)
        mark_card_products(page_notes)
        return {"page": html, "cards": [[n.id, str(note_card(n, False, None))]
                                        for n in page_notes]}

    shared = shared_parts(build)
    if shared is None:
        return None
    key, parts = shared
    organic = [_CachedCard(note_id, html) for note_id, html in parts["cards"]]
    slots = ads.sponsored_for_page(ad_viewer(ui_language()), surface,
                                   [c.id for c in organic], topics=topics) \
        if organic or ads_without_cards else []
    sponsored = sponsored_cards(key, slots) if slots else {}
    cards = [Markup(item.html) if slot is None else Markup(
        item.replace(AD_IMPRESSION_HOLE, slot.impression_token)
        .replace(AD_CLICK_HOLE, slot.click_token))
        for item, slot in ads.merge_slots(organic, slots, sponsored)]
    grid = get_template_attribute("notes/_cards.html", "rendered_grid")(cards, empty_message)
    return answer_page(key, parts["page"].replace(CARD_GRID_PLACEHOLDER, str(grid)))


def sponsored_cards(page_key: str, slots: list[ads.SponsoredSlot]) -> dict[int, str]:
    """Each slot's card by note id, its tokens left as holes, from the shared cache (the
    same for every viewer of the page: only the tokens differ); notes that may not be
    shown (removed, hidden, not sold in the viewer's market) are left out.
    """
    # The card names its campaign (infinite scroll reports the campaigns shown) and its
    # partner brand: one note promoted by two campaigns has two cards.
    by_name = {f"ad-card:{s.note_id}:{s.campaign_id}:{s.partner_brand or ''}": s
               for s in slots}

    def build(missing: list[str]) -> dict[str, str]:
        note_card = get_template_attribute("notes/_cards.html", "note_card")
        loaded = {n.id: n for n in feed.load_card_notes(
            [by_name[name].note_id for name in missing],
            market=current_preferences().ship_to_country)}
        return {name: str(note_card(loaded[slot.note_id], False, replace(
                    slot, impression_token=AD_IMPRESSION_HOLE, click_token=AD_CLICK_HOLE)))
                for name in missing if (slot := by_name[name]).note_id in loaded}

    cards = shared_fragments(page_key, list(by_name), build)
    return {slot.note_id: cards[name] for name, slot in by_name.items() if cards[name]}


def guest_discover_page():
    """Discover's page for a guest from the shared cache (None: not cacheable)."""

    def render(grid: Markup) -> tuple[str, list[Note]]:
        page = load_feed("discover")
        cursor = encode_cursor(page.next_cursor) if page.next_cursor else None
        return render_template(
            "main/index.html", tab="discover", grid=grid,
            next_url=url_for("main.index", tab="discover", cursor=cursor) if cursor else None,
            more_url=url_for("notes.feed_more", tab="discover", cursor=cursor)
            if cursor else None), page.notes

    # Lazy: a page with cards never asks Babel for a translation.
    return guest_card_page("discover", render, _l("No notes yet. Be the first to post one!"))


@bp.get("/feed/more")
def feed_more():
    """The next page of cards as an HTML fragment, for infinite scroll (static/js/feed.js)."""
    tab = request.args.get("tab", "discover")
    if tab not in feed.FEED_TABS:
        abort(404)
    page = load_feed(tab)
    more_url = url_for("notes.feed_more", tab=tab, cursor=encode_cursor(page.next_cursor)) \
        if page.next_cursor else None
    # The scrolling page names the sponsored campaigns it shows already.
    shown, ad_slots = discover_with_ads(tab, page, seen_ads_param())
    return render_template("notes/_feed_page.html", notes=shown, more_url=more_url,
                           dismiss_for=dismissing_viewer(tab),
                           next_url=url_for("main.index", tab=tab,
                                            cursor=encode_cursor(page.next_cursor))
                           if page.next_cursor else None,
                           **card_context(shown, ad_slots))


# Compose and edit ---------------------------------------------------------------------------
def _uploads(form: NoteForm) -> list[notes.ImageUpload]:
    files = [f for f in (form.images.data or []) if f and getattr(f, "filename", "")]
    return [notes.ImageUpload(data=f.read(), filename=f.filename) for f in files]


def _tag_rows(form: NoteForm) -> list[product_tags.TagInput] | None:
    """Tags from the form's rows (None when every row is empty: keep the note's tags)."""
    found = []
    for row in form.tags.entries:
        data = row.form
        chosen = data.product_id.data or ""
        product_id = int(chosen) if chosen.isdigit() else data.other_product_id.data
        if product_id is None:
            continue
        found.append(product_tags.TagInput((data.image.data or 1) - 1,
                                    data.x.data if data.x.data is not None else 50.0,
                                    data.y.data if data.y.data is not None else 50.0,
                                    product_id))
    return found or None


def _product_choices(user: User) -> list[SelectChoice]:
    """Products of the stores the user works for, to pin on their notes."""
    return select_choices([("", "—")] + [(str(p.id), f"{p.title} (#{p.id})")
                                         for p in product_tags.taggable_products(user)])


def _prepare_tag_rows(form: NoteForm, note: Note | None) -> None:
    choices = _product_choices(current_user)
    if note is not None and request.method == "GET":
        # One row per existing tag (plus a free one), so saving keeps every tag.
        while len(form.tags.entries) < min(len(note.product_tags) + 1, form.tags.max_entries):
            form.tags.append_entry()
        for row, tag in zip(form.tags.entries, note.product_tags, strict=False):
            row.form.product_id.data = str(tag.product_id)
            row.form.image.data = tag.image_position + 1
            row.form.x.data, row.form.y.data = tag.x, tag.y
    for row in form.tags.entries:
        row.form.product_id.choices = choices


def _tags(form: NoteForm) -> list[product_tags.TagInput] | None:
    raw = (form.tags_json.data or "").strip()
    if not raw:
        return _tag_rows(form)
    try:
        items = json.loads(raw)
    except ValueError:
        items = None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(_("The product tags could not be read."),
                               code="invalid_product_tag",
                               fields={"tags_json": [_("The product tags could not be read.")]})
    return [product_tags.TagInput(i.get("image_index"), i.get("x"), i.get("y"), i.get("product_id"))
            for i in items]


def _cover_index(form: NoteForm) -> int:
    return (form.cover_index.data or 1) - 1


@bp.route("/notes/new", methods=["GET", "POST"])
@login_required
def compose():
    """Write a note: title, text with #topics and @mentions, 1-9 images."""
    form = NoteForm()
    _prepare_tag_rows(form, None)
    if not form.is_submitted() and request.args.get("topic"):  # "Write a note for this event"
        form.body.data = f"\n#{request.args['topic'][:40]}"
    if not current_user.is_email_verified:
        return render_template("notes/compose.html", form=form, note=None,
                               blocked=True), 403 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            note = notes.create_note(current_user, title=form.title.data, body=form.body.data,
                                     images=_uploads(form), cover_index=_cover_index(form),
                                     publish=not form.save_draft.data,
                                     product_tags=_tags(form),
                                     question_to=form.question_to.data or None)
        except DomainError as exc:
            rollback()
            show_errors_on_form(form, exc)
            return render_template("notes/compose.html", form=form, note=None), 422
        commit()  # in-process jobs (no broker) have screened the note by now
        if note.status == "published" and note.moderation_state in ("pending", "held"):
            flash(_("Your note is posted and waits for a quick review before others see it."),
                  "info")
        else:
            flash(_("Your note is live.") if note.is_published else _("Draft saved."),
                  "success")
        return redirect(url_for("notes.show", note_id=note.id), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("notes/compose.html", form=form, note=None), status


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit(note_id: int):
    """Edit one's own note; uploading images replaces all the old ones."""
    note = notes.get_own_note(current_user, note_id)
    form = NoteForm(obj=note)
    _prepare_tag_rows(form, note)
    if request.method == "GET":
        cover = next((i.position for i in note.images if i.is_cover), 0)
        form.cover_index.data = cover + 1
        form.tags_json.data = ""
    if form.validate_on_submit():
        uploads = _uploads(form)
        try:
            publish = True if form.publish.data else (False if form.save_draft.data else None)
            notes.update_note(current_user, note.id, title=form.title.data,
                              body=form.body.data or "", publish=publish,
                              images=uploads or None, cover_index=_cover_index(form),
                              product_tags=_tags(form),
                              question_to=form.question_to.data or "")
        except DomainError as exc:
            rollback()
            show_errors_on_form(form, exc)
            return render_template("notes/compose.html", form=form,
                                   note=notes.get_own_note(current_user, note_id)), 422
        commit()
        flash(_("Note saved."), "success")
        return redirect(url_for("notes.show", note_id=note_id), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("notes/compose.html", form=form, note=note), status


@bp.post("/notes/<int:note_id>/delete")
@login_required
def delete(note_id: int):
    """Delete one's own note."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    notes.delete_note(current_user, note_id)
    commit()
    flash(_("Note deleted."), "success")
    return redirect(url_for("notes.profile", user_id=current_user.id), code=303)


# The note page ------------------------------------------------------------------------------
@bp.get("/notes/<int:note_id>")
def show(note_id: int):
    """A note: images, text, tagged products, likes, boards, comments ("See translation")."""
    user = viewer()
    note = notes.get_note(user, note_id, market=current_preferences().ship_to_country)
    if age_gate.age_gate_applies(user, note, confirmed_in_session=ADULT_SESSION_KEY in session):
        return render_template("notes/age_gate.html", note=note,
                               form=ActionForm(next=request.full_path.rstrip("?")))
    if note.question_to and note.is_published:
        # A question's answers: the best one, then the addressed side's, then the others.
        ranked = questions.answers(note, limit=50, market=current_preferences().ship_to_country)
        threads, more_comments = ranked.answers, ranked.next_cursor is not None
    else:
        threads, more_comments = interactions.comment_threads(
            note, limit=50, market=current_preferences().ship_to_country,
            viewer_id=user.id if user is not None else None)
    comment_ids = [t.comment.id for t in threads] + [r.id for t in threads for r in t.replies]
    language = ui_language()
    collect_form = CollectForm()
    if user is not None:
        boards = interactions.boards_of(user, user)
        collect_form.board_id.choices = select_choices([("", _("Saved (default)"))] + [
            (str(b.id), b.name) for b in boards if b.name != interactions.DEFAULT_BOARD_NAME])
    return render_template(
        "notes/show.html", note=note, threads=threads, more_comments=more_comments,
        sponsor=ads.sponsor_names([note.id]).get(note.id),
        liked=note.id in interactions.liked_note_ids(user, [note.id]),
        collected=note.id in interactions.collected_note_ids(user, [note.id]),
        liked_comment_ids=interactions.liked_comment_ids(user, comment_ids),
        following=interactions.is_following(user, note.author_id),
        has_best_answer=any(t.comment.is_best_answer for t in threads),
        is_author=user is not None and user.id == note.author_id,
        ui_language=language,
        comment_form=CommentForm(), report_form=ReportForm(), collect_form=collect_form,
        action_form=ActionForm(), tags=_tag_offers(note),
        moderation_case=moderation.latest_case("note", note.id)
        if user is not None and user.id == note.author_id
        and (note.moderation_state != "visible" or note.hidden_markets) else None,
    )


def _tag_offers(note: Note) -> list[dict]:
    """The note's product tags with each product priced for the viewer."""
    if not note.product_tags:
        return []
    prefs = current_preferences()
    products = {t.product.id: t.product for t in note.product_tags}
    try:
        offers = {o.product.id: o for o in product_offers(
            list(products.values()), currency=prefs.currency, country=prefs.ship_to_country)}
    except DomainError:
        offers = {}
    locale = str(get_locale() or "en")
    # "From" when the variants' prices differ, as on the product card: the cheapest is not
    # necessarily the one the shopper will open.
    return [{"tag": tag, "offer": offers.get(tag.product_id),
             "price": card_price(offers[tag.product_id], locale)
             if tag.product_id in offers else ""}
            for tag in note.product_tags
            if tag.product.is_for_sale and not tag.product.hidden_in(prefs.ship_to_country)]
