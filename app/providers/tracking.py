"""Pulling tracking events for carriers that do not push them, behind a small interface.

TRACKING_PROVIDER_URL chooses the provider: empty means no pulling; any other value is the
base URL of a tracking service that answers `GET <url>/trackings/<carrier>/<number>`
(carrier registry code, normalised number, both URL-encoded) with
`{"events": [{"occurred_at", "status", "sub_status", "location", "carrier_code",
"description"}, ...]}` — the webhook's event format; `carrier` and `tracking_number` may be
left out of each event. 404 means the service does not know the parcel yet (no events).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import quote

from flask import current_app

_EXTENSION_KEY = "qiao_tracking_provider"


class TrackingUnavailable(Exception):
    """The provider could not answer (down, refused, or answered nonsense)."""


class TrackingProvider(Protocol):
    """Fetches a parcel's events from a carrier or an aggregator."""

    name: str

    def fetch_events(self, carrier: str, tracking_number: str) -> list[dict[str, Any]]:
        """The parcel's events in the webhook's format; raises TrackingUnavailable."""


class HttpTrackingProvider:
    """A tracking service at `url` speaking Qiao's event format."""

    name = "http"

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.base = url.rstrip("/")
        self.timeout = timeout

    def fetch_events(self, carrier: str, tracking_number: str) -> list[dict[str, Any]]:
        """GET /trackings/<carrier>/<number> and return its events with carrier and number."""
        url = f"{self.base}/trackings/{quote(carrier, safe='')}/{quote(tracking_number, safe='')}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return []
            raise TrackingUnavailable(f"{url} answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise TrackingUnavailable(f"{url} failed: {exc}") from None
        events = body.get("events") if isinstance(body, dict) else None
        if not isinstance(events, list):
            raise TrackingUnavailable(f"{url} sent no events list")
        return [{"carrier": carrier, "tracking_number": tracking_number, **e}
                if isinstance(e, dict) else e for e in events]


def tracking_provider() -> TrackingProvider | None:
    """The configured provider for the current app, or None when pulling is off."""
    app = current_app._get_current_object()
    if _EXTENSION_KEY not in app.extensions:
        url = (app.config.get("TRACKING_PROVIDER_URL") or "").strip()
        app.extensions[_EXTENSION_KEY] = HttpTrackingProvider(
            url, timeout=float(app.config.get("TRACKING_PROVIDER_TIMEOUT_SECONDS", 10)),
        ) if url else None
    return app.extensions[_EXTENSION_KEY]


def reset_tracking_provider() -> None:
    """Forget the chosen provider so the next call reads the configuration again (tests)."""
    current_app.extensions.pop(_EXTENSION_KEY, None)
