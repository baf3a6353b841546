"""Error handlers: friendly HTML pages for the site, the single JSON shape for the API."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def wants_json() -> bool:
    """API paths always answer JSON."""
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    """The API's one error shape."""
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def _html_error(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on `app`."""

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        from app.transaction import rollback

        rollback()
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields)
        titles = {403: _("Not allowed"), 404: _("Page not found")}
        return _html_error(exc.status, titles.get(exc.status, _("Something is not right")),
                           exc.message)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        message = _("The form expired or was sent without its security token. "
                    "Reload the page and try again.")
        if wants_json():
            return json_error(400, "csrf_failed", message)
        return _html_error(400, _("Please try again"), message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        if wants_json():
            message = exc.description or exc.name
            if status == 413:
                message = "The request body is too large."
            return json_error(status, HTTP_CODES.get(status, "http_error"), message)
        pages = {
            404: (_("Page not found"), _("We couldn't find that page. It may have moved.")),
            403: (_("Not allowed"), _("You don't have access to this page.")),
            413: (_("Too large"), _("The file or form you sent is too large.")),
            429: (_("Slow down"), _("Too many requests. Wait a moment and try again.")),
            405: (_("Not allowed"), _("That action isn't available here.")),
        }
        title, message = pages.get(status, (exc.name, exc.description or ""))
        return _html_error(status, title, message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        from app.transaction import rollback

        log.exception("Unhandled error on %s %s", request.method, request.path)
        rollback()
        if wants_json():
            return json_error(500, "internal_error", "Something went wrong on our side.")
        return _html_error(
            500, _("Something went wrong"),
            _("Something went wrong on our side. We have been told; please try again."),
        )
