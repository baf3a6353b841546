"""A loopback stand-in that speaks LibreTranslate's `POST /translate` JSON API.

It answers `{"translatedText": "[<target>] <q>"}` and records every request body, so tests
can check the wire format and count calls (to prove the cache works).
"""

from __future__ import annotations

import json
import re
import time

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


class FakeOpenAIChat(LoopbackServer):
    """A loopback OpenAI-compatible `POST /v1/chat/completions`, as vLLM or Ollama serve it.

    It answers the user message prefixed with the language the system message asks for
    (`"<Simplified Chinese> ..."`), keeping markers; switches make it slow, make it think
    aloud first (as Qwen3 does), or make it translate a protected-name marker away.
    """

    def __init__(self) -> None:
        super().__init__()
        self.url = self.base_url + "/v1"
        self.requests: list[dict] = []
        self.delay_seconds = 0.0
        self.thinks = False
        self.drops_markers = False

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        """A chat completion in OpenAI's response format."""
        if method != "POST" or path != "/v1/chat/completions":
            return json_answer(404, {"error": {"message": "Not Found"}})
        payload = json.loads(body or b"{}")
        self.requests.append({**payload, "authorization": self.last_headers.get("Authorization")})
        time.sleep(self.delay_seconds)
        system, user = payload["messages"][0]["content"], payload["messages"][1]["content"]
        language = re.search(r"into ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\.", system).group(1)
        content = f"<{language}> {user}"
        if self.drops_markers:
            content = re.sub(r"⟦\d+⟧", "", content)
        if self.thinks:
            content = "<think>The user wants a translation.</think>\n" + content
        return json_answer(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "model": payload["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@pytest.fixture
def openai_translation(app):
    """Point the app at a loopback OpenAI-compatible chat server serving a Qwen model."""
    with FakeOpenAIChat() as fake:
        app.config.update(TRANSLATION_PROVIDER="openai", TRANSLATION_URL=fake.url,
                          TRANSLATION_API_KEY="sk-local", TRANSLATION_MODEL="qwen2.5-7b-instruct",
                          TRANSLATION_TIMEOUT_SECONDS=1)
        reset_translation_provider()
        try:
            yield fake
        finally:
            app.config.update(TRANSLATION_PROVIDER="libretranslate", TRANSLATION_URL="",
                              TRANSLATION_API_KEY="", TRANSLATION_MODEL="",
                              TRANSLATION_TIMEOUT_SECONDS=10)
            reset_translation_provider()
