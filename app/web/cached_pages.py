"""Anonymous storefront, feed and product API answers from the shared page cache.

`@public_page` keeps a view's rendered answer for guests in app.core.page_cache, keyed by
the URL, the viewer's language, currency, ship-to country and time zone, and the content
version. Signed-in viewers, API requests with a token, non-GET requests and requests with
a flash message waiting are never cached. A view marks a page that came out personal for a
guest (sponsored notes chosen for this browser) with `mark_personal()`, and that answer is
served but not kept. Pages whose sponsored notes are chosen per request keep their
viewer-independent parts with `shared_parts` and `shared_fragments` (a sponsored card with
its tokens as holes) and assemble the answer with `answer_page`.

The one per-viewer part of a guest's page, the CSRF token of its forms, is rendered as a
placeholder and filled in for each answer. Answers carry an ETag (the stored page, the
key and the session's CSRF secret, so a page whose forms belong to another session never
matches) with `Cache-Control: private, no-cache`: browsers revalidate and get a 304, and
no shared proxy keeps a page with a session's token in it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, jsonify, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.core.page_cache import content_version, page_store, track_content_writes
from app.web.viewer import browser_time_zone, current_preferences

CSRF_PLACEHOLDER = "qiao-csrf-placeholder-4f1c9e"
_SHARED_RENDER = "qiao_shared_render"
_PERSONAL = "qiao_page_personal"


def register_page_cache(app: Flask) -> None:
    """Track content writes on the engine; render CSRF tokens of shared pages as holes."""
    track_content_writes(app)

    def csrf_token() -> str:
        return CSRF_PLACEHOLDER if g.get(_SHARED_RENDER) else generate_csrf()

    # Both ways Flask-WTF hands templates its token: a global (macros) and the context.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})


def mark_personal() -> None:
    """Serve this answer but do not keep it: it was made for this viewer (sponsored notes)."""
    g.setdefault(_PERSONAL, True)


def guest_cacheable() -> bool:
    """Whether this request may be answered from, and stored in, the shared cache."""
    if current_app.config["PAGE_CACHE_SECONDS"] <= 0 or request.method != "GET":
        return False
    if request.authorization is not None or "_flashes" in session:
        return False
    return not current_user.is_authenticated


def _key(version: int) -> str:
    prefs = current_preferences()
    parts = (request.endpoint or "", request.full_path, prefs.locale, prefs.currency,
             prefs.ship_to_country, browser_time_zone(), str(version))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _answer(key: str, body: str, mimetype: str = "text/html"):
    digest = hashlib.sha256(key.encode())
    digest.update(body.encode())
    token = None
    if CSRF_PLACEHOLDER in body:
        token = generate_csrf()  # gives a new session its secret before it is hashed
        digest.update(str(session.get("csrf_token", "")).encode())
    etag = digest.hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = make_response("", 304)
    else:
        response = make_response(body.replace(CSRF_PLACEHOLDER, token) if token else body)
        response.mimetype = mimetype
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response


def shared_parts(build: Callable[[], dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """The viewer-independent parts of a guest's page (JSON-able, rendered with CSRF
    placeholders) from the cache, or built and kept; None when nothing may be cached.

    For pages whose personal parts are put in per request (sponsored notes): the caller
    assembles the page and answers with `answer_page(key, body)`.
    """
    if not guest_cacheable():
        return None
    version = content_version()
    if version is None:
        return None
    key = _key(version)
    store = page_store()
    stored = store.get(key)
    if stored is not None:
        return key, json.loads(stored)
    g.setdefault(_SHARED_RENDER, True)
    try:
        parts = build()
    finally:
        g.pop(_SHARED_RENDER, None)
    store.set(key, json.dumps(parts), current_app.config["PAGE_CACHE_SECONDS"])
    return key, parts


def shared_fragments(page_key: str, names: list[str],
                     build: Callable[[list[str]], dict[str, str]]) -> dict[str, str]:
    """Parts of a guest's page that are the same for every viewer but chosen per request
    (a sponsored note's card with its tokens left as holes), by name, from the cache or
    built and kept under the page's key: the same content version, URL, language,
    currency, ship-to country and time zone, so a changed or removed note is never served.

    `build(missing)` renders the names not kept yet, all at once (CSRF tokens as
    placeholders, as in the page); a name it leaves out is kept as "" (nothing to show).
    """
    store = page_store()
    keys = {name: hashlib.sha256(f"{page_key}\x1f{name}".encode()).hexdigest()
            for name in names}
    found = {name: store.get(key) for name, key in keys.items()}
    missing = [name for name, value in found.items() if value is None]
    if missing:
        g.setdefault(_SHARED_RENDER, True)
        try:
            built = build(missing)
        finally:
            g.pop(_SHARED_RENDER, None)
        for name in missing:
            found[name] = built.get(name, "")
            store.set(keys[name], found[name], current_app.config["PAGE_CACHE_SECONDS"])
    return found  # type: ignore[return-value]


def answer_page(key: str, body: str, mimetype: str = "text/html"):
    """A guest's assembled page, with its CSRF tokens filled in and an ETag."""
    return _answer(key, body, mimetype)


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve a guest's GET of `view` from the page cache (HTML, or a JSON dict)."""

    @wraps(view)
    def cached(*args: Any, **kwargs: Any) -> Any:
        if not guest_cacheable():
            return view(*args, **kwargs)
        version = content_version()
        if version is None:
            return view(*args, **kwargs)
        key = _key(version)
        store = page_store()
        stored = store.get(key)
        if stored is not None:
            mimetype, _, body = stored.partition("\n")
            return _answer(key, body, mimetype)
        g.setdefault(_SHARED_RENDER, True)
        try:
            result = view(*args, **kwargs)
        finally:
            g.pop(_SHARED_RENDER, None)
        if isinstance(result, dict):
            body, mimetype = jsonify(result).get_data(as_text=True), "application/json"
        elif isinstance(result, str):
            body, mimetype = result, "text/html"
        else:  # a redirect or a response of its own: not a page to keep
            return result
        # A form that asked Flask-WTF itself (not the placeholder) put this session's
        # token in the page: serve it, never share it.
        real_token = g.get("csrf_token")
        if real_token and real_token in body:
            mark_personal()
        if not g.pop(_PERSONAL, False):
            store.set(key, f"{mimetype}\n{body}", current_app.config["PAGE_CACHE_SECONDS"])
        return _answer(key, body, mimetype)

    return cached
