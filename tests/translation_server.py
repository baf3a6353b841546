"""A loopback stand-in that speaks LibreTranslate's `POST /translate` JSON API.

It answers `{"translatedText": "[<target>] <q>"}` and records every request body, so tests
can check the wire format and count calls (to prove the cache works).
"""

from __future__ import annotations

import json

import pytest

from app.providers.translation import reset_translation_provider
from tests.loopback import LoopbackServer, json_answer


class FakeLibreTranslate(LoopbackServer):
    """The running server: its base URL, the requests it saw, and a failure switch."""

    def __init__(self) -> None:
        super().__init__()
        self.url = self.base_url
        self.requests: list[dict] = []
        self.fail_with: int | None = None

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        """Echo the text with its target language, as LibreTranslate's JSON."""
        payload = json.loads(body or b"{}")
        self.requests.append({"path": path, **payload})
        if method != "POST" or path != "/translate":
            return json_answer(404, {"error": "Not Found"})
        if self.fail_with:
            return json_answer(self.fail_with, {"error": "Translation engine overloaded"})
        return json_answer(200, {"translatedText": f"[{payload['target']}] {payload['q']}"})

    def translate_calls(self) -> list[dict]:
        return [r for r in self.requests if r["path"] == "/translate"]


@pytest.fixture
def libretranslate(app):
    """Point the app at a loopback LibreTranslate for this test."""
    with FakeLibreTranslate() as fake:
        app.config.update(TRANSLATION_URL=fake.url, TRANSLATION_API_KEY="test-key")
        reset_translation_provider()
        try:
            yield fake
        finally:
            app.config.update(TRANSLATION_URL="", TRANSLATION_API_KEY="")
            reset_translation_provider()
