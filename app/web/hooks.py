"""Request hooks shared by every HTML page: security headers and template context."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db, login_manager
from app.models import User
from app.services.catalog import cover_images
from app.services.checkout import (
    GUEST_CART_SESSION_KEY,
    units_in_guest_cart,
    units_in_user_cart,
)
from app.services.regions import SUPPORTED_CURRENCIES, country_names
from app.web.allowances import allowance_code, allowance_sentence
from app.web.header import account_header
from app.web.prices import register_price_helpers
from app.web.times import register_time_filters
from app.web.translation_offers import register_translation_helpers
from app.web.viewer import current_preferences

# Only our own origin: every script, style and font is vendored under static/.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
# JSON is data, never a document: nothing may load or frame it.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Resolve the session identity `<id>:<session_version>`; stale versions log out."""
    user_id, _, version = identity.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The cart badge's count and the platform roles (every page's permission checks) ride
    # along with the user: one statement for the three.
    row = db.session.execute(select(User, units_in_user_cart(User.id))
                             .options(joinedload(User.platform_roles))
                             .where(User.id == int(user_id))).unique().first()
    user = row[0] if row is not None else None
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    g.cart_units = row[1]
    return user


def header_cart_units() -> int:
    """Units in the viewer's cart for the header badge (a guest's costs one statement)."""
    if current_user.is_authenticated:
        return g.get("cart_units", 0)
    session_key = session.get(GUEST_CART_SESSION_KEY)
    return units_in_guest_cart(session_key) if session_key else 0


login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@lru_cache(maxsize=1024)
def ship_to_options(names_locale: str, selected: str) -> Markup:
    """The header's ship-to <option>s, rendered once per language and chosen country.

    Every page carries all ~250 countries; a template loop cost about 4 ms a page (a
    tenth of a product page), the same bytes each time. The names come from Babel's fixed
    data, so the cache never goes stale; 250 countries x 2 languages bound its size.
    """
    return Markup("".join(
        f'<option value="{escape(code)}" {"selected" if code == selected else ""}>'
        f"{escape(name)}</option>"
        for code, name in country_names(names_locale).items()))


# Endpoints that take a note's images: up to 9 files of 20 MB each.
NOTE_UPLOAD_ENDPOINTS = frozenset({"notes.compose", "notes.edit", "api.create_note",
                                   "api.update_note"})


def register_upload_limits(app: Flask) -> None:
    """Raise the body limit for note uploads before anything (CSRF included) reads the form."""

    @app.before_request
    def _note_upload_limit() -> None:
        if request.endpoint in NOTE_UPLOAD_ENDPOINTS:
            request.max_content_length = app.config["NOTE_UPLOAD_MAX_BYTES"]


def register_request_hooks(app: Flask) -> None:
    """Security headers on every response and shared template variables."""
    register_time_filters(app)
    register_price_helpers(app)
    register_translation_helpers(app)
    # Lines of carts, quotes and orders keep a product id: their templates fetch its photo.
    app.add_template_global(cover_images, "product_covers")
    app.add_template_global(allowance_sentence)
    app.add_template_global(allowance_code)
    app.add_template_global(account_header)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        # The client's address (rate limits, login throttling) and scheme come from the
        # proxies' X-Forwarded-* headers, trusting exactly that many hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    @app.after_request
    def _bounded_session(response):
        # A session holding something gets a bounded lifetime. Marked before the view, an
        # empty one would hold the mark (and Flask-Login's "_fresh" after it), so every
        # guest's page and API answer would carry a freshly signed cookie of nothing.
        # Set once: setting it again would mark every request's session as changed.
        if session and not session.permanent:
            session.permanent = True
        return response

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if response.mimetype == "text/html":  # pages, the API reference and error pages
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        elif request.path.startswith("/api/"):
            headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
        if "Cache-Control" not in headers and (
                request.path.startswith("/api/") or session.get("_user_id")):
            # Account pages, new token secrets and API answers are for this viewer only:
            # no shared cache keeps them, and Back after logging out does not show them.
            headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response

    @app.context_processor
    def _template_context() -> dict:
        prefs = current_preferences()
        names_locale = prefs.locale if prefs.locale == "en" else "zh"
        return {
            "prefs": prefs,
            "ui_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "supported_currencies": SUPPORTED_CURRENCIES,
            "country_choices": country_names(names_locale),
            "ship_to_options": ship_to_options(names_locale, prefs.ship_to_country or ""),
            "nav_user": current_user if current_user.is_authenticated else None,
            "cart_units": header_cart_units,
            "g": g,
        }
