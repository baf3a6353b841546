"""The Redis servers a deployment uses, and whether one answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis

SETTINGS = {"rate_limits": "RATELIMIT_STORAGE_URI", "broker": "CELERY_BROKER_URL"}


def redis_urls(config: Mapping[str, Any]) -> dict[str, str]:
    """{"redis_<what>": url} for each setting that points at Redis."""
    return {f"redis_{name}": config.get(key, "") for name, key in SETTINGS.items()
            if str(config.get(key, "")).startswith(("redis://", "rediss://"))}


def redis_reachable(url: str, *, timeout: float) -> bool:
    """Whether the server at `url` answers PING within `timeout` seconds."""
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        client.close()
