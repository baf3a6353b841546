"""Signed, expiring tokens for e-mailed links (verification, reset, e-mail change)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.services.errors import DomainError


class InvalidLink(DomainError):
    """The link was tampered with, has expired, or was already used."""

    code = "invalid_link"
    status = 400


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"qiao.{purpose}")


def sign(purpose: str, payload: dict[str, Any]) -> str:
    """A URL-safe token carrying `payload`, valid only for `purpose`."""
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """The payload of a valid token; InvalidLink when tampered with or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink(_("This link has expired. Ask for a new one."),
                          code="link_expired") from None
    except BadSignature:
        raise InvalidLink(_("This link is not valid. Check that you copied all of it.")) from None
