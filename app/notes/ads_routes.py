"""Sponsored notes in the HTML feeds: merging them into pages, counting views and clicks,
hiding an ad. The ads domain chooses; this edge loads the notes (social) and wires both.
"""

from __future__ import annotations

import re
import secrets

from flask import current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.transaction import commit, rollback
from app.extensions import csrf, limiter
from app.models import Note
from app.notes import bp
from app.services import ads
from app.services.errors import DomainError
from app.services.social import feed
from app.web import sponsored
from app.web.beacons import beacon
from app.web.forms import safe_next_url
from app.web.viewer import current_preferences

ANON_COOKIE = "qiao_aid"
_ANON_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
_NEW_ANON_KEY = "qiao_new_anon_id"


def _signed_in_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def anon_id() -> str | None:
    """The browser's anonymous id (a cookie), for frequency caps and hides of guests."""
    if _signed_in_id() is not None:
        return None
    cookie = request.cookies.get(ANON_COOKIE, "")
    if _ANON_ID.match(cookie):
        return cookie
    return g.setdefault(_NEW_ANON_KEY, secrets.token_urlsafe(12))


@bp.after_app_request
def _remember_anon_id(response):
    new = g.pop(_NEW_ANON_KEY, None)
    if new:
        response.set_cookie(ANON_COOKIE, new, max_age=365 * 86_400, httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"],
                            samesite="Lax")
    return response


def ad_viewer(language: str) -> ads.AdViewer:
    """Who sees this page: the signed-in user or the browser, where, in what language."""
    user = current_user if current_user.is_authenticated else None
    country = user.home_country if user is not None and user.home_country \
        else current_preferences().ship_to_country
    anon = anon_id()
    return ads.AdViewer(user_id=user.id if user is not None else None, anon_id=anon,
                        country=country, language=language,
                        is_new=anon is not None and anon == g.get(_NEW_ANON_KEY))


def requester() -> ads.Requester:
    """Who reports an impression or click, as this request shows it."""
    return ads.Requester(user_id=_signed_in_id(), anon_id=anon_id(),
                         user_agent=request.headers.get("User-Agent", "")[:500],
                         country=current_preferences().ship_to_country,
                         language=str(current_preferences().locale or "")[:8] or None)


def with_sponsored(surface: str, note_list: list[Note], language: str,
                   topics: list[str] | None = None, shown: frozenset[int] = frozenset()
                   ) -> tuple[list[Note], dict[int, ads.SponsoredSlot]]:
    """The page with its sponsored notes merged in, and the slot of each sponsored index;
    `shown`: campaigns the earlier pages of this feed showed, not shown again.

    Costs at most two queries: the viewer's ad state and loading the sponsored notes.
    """
    slots = ads.sponsored_for_page(ad_viewer(language), surface, [n.id for n in note_list],
                                   topics=topics, shown_campaigns=shown)
    if not slots:
        return note_list, {}
    loaded = {n.id: n for n in note_list if n.id in {s.note_id for s in slots}}
    # Sponsored cards carry no product strip (app.notes.routes.card_context).
    loaded.update((n.id, n) for n in feed.load_few_notes(
        [s.note_id for s in slots if s.note_id not in loaded],
        market=current_preferences().ship_to_country, cards=True))
    merged = ads.merge_slots(note_list, slots, loaded)
    return ([item for item, _slot in merged],
            {index: slot for index, (_item, slot) in enumerate(merged) if slot is not None})


def search_topics(query: str) -> list[str]:
    """The words and #topics of a search, as the topics a sponsored note may target."""
    return [w.lstrip("#").casefold() for w in re.split(r"\s+", query.strip()) if w.strip("#")]


bp.add_app_template_global(sponsored.ad_label, "ad_label")
bp.add_app_template_global(sponsored.ad_hide_reasons, "ad_hide_reasons")


def tracking_limit() -> str:
    """Per-address cap on view reports: each one writes a row, even a forged one."""
    return current_app.config["ADS_TRACKING_RATE_LIMIT"]


@bp.post("/ads/impressions")
@beacon
@csrf.exempt
@limiter.limit(tracking_limit)
def ad_impression():
    """Count a sponsored card seen (sent by static/js/ad_tracking.js with sendBeacon).

    Always 204: a bad, replayed or expired token is recorded in its invalid bucket, not
    reported to the page.
    """
    token = request.form.get("token") or (request.get_json(silent=True) or {}).get("token")
    ads.record_impression(str(token or "")[:2000], requester())
    commit()
    return "", 204


@bp.get("/ads/click/<int:note_id>")
def ad_click(note_id: int):
    """Record the tap on a sponsored card, then open the note (whatever the token)."""
    ads.queue_click(str(request.args.get("t", ""))[:2000], requester(), note_id)
    commit()
    return redirect(url_for("notes.show", note_id=note_id), code=303)


@bp.post("/ads/hide")
def hide_ad():
    """Hide a sponsored note's campaign from this viewer, with a reason."""
    try:
        ads.hide_sponsored(requester(), request.form.get("token", ""),
                           request.form.get("reason", ""))
    except DomainError as exc:
        rollback()
        if request.accept_mimetypes.best == "application/json":
            return {"error": {"code": exc.code, "message": exc.message}}, exc.status
        flash(exc.message, "error")
        return redirect(safe_next_url(request.form.get("next")),
                        code=303)
    commit()
    if request.accept_mimetypes.best == "application/json":
        return "", 204
    flash(_("Thanks. You won't see this ad again."), "success")
    return redirect(safe_next_url(request.form.get("next")),
                    code=303)
