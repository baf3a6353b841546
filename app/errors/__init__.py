"""Error handlers: friendly HTML pages for the site, the single JSON shape for the API."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.core.database import is_busy, reads_only_from_now
from app.services.errors import DomainError

log = logging.getLogger("qiao.errors")

# Stable codes for the HTTP errors the framework raises itself.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
}

# English messages for the API (its clients read codes; the message is for their developers).
API_MESSAGES = {
    404: "No such endpoint or resource.",
    405: "This endpoint does not accept that method.",
    413: "The request body is too large.",
    429: "Too many requests. Wait a moment and try again.",
}


def wants_json() -> bool:
    """API paths always answer JSON."""
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The API's one error shape."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def page_text(status: int) -> tuple[str, str]:
    """The translated title and explanation of an HTML error page."""
    pages = {
        400: (_("Please try again"), _("The request could not be understood.")),
        401: (_("Please log in"), _("Log in to see this page.")),
        403: (_("Not allowed"), _("You don't have access to this page.")),
        404: (_("Page not found"), _("We couldn't find that page. It may have moved.")),
        405: (_("Not allowed"), _("That action isn't available here.")),
        409: (_("Something changed"), _("Someone changed this at the same time. "
                                          "Reload the page and try again.")),
        413: (_("Too large"), _("The file or form you sent is too large.")),
        429: (_("Slow down"), _("Too many requests. Wait a moment and try again.")),
        500: (_("Something went wrong"),
              _("Something went wrong on our side. We have been told; please try again.")),
        503: (_("Busy right now"),
              _("Many people are doing the same thing right now. Nothing was changed; "
                "please try again in a moment.")),
    }
    return pages.get(status, (_("Something is not right"), ""))


def html_error(status: int, title: str, message: str):
    """Render the friendly error page (a bare one if the page itself cannot be drawn)."""
    try:
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status
    except Exception:  # noqa: BLE001 - e.g. the database is down while drawing the header
        log.exception("The error page for %s failed to render", status)
        return (f"<!doctype html><title>{status}</title><h1>{escape(title)}</h1>"
                f"<p>{escape(message)}</p>"), status


def add_retry_and_challenge(response: Response, exc: DomainError) -> Response:
    """`Retry-After` on throttling, and the Bearer challenge on the API's 401s (RFC 6750)."""
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    if exc.status == 401 and wants_json() and exc.code in {"authentication_required",
                                                           "invalid_token"}:
        challenge = 'Bearer realm="qiao"'
        if exc.code == "invalid_token":
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        from app.core.transaction import rollback_and_keep

        rollback_and_keep(exc)
        if wants_json():
            response, status = json_error(exc.status, exc.code, exc.message, exc.fields)
        else:
            title, generic = page_text(exc.status)
            # 403 and 404 say the same whatever the reason, so they reveal nothing.
            message = generic if exc.status in (403, 404) else exc.message
            body, status = html_error(exc.status, title, message)
            response = app.make_response(body)
        return add_retry_and_challenge(response, exc), status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        message = _("The form expired or was sent without its security token. "
                    "Reload the page and try again.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return html_error(400, _("Please try again"), message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            message = API_MESSAGES.get(status) or exc.description or exc.name
            body, status = json_error(status, HTTP_CODES.get(status, "http_error"), message)
        else:
            title, message = page_text(status)
            body, status = html_error(status, title, message or exc.description or "")
        response = app.make_response((body, status))
        # The exception's own headers: `Allow` on a 405 (RFC 9110 requires it), for one.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError):
        if not is_busy(exc):
            return _unexpected(exc)
        from app.core.transaction import rollback

        # A lock not had within the busy timeout, or a serialisation failure: the work was
        # rolled back whole, so the client may simply retry.
        log.warning("Database busy on %s %s: %s", request.method, request.path, exc.orig)
        rollback()
        # The page below reads the viewer's language and menus: without waiting for the lock.
        reads_only_from_now()
        if wants_json():
            body, status = json_error(503, "database_busy",
                                      "The database is busy. Nothing was changed; retry "
                                      "after the Retry-After delay.")
        else:
            title, message = page_text(503)
            body, status = html_error(503, title, message)
        response = app.make_response((body, status))
        response.headers["Retry-After"] = str(app.config["DATABASE_BUSY_RETRY_AFTER"])
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from app.core.transaction import rollback

        log.exception("Unhandled error on %s %s", request.method, request.path)
        rollback()
        if wants_json():
            return json_error(500, "internal_error", "Something went wrong on our side.")
        title, message = page_text(500)
        return html_error(500, title, message)
