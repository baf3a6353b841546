"""Structured logs: one JSON object a line, each carrying the request id.

Every request gets an id: the caller's `X-Request-ID` when it looks like one (a proxy or
the other server set it), else a new one; it is echoed in the response's `X-Request-ID`
and added to every log line written while the request runs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
access_log = logging.getLogger("qiao.access")


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra, "exc_info"}`."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines; `-` where there is no request."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return super().format(record)


def configure_logging(app: Flask) -> None:
    """Root handler in the configured format and level (the test suite keeps pytest's)."""
    if app.testing:
        return
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "qiao", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.qiao = True
        root.addHandler(handler)
    handler.filters = [RequestIdFilter()]
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root.setLevel(app.config["LOG_LEVEL"].upper())
    # Flask's own handler would print app.logger's lines a second time.
    app.logger.handlers.clear()
    app.logger.propagate = True


def register_request_ids(app: Flask) -> None:
    """Take or make each request's id, echo it, and log one access line per request (JSON)."""

    @app.before_request
    def _request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        g.qiao_access_started = time.perf_counter()

    @app.after_request
    def _echo_request_id(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if app.config["LOG_FORMAT"] == "json" and not app.testing:
            started = g.get("qiao_access_started")
            access_log.info("%s %s %s", request.method, request.path, response.status_code,
                            extra={"method": request.method, "path": request.path,
                                   "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - started)
                                                        * 1000, 2) if started else None,
                                   "remote_addr": request.remote_addr})
        return response
