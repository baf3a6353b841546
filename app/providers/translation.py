"""Machine translation behind a small interface; LibreTranslate (self-hostable) over HTTP.

TRANSLATION_URL chooses the provider: empty means no translation (the "See translation"
control is hidden), any other value is the base URL of a LibreTranslate-compatible
server, which receives `POST <url>/translate` with a JSON body
`{"q", "source", "target", "format": "text", "api_key"}` and answers
`{"translatedText": "..."}`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Protocol

from flask import current_app

_EXTENSION_KEY = "qiao_translation"


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
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(payload).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise TranslationUnavailable(f"{self.endpoint} answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise TranslationUnavailable(f"{self.endpoint} failed: {exc}") from None
        translated = body.get("translatedText") if isinstance(body, dict) else None
        if not isinstance(translated, str):
            raise TranslationUnavailable(f"{self.endpoint} sent no translatedText")
        return translated


def translation_provider() -> TranslationProvider | None:
    """The configured provider for the current app, or None when translation is off."""
    app = current_app._get_current_object()
    if _EXTENSION_KEY not in app.extensions:
        url = (app.config.get("TRANSLATION_URL") or "").strip()
        app.extensions[_EXTENSION_KEY] = LibreTranslateProvider(
            url, api_key=app.config.get("TRANSLATION_API_KEY", ""),
            timeout=float(app.config.get("TRANSLATION_TIMEOUT_SECONDS", 10)),
        ) if url else None
    return app.extensions[_EXTENSION_KEY]


def reset_translation_provider() -> None:
    """Forget the chosen provider so the next call reads the configuration again (tests)."""
    current_app.extensions.pop(_EXTENSION_KEY, None)
