"""Likes, boards, comments, follows, reports; profiles, topics, search and notifications."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.transaction import commit, rollback
from app.notes import bp
from app.notes.ads_routes import search_topics, with_sponsored
from app.notes.forms import ActionForm, BoardForm, CollectForm, CommentForm, ReportForm
from app.notes.routes import card_context, guest_card_page, ui_language, viewer
from app.services import moderation
from app.services.errors import DomainError
from app.services.social import engagement as interactions
from app.services.social import (
    feed,
    notifications,
    product_tags,
    questions,
    search,
    topics,
)
from app.services.social.language import detect_language
from app.web.cursors import decode_cursor, encode_cursor
from app.web.forms import safe_next_url
from app.web.viewer import current_preferences

GRID_PAGE_SIZE = 20
# Endpoints of a storefront product page, if the storefront blueprint provides one.
def _back(default: str) -> str:
    """Where to go after a button: the form's `next` if it is on this site."""
    return safe_next_url(request.form.get("next"), default_endpoint="main.index") \
        if request.form.get("next") else default


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _act(action, default_url: str, success: str | None = None):
    """Run a one-button action: commit and go back, or show the problem and go back."""
    _check_csrf()
    try:
        action()
    except DomainError as exc:
        rollback()
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return redirect(_back(default_url), code=303)
    commit()
    if success:
        flash(success, "success")
    return redirect(_back(default_url), code=303)


def _note_url(note_id: int) -> str:
    return url_for("notes.show", note_id=note_id)


# Likes and boards ---------------------------------------------------------------------------
@bp.post("/notes/<int:note_id>/like")
@login_required
def like(note_id: int):
    """Like a note."""
    return _act(lambda: interactions.like_note(current_user, note_id), _note_url(note_id))


@bp.post("/notes/<int:note_id>/unlike")
@login_required
def unlike(note_id: int):
    """Take a like back."""
    return _act(lambda: interactions.unlike_note(current_user, note_id), _note_url(note_id))


@bp.post("/notes/<int:note_id>/collect")
@login_required
def collect(note_id: int):
    """Save a note into a board (an existing one, or a new one named in the form)."""
    form = CollectForm()
    form.board_id.choices = []
    if not form.validate_on_submit():
        abort(400)

    def save():
        board_id = int(form.board_id.data) if (form.board_id.data or "").isdigit() else None
        if form.new_board.data and form.new_board.data.strip():
            board_id = interactions.create_board(
                current_user, form.new_board.data,
                is_private=bool(form.new_board_private.data)).id
        interactions.collect_note(current_user, note_id, board_id)

    try:
        save()
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(_note_url(note_id), code=303)
    commit()
    flash(_("Saved to your board."), "success")
    return redirect(_note_url(note_id), code=303)


@bp.post("/notes/<int:note_id>/uncollect")
@login_required
def uncollect(note_id: int):
    """Remove a note from all of the viewer's boards."""
    return _act(lambda: interactions.uncollect_note(current_user, note_id), _note_url(note_id))


@bp.post("/boards")
@login_required
def create_board():
    """Create a board from the profile page."""
    form = BoardForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("notes.profile", user_id=current_user.id), code=303)
    try:
        board = interactions.create_board(current_user, form.name.data,
                                          is_private=bool(form.is_private.data))
    except DomainError as exc:
        rollback()
        flash(exc.message, "error")
        return redirect(url_for("notes.profile", user_id=current_user.id), code=303)
    commit()
    return redirect(url_for("notes.board", board_id=board.id), code=303)


@bp.get("/boards/<int:board_id>")
def board(board_id: int):
    """A board's notes (private boards only for their owner)."""
    found = interactions.visible_board(viewer(), board_id)
    page = feed.board_feed(found, decode_cursor(1), GRID_PAGE_SIZE,
                           market=current_preferences().ship_to_country)
    return render_template("notes/board.html", board=found, notes=page.notes,
                           next_url=url_for("notes.board", board_id=board_id,
                                            cursor=encode_cursor(page.next_cursor))
                           if page.next_cursor else None,
                           action_form=ActionForm(), **card_context(page.notes))


@bp.post("/boards/<int:board_id>/delete")
@login_required
def delete_board(board_id: int):
    """Delete one of the viewer's boards."""
    return _act(lambda: interactions.delete_board(current_user, board_id),
                url_for("notes.profile", user_id=current_user.id), _("Board deleted."))


