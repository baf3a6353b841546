"""API plumbing: bearer auth, JSON bodies, Idempotency-Key, cursor pagination."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import current_app, g, jsonify, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.core.transaction import commit, rollback
from app.extensions import db
from app.models import IdempotencyRecord, User
from app.services.accounts.api_tokens import authenticate_bearer
from app.services.errors import Conflict, DomainError, Forbidden, Unauthorized, ValidationFailed
from app.web.cursors import encode_cursor

# The largest PostgreSQL INTEGER: row ids and counts live in such columns.
MAX_INTEGER = 2**31 - 1
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# OpenAPI parameters of every list endpoint: `@operation(..., params=PAGE_PARAMS)`.
PAGE_PARAMS = [
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The `next_cursor` of the previous page; omit for the first page."},
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT}},
]


class MalformedRequest(DomainError):
    """The body or a parameter cannot be parsed at all."""

    code = "malformed_request"
    status = 400


class PayloadTooLarge(DomainError):
    """The JSON body exceeds API_MAX_JSON_BYTES."""

    code = "payload_too_large"
    status = 413


# Authentication ------------------------------------------------------------------
def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def api_user() -> User | None:
    """The user this request authenticated as (None for anonymous calls)."""
    return g.get("api_user")


def token_required(scope: str = "read") -> Callable:
    """Require a valid bearer token holding `scope`; sets `g.api_user` and `g.api_token`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            secret = _bearer_secret()
            if secret is None:
                raise Unauthorized("Send a bearer token: Authorization: Bearer <token>.",
                                   code="authentication_required")
            token = authenticate_bearer(secret)
            if token is None:
                raise Unauthorized("The token is invalid, expired or revoked.",
                                   code="invalid_token")
            if scope not in token.scopes:
                raise Forbidden(f"This token lacks the {scope!r} scope.",
                                code="insufficient_scope")
            g.api_user = token.user
            g.api_token = token
            return view(*args, **kwargs)

        return wrapper

    return decorate


# Bodies and parameters ---------------------------------------------------------------
def json_body() -> dict[str, Any]:
    """The request's JSON object, or a clear 400/413 (never a 500)."""
    raw = request.get_data(cache=True)
    if len(raw) > current_app.config["API_MAX_JSON_BYTES"]:
        raise PayloadTooLarge("The JSON body is too large.")
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not (
            mimetype.startswith("application/") and mimetype.endswith("+json")):
        raise MalformedRequest("Send the body as JSON with Content-Type: application/json.",
                               code="unsupported_media_type")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant) if raw else None
    except RecursionError:
        raise MalformedRequest("The body is not valid JSON: it is nested too deeply.",
                               code="malformed_json") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, huge integers
        raise MalformedRequest(f"The body is not valid JSON: {exc}.",
                               code="malformed_json") from None
    if not isinstance(body, dict):
        raise MalformedRequest("The body must be a JSON object.", code="malformed_json")
    _check_integers(body)
    refuse_nul_characters(body)
    return body


def json_form_field(text: str, name: str) -> Any:
    """A JSON value sent as the text of a form field, held to a JSON body's rules.

    None when it is not JSON (the caller names the field); ids out of range are 422
    `invalid_id` under the same paths as in a JSON body (`product_tags.0.product_id`).
    """
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (RecursionError, ValueError):
        return None
    _check_integers({name: value})
    return value


def _check_integers(body: dict[str, Any]) -> None:
    """422 `invalid_id` naming each id in the body that no INTEGER column can hold.

    Done once here so no endpoint binds 2^63 (or 2^31 on PostgreSQL) into a query and
    answers 500. Other numbers are left to each field's own validator and its message.
    """
    fields: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [(str(key), value) for key, value in body.items()]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{key}", item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}", item) for index, item in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) \
                and not 1 <= value <= MAX_INTEGER and _names_a_row(path):
            fields[path] = [f"Use an id from 1 to {MAX_INTEGER}."]
    if fields:
        raise ValidationFailed("Some ids are out of range.", code="invalid_id", fields=fields)


def refuse_nul_characters(values: dict[str, Any]) -> None:
    """422 naming each string (or key) holding U+0000, which no PostgreSQL text can store."""
    fields: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", values)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    fields[path or name] = ["Keys must not contain NUL characters."]
                stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}", item) for index, item in enumerate(value))
        elif isinstance(value, str) and "\x00" in value:
            fields[path] = ["Text must not contain NUL characters."]
    if fields:
        raise ValidationFailed("Some text holds NUL characters.", fields=fields)


