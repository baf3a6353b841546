"""Machine translation behind a small interface, with two self-hostable kinds of server.

TRANSLATION_URL empty means no translation (the UI says so). Otherwise
TRANSLATION_PROVIDER says what the URL is:

- "libretranslate": `POST <url>/translate` with `{"q", "source", "target", "format":
  "text", "api_key"}`, answered by `{"translatedText": "..."}`.
- "openai": an OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp
  serving a model such as Qwen): `POST <url>/chat/completions` with `{"model", "messages",
  "temperature": 0}` and a Bearer key, answered by `{"choices": [{"message": {"content"}}]}`.

Names the glossary protects reach a provider as markers (`PROTECTED_MARKER`, such as
`⟦1⟧`) that must come back unchanged.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any, Protocol

from flask import current_app

_EXTENSION_KEY = "qiao_translation"
PROTECTED_MARKER = "⟦{}⟧"
PROVIDER_KINDS = ("libretranslate", "openai")
# Language names for the chat model's instructions (codes are ambiguous to some models).
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese", "ja": "Japanese",
                  "ko": "Korean", "fr": "French", "de": "German", "es": "Spanish"}
# Reasoning models (Qwen3, DeepSeek-R1) may think aloud before answering.
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)


class TranslationUnavailable(Exception):
    """The provider could not translate (down, refused, or answered nonsense)."""


class TranslationProvider(Protocol):
    """Translates plain text into a target language."""

    name: str

    def translate(self, text: str, target: str, source: str | None = None) -> str:
        """`text` in the language `target` (ISO 639-1); raises TranslationUnavailable."""


class LibreTranslateProvider:
    """A LibreTranslate-compatible server at `url`."""

    name = "libretranslate"

    def __init__(self, url: str, *, api_key: str = "", timeout: float = 10.0) -> None:
        self.endpoint = url.rstrip("/") + "/translate"
        self.api_key = api_key
        self.timeout = timeout

    def translate(self, text: str, target: str, source: str | None = None) -> str:
        """POST /translate and return `translatedText`."""
        payload = {"q": text, "source": source or "auto", "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        body = _post_json(self.endpoint, payload, {}, self.timeout)
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if not isinstance(translated, str):
            raise TranslationUnavailable(f"{self.endpoint} sent no translatedText")
        return translated


class OpenAIChatProvider:
    """A model behind an OpenAI-compatible chat-completions endpoint at `url`."""

    name = "openai"

    def __init__(self, url: str, *, model: str, api_key: str = "",
                 timeout: float = 10.0) -> None:
        self.endpoint = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def instructions(self, target: str, source: str | None) -> str:
        """The system message: translate only, and keep the protected markers."""
        into = LANGUAGE_NAMES.get(target, target)
        origin = f" from {LANGUAGE_NAMES.get(source, source)}" if source else ""
        return (f"You are a translator. Translate the user's message{origin} into {into}. "
                "Reply with the translation only: no notes, no quotes, no explanations. "
                f"Copy every marker such as {PROTECTED_MARKER.format(1)} exactly as it is; "
                "each stands for a name that must not be translated. Keep line breaks, "
                "emoji, #topics, @mentions and links as they are.")

    def translate(self, text: str, target: str, source: str | None = None) -> str:
        """POST /chat/completions and return the first choice's message content."""
        payload = {"model": self.model, "temperature": 0, "stream": False,
                   "messages": [{"role": "system", "content": self.instructions(target, source)},
                                {"role": "user", "content": text}]}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = _post_json(self.endpoint, payload, headers, self.timeout)
        try:
            content = body["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            content = None
        if not isinstance(content, str) or not _THINKING.sub("", content).strip():
            raise TranslationUnavailable(f"{self.endpoint} sent no message content")
        return _THINKING.sub("", content).strip()


def _post_json(url: str, payload: dict, headers: dict[str, str], timeout: float) -> Any:
    """POST `payload` as JSON and decode the JSON answer; any failure is TranslationUnavailable."""
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise TranslationUnavailable(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise TranslationUnavailable(f"{url} failed: {exc}") from None


def build_translation_provider(config: dict) -> TranslationProvider | None:
    """The provider the settings describe, or None when TRANSLATION_URL is empty."""
    url = (config.get("TRANSLATION_URL") or "").strip()
    if not url:
        return None
    kind = (config.get("TRANSLATION_PROVIDER") or "libretranslate").strip().lower()
    api_key = config.get("TRANSLATION_API_KEY", "")
    timeout = float(config.get("TRANSLATION_TIMEOUT_SECONDS", 10))
    if kind == "libretranslate":
        return LibreTranslateProvider(url, api_key=api_key, timeout=timeout)
    if kind == "openai":
        model = (config.get("TRANSLATION_MODEL") or "").strip()
        if not model:
            raise ValueError("TRANSLATION_PROVIDER=openai needs TRANSLATION_MODEL "
                             "(the model name the server serves, e.g. qwen2.5-7b-instruct)")
        return OpenAIChatProvider(url, model=model, api_key=api_key, timeout=timeout)
    raise ValueError(f"TRANSLATION_PROVIDER must be one of {', '.join(PROVIDER_KINDS)}, "
                     f"not {kind!r}")


def translation_provider() -> TranslationProvider | None:
    """The configured provider for the current app, or None when translation is off."""
    app = current_app._get_current_object()
    if _EXTENSION_KEY not in app.extensions:
        app.extensions[_EXTENSION_KEY] = build_translation_provider(app.config)
    return app.extensions[_EXTENSION_KEY]


def reset_translation_provider() -> None:
    """Forget the chosen provider so the next call reads the configuration again (tests)."""
    current_app.extensions.pop(_EXTENSION_KEY, None)
