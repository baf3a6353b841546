"""Home page and the header's preference switcher (health checks: app.ops)."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
)
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user

from app.core.transaction import commit, rollback
from app.main import bp
from app.notes.routes import home_page
from app.providers.media import LocalMediaStorage, media_storage
from app.services.accounts.preferences import save_preferences
from app.services.errors import ValidationFailed
from app.web.forms import safe_next_url


@bp.get("/")
def index():
    """The home page: the Discover and Following feeds of note cards."""
    return home_page()


@bp.post("/preferences")
def preferences():
    """Remember the viewer's language, display currency and ship-to country."""
    user = current_user if current_user.is_authenticated else None
    try:
        save_preferences(
            user,
            session,
            locale=request.form.get("locale") or None,
            currency=request.form.get("currency") or None,
            ship_to_country=request.form.get("ship_to_country") or None,
        )
    except ValidationFailed as exc:
        rollback()
        messages = [message for found in exc.fields.values() for message in found]
        return render_template("main/preferences_invalid.html", messages=messages,
                               back=safe_next_url(request.form.get("next"))), 422
    commit()
    # Locale and preferences were computed for this request before the change.
    g.pop("_qiao_preferences", None)
    refresh()
    flash(_("Preferences saved."), "success")
    return redirect(safe_next_url(request.form.get("next")), code=303)


@bp.get("/media/<path:key>")
def media(key: str):
    """Serve a locally stored media file; with object storage, send the browser there."""
    storage = media_storage()
    if not isinstance(storage, LocalMediaStorage):  # links written before `media migrate`
        return redirect(storage.url(key), code=302)
    return send_from_directory(current_app.config["MEDIA_ROOT"], key, max_age=31536000)
