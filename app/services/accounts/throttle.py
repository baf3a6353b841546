"""Log-in throttling by account and client pair, with growing locks (OWASP brute-force advice).

A "client" is a browser's device id when it carries a device cookie for the account (it
logged in to that account before), otherwise the network address. Failures count against
the (account, client) pair only, so nobody can lock another person's known browser out,
and one noisy address behind a shared proxy cannot lock out every account behind it.

After LOGIN_FAILURES_BEFORE_LOCK failures within LOGIN_FAILURE_WINDOW seconds the pair is
locked for LOGIN_LOCK_SECONDS; once a lock ends, each further failure within a day locks it
again for twice as long, up to LOGIN_LOCK_MAX_SECONDS. A correct password resets all this.
A per-address limit on failures (LOGIN_LIMIT_PER_IP, across all accounts) slows a guesser
spraying many accounts: over it, each failure locks its pair at once. It never refuses a
correct password on a pair that is not locked.

A guess spread over many addresses against one account (OWASP's credential stuffing)
gets past the pair locks, so failures from clients the account does not know also count
per account: over LOGIN_FAILURES_PER_ACCOUNT within the window the account is locked for
such clients, each lock within a day twice as long as the one before. A browser holding
the account's device cookie is never held back by that lock: its owner can always log
in from a browser used before.

State lives in the rate-limit storage (Redis in production, memory in tests), under
hashed keys so no e-mail address or IP is stored in the clear.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from limits import parse

from app.extensions import limiter
from app.services.errors import RateLimited


def _now() -> float:
    # One clock for every lock decision, so tests can move time forward.
    return time.time()


@dataclass(frozen=True)
class LoginPair:
    """The account (normalised e-mail) and the client trying to log in to it."""

    email: str
    address: str
    device_id: str | None = None

    @property
    def client(self) -> str:
        """The device when known to this account, else the address."""
        return f"device:{self.device_id}" if self.device_id else f"address:{self.address}"


def _key(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]
    return f"qiao/login/{kind}/{digest}"


def _keys(pair: LoginPair) -> tuple[str, str, str]:
    return (_key("failures", pair.email, pair.client), _key("lock", pair.email, pair.client),
            _key("level", pair.email, pair.client))


def _per_address_limit():
    return parse(current_app.config["LOGIN_LIMIT_PER_IP"])


def _account_keys(email: str) -> tuple[str, str, str]:
    return (_key("account-failures", email), _key("account-lock", email),
            _key("account-level", email))


def check_login_allowed(pair: LoginPair) -> None:
    """Raise RateLimited (with retry_after in seconds) while the pair or account is locked."""
    _refuse_while_locked(_keys(pair)[1])
    if pair.device_id is None:  # a browser the account knows ignores the account lock
        _refuse_while_locked(_account_keys(pair.email)[1])


def _refuse_while_locked(lock_key: str) -> None:
    locked_until = limiter.storage.get(lock_key)
    remaining = locked_until - _now()
    if locked_until and remaining > 0:
        error = RateLimited(_(
            "Too many failed log-in attempts. Wait a few minutes and try again, "
            "or reset your password."
        ), code="login_throttled")
        error.retry_after = max(1, math.ceil(remaining))
        raise error


def record_login_failure(pair: LoginPair) -> None:
    """Count a failure for the pair, the address and the account; lock what is over."""
    config = current_app.config
    storage = limiter.storage
    window = int(config["LOGIN_FAILURE_WINDOW"])
    failures_key, lock_key, level_key = _keys(pair)
    failures = storage.incr(failures_key, window)
    address_ok = limiter.limiter.hit(_per_address_limit(), "login", "address", pair.address)
    # A pair that was locked lately gets no fresh allowance: its next failure locks again.
    locked_lately = storage.get(level_key) > 0
    if failures >= int(config["LOGIN_FAILURES_BEFORE_LOCK"]) or not address_ok \
            or locked_lately:
        _lock(lock_key, level_key, failures_key)
    if pair.device_id is None:  # the owner's typos in a known browser are not a guess
        account_failures, account_lock, account_level = _account_keys(pair.email)
        if storage.incr(account_failures, window) >= int(config["LOGIN_FAILURES_PER_ACCOUNT"]):
            _lock(account_lock, account_level, account_failures)


def _lock(lock_key: str, level_key: str, failures_key: str) -> None:
    """Lock for LOGIN_LOCK_SECONDS, doubled for each lock within the last day."""
    config = current_app.config
    storage = limiter.storage
    level = storage.incr(level_key, int(config["LOGIN_LOCK_MEMORY"]))
    seconds = min(int(config["LOGIN_LOCK_SECONDS"]) * 2 ** min(level - 1, 30),
                  int(config["LOGIN_LOCK_MAX_SECONDS"]))
    # The lock stores its end time; clear-then-add is not atomic, but two racing failures
    # only decide which of two nearly equal end times wins.
    storage.clear(lock_key)
    storage.incr(lock_key, seconds + 60, amount=int(_now() + seconds))
    storage.clear(failures_key)


def clear_login_failures(pair: LoginPair) -> None:
    """A correct password forgives the pair's failures and resets its lock growth.

    The account's count of strangers' failures restarts too; its lock growth stays, so a
    guess that goes on meets longer locks.
    """
    for key in _keys(pair):
        limiter.storage.clear(key)
    limiter.storage.clear(_account_keys(pair.email)[0])
