"""A loopback stand-in for an OpenAI-compatible policy model (a self-hosted Llama Guard/Qwen).

It speaks `POST /v1/moderations` (`{"model", "input"}` → `{"results": [{"flagged",
"categories", "category_scores"}]}`) and `POST /v1/chat/completions` (the verdict as JSON in
`choices[0].message.content`). A text containing one of `flag_words` is judged harmful with
that word's categories; `delay` makes it slow (for timeouts), `fail_with` makes it answer an
HTTP error, `garbage` makes it answer text that is not a verdict.
"""

from __future__ import annotations

import json
import time

import pytest

from app.providers.moderation import set_moderation_providers
from tests.loopback import LoopbackServer, json_answer


class FakePolicyModel(LoopbackServer):
    """The running server: its base URL, the requests it saw, and the failure switches."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict] = []
        self.flag_words = {"qiaotestharm": ["violence"], "测试有害": ["hate"],
                           "fake invoices": ["fraud"]}
        self.delay = 0.0
        self.fail_with: int | None = None
        self.garbage = False

    def _verdict(self, text: str) -> tuple[float, list[str]]:
        categories = sorted({c for word, cats in self.flag_words.items() if word in text
                             for c in cats})
        return (0.97 if categories else 0.02), categories

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        payload = json.loads(body or b"{}")
        self.requests.append({"path": path, **payload})
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with:
            return json_answer(self.fail_with, {"error": {"message": "model overloaded"}})
        if method == "POST" and path == "/v1/moderations":
            score, categories = self._verdict(payload["input"])
            return json_answer(200, {"id": "modr-1", "model": payload["model"], "results": [{
                "flagged": bool(categories),
                "categories": {c: True for c in categories} | {"sexual": False},
                "category_scores": {c: score for c in categories} | {"sexual": 0.01}}]})
        if method == "POST" and path == "/v1/chat/completions":
            text = payload["messages"][-1]["content"]
            score, categories = self._verdict(text)
            content = "I cannot judge that." if self.garbage else \
                "Verdict:\n" + json.dumps({"score": score, "categories": categories})
            return json_answer(200, {"id": "chat-1", "object": "chat.completion", "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content},
                 "finish_reason": "stop"}]})
        return json_answer(404, {"error": {"message": "not found"}})


@pytest.fixture
def policy_model(app):
    """Point the app's policy model at a loopback server for this test (chat mode)."""
    with FakePolicyModel() as fake:
        app.config.update(MODERATION_LLM_URL=fake.base_url, MODERATION_LLM_MODE="chat",
                          MODERATION_LLM_MODEL="llama-guard-test",
                          MODERATION_TIMEOUT_SECONDS=0.5)
        set_moderation_providers(None)
        try:
            yield fake
        finally:
            app.config.update(MODERATION_LLM_URL="", MODERATION_TIMEOUT_SECONDS=10)
            set_moderation_providers(None)
