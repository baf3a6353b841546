"""Login throttling per account and per IP, in the rate-limit storage (Redis in production)."""

from __future__ import annotations

import math
import time

from flask import current_app
from flask_babel import gettext as _
from limits import parse

from app.extensions import limiter
from app.services.errors import RateLimited


def _limits():
    return (
        ("account", parse(current_app.config["LOGIN_LIMIT_PER_ACCOUNT"])),
        ("ip", parse(current_app.config["LOGIN_LIMIT_PER_IP"])),
    )


def check_login_allowed(email: str, ip: str) -> None:
    """Raise RateLimited when recent failures for this account or address are too many."""
    for scope, item in _limits():
        key = email.lower() if scope == "account" else ip
        if not limiter.limiter.test(item, "login", scope, key):
            error = RateLimited(_(
                "Too many failed log-in attempts. Wait a few minutes and try again, "
                "or reset your password."
            ), code="login_throttled")
            reset_at = limiter.limiter.get_window_stats(item, "login", scope, key).reset_time
            error.retry_after = max(1, math.ceil(reset_at - time.time()))  # seconds
            raise error


def record_login_failure(email: str, ip: str) -> None:
    """Count one failed attempt against the account and the address."""
    for scope, item in _limits():
        limiter.limiter.hit(item, "login", scope, email.lower() if scope == "account" else ip)


def clear_login_failures(email: str) -> None:
    """A successful login forgives the account's earlier failures."""
    _, item = _limits()[0]
    limiter.limiter.clear(item, "login", "account", email.lower())
