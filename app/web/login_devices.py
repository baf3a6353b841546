"""The device cookie at the edge: read it into a `KnownDevice`, renew it after a log-in.

The services never see the request; routes pass them what this module reads.
"""

from __future__ import annotations

from flask import Response, current_app, request

from app.models import User
from app.services.accounts.devices import (
    KnownDevice,
    device_token_after_login,
    read_device_token,
)


def device_from_request() -> KnownDevice | None:
    """The browser's known device, if it sent a valid device cookie."""
    return read_device_token(request.cookies.get(current_app.config["LOGIN_DEVICE_COOKIE_NAME"]))


def remember_device(response: Response, device: KnownDevice | None, user: User) -> Response:
    """Set the long-lived device cookie that vouches for this browser to `user`'s account."""
    config = current_app.config
    response.set_cookie(
        config["LOGIN_DEVICE_COOKIE_NAME"], device_token_after_login(device, user),
        max_age=config["LOGIN_DEVICE_MAX_AGE"], httponly=True,
        secure=config["SESSION_COOKIE_SECURE"], samesite="Lax",
    )
    return response
