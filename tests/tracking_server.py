"""A loopback stand-in for a tracking service: `GET /trackings/<carrier>/<number>`.

Tests set `parcels[(carrier, number)] = [events...]`; unknown parcels answer 404 and
`fail_with = 503` makes every request fail. Every requested path is recorded.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from app.providers.tracking import reset_tracking_provider


class FakeTrackingService:
    """The running server: its URL, the parcels it knows, the paths it was asked for."""

    def __init__(self) -> None:
        self.parcels: dict[tuple[str, str], list[dict]] = {}
        self.paths: list[str] = []
        self.fail_with: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.paths.append(self.path)
                parts = [unquote(p) for p in self.path.strip("/").split("/")]
                if outer.fail_with:
                    self._answer(outer.fail_with, {"error": "carrier API down"})
                elif len(parts) == 3 and parts[0] == "trackings" and (
                        (parts[1], parts[2]) in outer.parcels):
                    self._answer(200, {"events": outer.parcels[(parts[1], parts[2])]})
                else:
                    self._answer(404, {"error": "unknown parcel"})

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def tracking_service(app):
    """Point the app's tracking provider at a loopback tracking service for this test."""
    fake = FakeTrackingService()
    fake.thread.start()
    app.config.update(TRACKING_PROVIDER_URL=fake.url, TRACKING_PROVIDER_TIMEOUT_SECONDS=5)
    reset_tracking_provider()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        app.config.update(TRACKING_PROVIDER_URL="")
        reset_tracking_provider()
