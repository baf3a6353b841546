"""A loopback stand-in that speaks LibreTranslate's `POST /translate` JSON API.

It answers `{"translatedText": "[<target>] <q>"}` and records every request body, so tests
can check the wire format and count calls (to prove the cache works).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.providers.translation import reset_translation_provider


class FakeLibreTranslate:
    """The running server: its base URL, the requests it saw, and a failure switch."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append({"path": self.path, **body})
                if self.path != "/translate":
                    self._answer(404, {"error": "Not Found"})
                elif outer.fail_with:
                    self._answer(outer.fail_with, {"error": "Translation engine overloaded"})
                else:
                    self._answer(200, {"translatedText": f"[{body['target']}] {body['q']}"})

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

    def translate_calls(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/translate"]


@pytest.fixture
def libretranslate(app):
    """Point the app at a loopback LibreTranslate for this test."""
    fake = FakeLibreTranslate()
    fake.thread.start()
    app.config.update(TRANSLATION_URL=fake.url, TRANSLATION_API_KEY="test-key")
    reset_translation_provider()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        app.config.update(TRANSLATION_URL="", TRANSLATION_API_KEY="")
        reset_translation_provider()