# Comments -----------------------------------------------------------------------------------
@bp.post("/notes/<int:note_id>/comments")
@login_required
def comment(note_id: int):
    """Comment on a note, or reply to a comment."""
    form = CommentForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
        return redirect(_note_url(note_id) + "#comments", code=303)
    parent = form.parent_id.data
    try:
        created = interactions.add_comment(current_user, note_id, form.body.data,
                                           parent_id=int(parent) if parent and
                                           parent.isdigit() else None)
    except DomainError as exc:
        rollback()
        if exc.status == 404 and not exc.fields:
            raise
        flash(exc.message, "error")
        return redirect(_note_url(note_id) + "#comments", code=303)
    commit()
    return redirect(_note_url(note_id) + f"#comment-{created.id}", code=303)


@bp.post("/comments/<int:comment_id>/like")
@login_required
def like_comment(comment_id: int):
    """Like a comment."""
    return _act(lambda: interactions.like_comment(current_user, comment_id),
                url_for("main.index"))


@bp.post("/comments/<int:comment_id>/unlike")
@login_required
def unlike_comment(comment_id: int):
    """Take back a comment like."""
    return _act(lambda: interactions.unlike_comment(current_user, comment_id),
                url_for("main.index"))


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    """Delete a comment (its author or the note's author)."""
    return _act(lambda: interactions.delete_comment(current_user, comment_id),
                url_for("main.index"), _("Comment deleted."))


# Reports ------------------------------------------------------------------------------------
@bp.post("/report/<any(note, comment, user, product):target_type>/<int:target_id>")
@login_required
def report(target_type: str, target_id: int):
    """Report a note, comment, user or product: it goes to the moderators' queue."""
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("Choose a reason for the report."), "error")
        return redirect(_back(url_for("main.index")), code=303)
    try:
        moderation.report_content(current_user, target_type, target_id, form.reason.data,
                                  form.details.data or "")
    except DomainError as exc:
        rollback()
        if exc.status == 404:
            raise
        flash(exc.message, "info" if exc.code == "already_reported" else "error")
        return redirect(_back(url_for("main.index")), code=303)
    commit()
    flash(_("Thank you. The moderators will look at it, and we will tell you the outcome."),
          "success")
    return redirect(_back(url_for("main.index")), code=303)


# Follows and profiles ---------------------------------------------------------------------------
@bp.post("/u/<int:user_id>/follow")
@login_required
def follow(user_id: int):
    """Follow someone."""
    return _act(lambda: interactions.follow_user(current_user, user_id),
                url_for("notes.profile", user_id=user_id))


@bp.post("/u/<int:user_id>/unfollow")
@login_required
def unfollow(user_id: int):
    """Stop following someone."""
    return _act(lambda: interactions.unfollow_user(current_user, user_id),
                url_for("notes.profile", user_id=user_id))


@bp.get("/u/<int:user_id>")
def profile(user_id: int):
    """A user's notes (the owner also sees drafts), boards, follower counts."""
    person = interactions.active_user(user_id)
    user = viewer()
    page = feed.author_feed(person, user, decode_cursor(1), GRID_PAGE_SIZE,
                            market=current_preferences().ship_to_country)
    followers, following_count = interactions.follow_counts(person.id)
    return render_template(
        "notes/profile.html", person=person, notes=page.notes,
        bio_language=detect_language(person.bio),
        next_url=url_for("notes.profile", user_id=user_id,
                         cursor=encode_cursor(page.next_cursor)) if page.next_cursor else None,
        boards=interactions.boards_of(person, user), followers=followers,
        following_count=following_count,
        following=interactions.is_following(user, person.id),
        is_self=user is not None and user.id == person.id, action_form=ActionForm(),
        board_form=BoardForm(), report_form=ReportForm(), **card_context(page.notes))