def _names_a_row(path: str) -> bool:
    """Whether the field at `path` is an id (`id`, `..._id`, or an item of `ids`, `..._ids`)."""
    *parents, name = path.split(".")
    return name == "id" or name.endswith("_id") or (
        name.isdigit() and bool(parents) and parents[-1].split("_")[-1] == "ids")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def page_limit() -> int:
    """`?limit=` between 1 and 100 (20 when absent)."""
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationFailed("limit must be a whole number from 1 to 100.",
                               fields={"limit": [f"Use a whole number from 1 to {MAX_LIMIT}."]})
    return int(raw)


def paginated(items: list[Any], limit: int, cursor_of: Callable[[Any], list[Any]],
              render: Callable[[Any], dict]) -> dict[str, Any]:
    """The list envelope for a page fetched with `limit + 1` rows."""
    has_more = len(items) > limit
    page = items[:limit]
    return {
        "items": [render(item) for item in page],
        "next_cursor": encode_cursor(cursor_of(page[-1])) if has_more and page else None,
    }


# Idempotency ------------------------------------------------------------------------
def idempotent(required: bool = False, redact: tuple[str, ...] = ()) -> Callable:
    """Honour `Idempotency-Key` on a POST: replay the first response for the same body.

    A row is claimed before the work runs (the unique constraint settles races)
    and committed together with the work, so a retry either sees the finished
    response or a 409 while the first attempt is still running. Top-level response
    fields named in `redact` (secrets) are not stored, so replays leave them out.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key", "").strip()
            if not key:
                if required:
                    raise ValidationFailed(
                        "This endpoint needs an Idempotency-Key header.",
                        code="idempotency_key_required",
                        fields={"Idempotency-Key": ["Send a unique key per operation."]},
                    )
                return view(*args, **kwargs)
            if len(key) > 255:
                raise ValidationFailed("Idempotency-Key is too long (255 characters at most).",
                                       fields={"Idempotency-Key": ["Too long."]})
            user = api_user()
            principal = f"user:{user.id}" if user else f"anon:{request.remote_addr}"
            fingerprint = hashlib.sha256(
                request.method.encode() + b" " + request.path.encode() + b"\n"
                + request.get_data(cache=True)
            ).hexdigest()
            existing = db.session.scalar(select(IdempotencyRecord).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))
            if existing is not None:
                return _replay(existing, fingerprint)
            record = IdempotencyRecord(principal=principal, key=key, method=request.method,
                                       path=request.path, request_hash=fingerprint)
            db.session.add(record)
            try:
                with db.session.begin_nested():
                    db.session.flush()
            except IntegrityError:
                # A concurrent request with this key claimed it first: replay or wait.
                if record in db.session:
                    db.session.expunge(record)
                existing = db.session.scalar(select(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))
                if existing is not None:
                    return _replay(existing, fingerprint)
                raise Conflict("A request with this Idempotency-Key is still being processed.",
                               code="idempotency_in_progress") from None
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                # Failed attempts are not remembered: the client may fix the body and retry.
                rollback()
                db.session.execute(delete(IdempotencyRecord).where(
                    IdempotencyRecord.principal == principal, IdempotencyRecord.key == key))
                commit()
                return response
            record = db.session.merge(record)
            record.response_status = response.status_code
            body = response.get_json(silent=True)
            if isinstance(body, dict) and redact:
                body = {name: value for name, value in body.items() if name not in redact}
            record.response_body = body
            commit()
            return response

        # Read by the OpenAPI registry (functools.wraps carries it up through the other
        # decorators), so every endpoint that honours the header documents its 409s.
        wrapper.idempotency = {"required": required}
        return wrapper

    return decorate


def _replay(record: IdempotencyRecord, fingerprint: str):
    if record.request_hash != fingerprint:
        raise Conflict("This Idempotency-Key was used with a different request.",
                       code="idempotency_key_reused")
    if record.response_status is None:
        raise Conflict("A request with this Idempotency-Key is still being processed.",
                       code="idempotency_in_progress")
    response = jsonify(record.response_body)
    response.status_code = record.response_status
    response.headers["Idempotent-Replayed"] = "true"
    return response
