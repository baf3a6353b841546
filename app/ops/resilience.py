"""Carry on without Redis: rate limits and login throttling fall back to process memory.

Flask-Limiter's own fallback covers only its decorators; the login throttle
(app.services.accounts.throttle) calls the storage directly. So the storage itself is
wrapped: a call that finds Redis unreachable logs a warning, counts
`qiao_redis_fallbacks_total{component="rate_limits"}`, and is answered from an in-memory
storage; Redis is tried again after `RETRY_SECONDS`. Limits are then per process until
Redis is back, which is looser, never a refused page.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask
from limits.storage import MemoryStorage, Storage

from app.core.metrics import REDIS_FALLBACKS

log = logging.getLogger("qiao.redis")
RETRY_SECONDS = 5.0


class _NeverRaised(Exception):
    """limits wraps errors of `base_exceptions`; this storage lets none through."""


class FailoverStorage(Storage):
    """A limits storage that answers from memory while the primary (Redis) is down."""

    STORAGE_SCHEME = None  # made by make_rate_limits_resilient, never from a URI

    def __init__(self, primary: Storage, component: str = "rate_limits") -> None:
        super().__init__()
        self._primary = primary
        self._memory = MemoryStorage()
        self._component = component
        self._down_until = 0.0
        base = primary.base_exceptions
        self._errors = (*(base if isinstance(base, tuple) else (base,)), ConnectionError,
                        OSError)

    @property
    def base_exceptions(self) -> type[Exception]:  # noqa: D102
        return _NeverRaised

    @property
    def degraded(self) -> bool:
        """Whether calls are being answered from memory now."""
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self.degraded:
            return getattr(self._memory, name)(*args, **kwargs)
        try:
            return getattr(self._primary, name)(*args, **kwargs)
        except self._errors as exc:
            self._down_until = time.monotonic() + RETRY_SECONDS
            REDIS_FALLBACKS.labels(component=self._component).inc()
            log.warning("Redis unreachable for %s (%s); using this process's memory for "
                        "%.0f s", self._component, exc, RETRY_SECONDS)
            return getattr(self._memory, name)(*args, **kwargs)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:  # noqa: D102
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:  # noqa: D102
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:  # noqa: D102
        return self._call("get_expiry", key)

    def check(self) -> bool:  # noqa: D102
        return self._call("check")

    def reset(self) -> int | None:  # noqa: D102
        return self._call("reset")

    def clear(self, key: str) -> None:  # noqa: D102
        return self._call("clear", key)


def make_rate_limits_resilient(app: Flask, limiter: Any) -> None:
    """Wrap the limiter's Redis storage (after `limiter.init_app(app)`)."""
    if not str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis", "rediss")):
        return
    storage = limiter._storage  # noqa: SLF001 - Flask-Limiter exposes no setter
    if storage is None or isinstance(storage, FailoverStorage):
        return
    wrapped = FailoverStorage(storage)
    limiter._storage = wrapped  # noqa: SLF001
    limiter._limiter = type(limiter._limiter)(wrapped)  # noqa: SLF001
