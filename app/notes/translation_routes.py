""""See translation" for every kind of content: one endpoint keyed by content type.

`?fragment=1` answers just the translation for static/js/translation.js to put in place;
without it the translation opens as a page with the original and a way back. A provider
that fails or times out never turns into an error page: the original stays shown with a
short explanation and a way to try again.
"""

from __future__ import annotations

from flask import render_template, request, session, url_for
from flask_babel import get_locale

from app.core.transaction import commit, rollback
from app.extensions import limiter
from app.notes import bp
from app.notes.routes import viewer
from app.services.social import translation
from app.services.social.age_gate import ADULT_SESSION_KEY
from app.services.social.translation import TranslationFailed
from app.web.forms import safe_next_url
from app.web.viewer import current_preferences


@bp.get("/translations/<content_type>/<int:content_id>")
@limiter.limit("120 per minute")
def translation_of(content_type: str, content_id: int):
    """An item's text in the viewer's language (fragment for scripts, or a page)."""
    market = current_preferences().ship_to_country
    adult = ADULT_SESSION_KEY in session  # a guest's age confirmation, as the note page reads it
    original = translation.translatable_item(viewer(), content_type, content_id, market=market,
                                             confirmed_in_session=adult)
    translated, error = None, None
    try:
        translated = translation.translate_content(viewer(), content_type, content_id,
                                                   str(get_locale() or "en")[:2], market=market,
                                                   confirmed_in_session=adult)
        commit()  # queues the job that caches a new translation
    except TranslationFailed as exc:
        rollback()
        error = exc.message
    retry_url = url_for("notes.translation_of", content_type=content_type,
                        content_id=content_id, next=request.args.get("next"))
    if request.args.get("fragment"):
        return render_template("notes/_translation.html", translated=translated, error=error,
                               retry_url=retry_url)
    return render_template("notes/translation.html", translated=translated, error=error,
                           retry_url=retry_url, original=original,
                           back_url=safe_next_url(request.args.get("next")))