@bp.get("/topics/<name>")
def topic(name: str):
    """A topic's notes from both sides of the border (all, from China, from abroad) with
    each side's count, or its questions; a linked name opens its canonical topic's page.
    """
    found = topics.find_topic(name)
    side = request.args.get("side", "all")
    view = request.args.get("view", "notes")
    if found.canonical_id is not None or found.name != name \
            or side not in topics.SIDE_FILTERS or view not in topics.TOPIC_VIEWS:
        target = found.canonical if found.canonical_id is not None else found
        return redirect(url_for("notes.topic", name=target.name,
                                side=side if side in topics.SIDE_FILTERS[1:] else None,
                                view=view if view == "questions" else None), code=302)
    market = current_preferences().ship_to_country
    header = topics.topic_page(found, view, market=market)
    page = topics.topic_feed(header.group, decode_cursor(2), GRID_PAGE_SIZE, side=side,
                             view=view, market=market)
    shown, ad_slots = with_sponsored("topic", page.notes, ui_language(), topics=header.names)
    return render_template("notes/topic.html", topic=found, header=header, side=side,
                           view=view, title_name=topics.name_for_language(header.names,
                                                                          ui_language()),
                           notes=shown,
                           next_url=url_for("notes.topic", name=found.name, side=side,
                                            view=view, cursor=encode_cursor(page.next_cursor))
                           if page.next_cursor else None, **card_context(shown, ad_slots))


@bp.post("/notes/<int:note_id>/best-answer/<int:comment_id>")
@login_required
def best_answer(note_id: int, comment_id: int):
    """The asker picks the best answer to their question."""
    return _act(lambda: questions.choose_best_answer(current_user, note_id, comment_id),
                _note_url(note_id) + "#comments", _("You picked the best answer."))


# Product tags -------------------------------------------------------------------------------
@bp.get("/t/<int:tag_id>")
def tag_click(tag_id: int):
    """Count a tap on a product tag, then open the product (attributed to the note)."""
    tag = product_tags.record_tag_click(tag_id)
    commit()
    # The note's id rides along so a purchase from the product page is attributed to it.
    return redirect(url_for("storefront.product", product_id=tag.product_id, note=tag.note_id),
                    code=303)


# Search -------------------------------------------------------------------------------------
@bp.get("/search")
def search_page():
    """Search notes, products, users and topics."""
    query = (request.args.get("q") or "").strip()
    kind = request.args.get("type", "notes")
    if kind not in search.SEARCH_TYPES:
        kind = "notes"
    if kind == "notes" and query:
        # A guest's note search: cached page and cards, sponsored notes per request.
        page = guest_card_page(
            "search", lambda grid: _search_results(query, kind, grid=grid),
            _l("No notes match “%(q)s”.", q=query), topics=search_topics(query),
            ads_without_cards=False)
        if page is not None:
            return page
    return _search_results(query, kind)[0]


def _search_results(query: str, kind: str, *, grid=None) -> tuple[str, list]:
    """The search page and the items it found (the notes' cards in `grid` when given)."""
    result = None
    error = None
    if query:
        try:
            result = search.search(query, kind, decode_cursor(
                1 if kind == "products" else 2), GRID_PAGE_SIZE,
                market=current_preferences().ship_to_country)
        except DomainError as exc:
            if exc.status != 422:
                raise
            error = exc.message
    next_url = url_for("notes.search_page", q=query, type=kind,
                       cursor=encode_cursor(result.next_cursor)) \
        if result is not None and result.next_cursor else None
    items = result.items if result else []
    if grid is not None:
        return render_template("notes/search.html", query=query, kind=kind, items=items,
                               error=error, next_url=next_url, grid=grid), items
    ad_slots: dict = {}
    if kind == "notes" and items:
        items, ad_slots = with_sponsored("search", items, ui_language(),
                                         topics=search_topics(query))
    return render_template("notes/search.html", query=query, kind=kind, items=items,
                           error=error, next_url=next_url,
                           **card_context(items if kind == "notes" else [], ad_slots)), items


# Notifications ------------------------------------------------------------------------------
@bp.get("/notifications")
@login_required
def notification_list():
    """The viewer's notifications, newest first."""
    before = request.args.get("before", type=int)
    found = notifications.list_notifications(current_user, before_id=before, limit=30)
    page = found[:30]
    return render_template("notes/notifications.html", items=page,
                           next_url=url_for("notes.notification_list", before=page[-1].id)
                           if len(found) > 30 else None, action_form=ActionForm())


@bp.post("/notifications/read")
@login_required
def notifications_read():
    """Mark every notification read."""
    return _act(lambda: notifications.mark_read(current_user),
                url_for("notes.notification_list"))
