"""A loopback stand-in for a tracking service: `GET /trackings/<carrier>/<number>`.

Tests set `parcels[(carrier, number)] = [events...]`; unknown parcels answer 404 and
`fail_with = 503` makes every request fail. Every requested path is recorded.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from app.providers.tracking import reset_tracking_provider
from tests.loopback import LoopbackServer, json_answer


class FakeTrackingService(LoopbackServer):
    """The running server: its URL, the parcels it knows, the paths it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.url = self.base_url
        self.parcels: dict[tuple[str, str], list[dict]] = {}
        self.paths: list[str] = []
        self.fail_with: int | None = None

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        """A known parcel's events, 404 for others, or the failure switched on."""
        self.paths.append(path)
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if self.fail_with:
            return json_answer(self.fail_with, {"error": "carrier API down"})
        if method == "GET" and len(parts) == 3 and parts[0] == "trackings" \
                and (parts[1], parts[2]) in self.parcels:
            return json_answer(200, {"events": self.parcels[(parts[1], parts[2])]})
        return json_answer(404, {"error": "unknown parcel"})


@pytest.fixture
def tracking_service(app):
    """Point the app's tracking provider at a loopback tracking service for this test."""
    with FakeTrackingService() as fake:
        app.config.update(TRACKING_PROVIDER_URL=fake.url,
                          TRACKING_PROVIDER_TIMEOUT_SECONDS=5)
        reset_tracking_provider()
        try:
            yield fake
        finally:
            app.config.update(TRACKING_PROVIDER_URL="")
            reset_tracking_provider()
