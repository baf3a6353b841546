"""Device tokens: a signed note, kept in a browser cookie, of the accounts it logged in to.

A browser that logged in to an account before is judged on its own failures only
(OWASP's "device cookie"), so a guesser elsewhere cannot lock its owner out. The token is
signed with the app's secret and carries no secret of its own: a random device id and the
ids of the accounts (a handful at most) that logged in from it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.models import User

# A shared family computer is fine; an unbounded cookie is not.
MAX_ACCOUNTS_PER_DEVICE = 5


@dataclass(frozen=True)
class KnownDevice:
    """A browser's device id and the accounts that have logged in from it."""

    device_id: str
    user_ids: tuple[int, ...] = field(default_factory=tuple)

    def knows(self, user: User | None) -> bool:
        """True when this account has logged in from this device before."""
        return user is not None and user.id in self.user_ids


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="qiao.login-device")


def read_device_token(token: str | None) -> KnownDevice | None:
    """The device a valid, unexpired token names; None for a missing or forged one."""
    if not token:
        return None
    try:
        payload = _serializer().loads(token, max_age=current_app.config["LOGIN_DEVICE_MAX_AGE"])
        device_id = str(payload["d"])
        user_ids = tuple(int(uid) for uid in payload["u"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return KnownDevice(device_id, user_ids)


def device_token_after_login(device: KnownDevice | None, user: User) -> str:
    """A fresh token for this browser that also vouches for `user` (newest accounts kept)."""
    device_id = device.device_id if device else secrets.token_urlsafe(16)
    earlier = [uid for uid in (device.user_ids if device else ()) if uid != user.id]
    user_ids = (earlier + [user.id])[-MAX_ACCOUNTS_PER_DEVICE:]
    return _serializer().dumps({"d": device_id, "u": user_ids})
