"""Content classifiers for screening, behind small interfaces, chosen by configuration.

Every check answers a `CheckResult`: a score in [0, 1] and the reason codes behind it; the
market's policy (app.services.moderation.policy) turns scores into publish / hold / block.
A provider that cannot answer raises `ScreeningUnavailable`; screening then holds the item.

- Text: `MODERATION_TEXT_CLASSIFIER = "profanity-check"` uses alt-profanity-check's bundled
  linear model (offline, English); "" turns the check off.
- Images: `MODERATION_IMAGE_CLASSIFIER = "nudenet"` uses NudeNet's bundled 320n ONNX
  detector through onnxruntime (offline, 12 MB); "" turns it off.
- Policy model: `MODERATION_LLM_URL` is the base URL of an OpenAI-compatible server
  (a self-hosted Llama Guard or Qwen behind vLLM, llama.cpp or Ollama...).
  `MODERATION_LLM_MODE = "moderations"` posts `{"model", "input"}` to `/v1/moderations`
  and reads `results[0].category_scores`; `"chat"` posts a policy prompt to
  `/v1/chat/completions` and reads a JSON verdict `{"score", "categories"}` from the reply.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import current_app

_EXTENSION_KEY = "qiao_moderation_providers"
_MODEL_LOCK = threading.Lock()


class ScreeningUnavailable(Exception):
    """A classifier could not answer (down, timed out, refused, answered nonsense)."""


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict: a score in [0, 1] and the reason codes behind it."""

    check: str
    score: float
    reasons: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class TextClassifier(Protocol):
    """Scores a text for abusive language."""

    name: str

    def classify(self, text: str) -> CheckResult:
        """The verdict on `text`; raises ScreeningUnavailable."""


class ImageClassifier(Protocol):
    """Scores an RGB image (a Pillow image, already reduced) for nudity."""

    name: str

    def classify(self, image: Any) -> CheckResult:
        """The verdict on `image`; raises ScreeningUnavailable."""


class PolicyModel(Protocol):
    """A language model that judges a text against the platform's policy."""

    name: str

    def classify(self, text: str, language: str | None = None) -> CheckResult:
        """The verdict on `text`; raises ScreeningUnavailable."""


class ProfanityCheckClassifier:
    """alt-profanity-check: a linear SVM over character n-grams, bundled with the package."""

    name = "profanity-check"

    def __init__(self) -> None:
        self._predict = None

    def classify(self, text: str) -> CheckResult:
        """Probability that `text` is offensive (English-trained)."""
        if self._predict is None:
            with _MODEL_LOCK:
                from profanity_check import predict_prob  # a 1 s import: only when used
                self._predict = predict_prob
        try:
            score = float(self._predict([text])[0]) if text.strip() else 0.0
        except Exception as exc:  # noqa: BLE001 - any model failure means "no verdict"
            raise ScreeningUnavailable(f"profanity-check failed: {exc}") from None
        return CheckResult("text_classifier", score, ("offensive",) if score >= 0.5 else ())


# NudeNet's classes that count as nudity; covered parts, faces and feet do not.
NUDITY_CLASSES = frozenset({"FEMALE_BREAST_EXPOSED", "FEMALE_GENITALIA_EXPOSED",
                            "MALE_GENITALIA_EXPOSED", "ANUS_EXPOSED", "BUTTOCKS_EXPOSED"})


class NudeNetClassifier:
    """NudeNet's bundled 320n detector (ONNX, onnxruntime on CPU).

    Verdicts are kept per process by the picture's pixels (a bounded, least recently used
    map): the same photo posted again, or in several notes, is not run through the model
    again. The model is deterministic, so a kept verdict is the one it would give.
    """

    name = "nudenet"
    KEPT_VERDICTS = 512

    def __init__(self) -> None:
        self._detector = None
        self._verdicts: OrderedDict[bytes, CheckResult] = OrderedDict()
        self._verdicts_lock = threading.Lock()

    def _load(self):
        if self._detector is None:
            with _MODEL_LOCK:
                if self._detector is None:
                    from nudenet import NudeDetector
                    self._detector = NudeDetector(providers=["CPUExecutionProvider"])
        return self._detector

    def classify(self, image: Any) -> CheckResult:
        """The highest confidence of an exposed-nudity detection in `image`."""
        import numpy as np

        rgba = image.convert("RGBA")
        pixels = hashlib.blake2b(rgba.tobytes(), digest_size=20)
        pixels.update(repr(rgba.size).encode())
        key = pixels.digest()
        with self._verdicts_lock:
            kept = self._verdicts.get(key)
            if kept is not None:
                self._verdicts.move_to_end(key)
                return kept
        try:
            detections = self._load().detect(np.asarray(rgba))
        except Exception as exc:  # noqa: BLE001 - any model failure means "no verdict"
            raise ScreeningUnavailable(f"nudenet failed: {exc}") from None
        scores = [d["score"] for d in detections if d.get("class") in NUDITY_CLASSES]
        score = max(scores, default=0.0)
        verdict = CheckResult("image_classifier", float(score), ("nudity",) if scores else (),
                              {"detections": sorted({d["class"] for d in detections})})
        with self._verdicts_lock:
            self._verdicts[key] = verdict
            while len(self._verdicts) > self.KEPT_VERDICTS:
                self._verdicts.popitem(last=False)
        return verdict


# OpenAI moderation categories → the platform's reason codes.
CATEGORY_REASONS = {
    "harassment": "harassment", "harassment/threatening": "violence", "hate": "hate",
    "hate/threatening": "hate", "self-harm": "self_harm", "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm", "sexual": "nudity", "sexual/minors": "minor_safety",
    "violence": "violence", "violence/graphic": "violence", "illicit": "drugs",
    "illicit/violent": "weapons", "spam": "spam", "fraud": "scam",
    "counterfeit": "counterfeit", "drugs": "drugs", "weapons": "weapons",
    "gambling": "gambling", "medical_claim": "medical_claim",
}
CHAT_PROMPT = (
    "You are a content moderator for a social shopping platform serving the US, the UK and "
    "China. Judge the user's post, in whatever language it is, against these categories: "
    + ", ".join(sorted(set(CATEGORY_REASONS))) + ". Answer with JSON only: "
    '{"score": <0..1, how likely the post breaks the policy>, "categories": [<names>]}.'
)


class OpenAICompatibleModeration:
    """An OpenAI-compatible moderation or chat endpoint at `base_url`."""

    name = "openai-compatible"

    def __init__(self, base_url: str, *, model: str, api_key: str = "", mode: str = "chat",
                 timeout: float = 10.0) -> None:
        base = base_url.rstrip("/")
        self.base_url = base if base.endswith("/v1") else base + "/v1"
        self.model = model
        self.api_key = api_key
        self.mode = mode
        self.timeout = timeout

    def _post(self, path: str, payload: dict) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.base_url + path, method="POST", headers=headers,
                                         data=json.dumps(payload).encode("utf-8"))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScreeningUnavailable(f"{path} answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise ScreeningUnavailable(f"{path} failed: {exc}") from None
        if not isinstance(body, dict):
            raise ScreeningUnavailable(f"{path} answered something other than an object")
        return body

    def classify(self, text: str, language: str | None = None) -> CheckResult:
        """Ask the model; map its categories to reason codes."""
        if self.mode == "moderations":
            return self._moderations(text)
        return self._chat(text, language)

    def _moderations(self, text: str) -> CheckResult:
        body = self._post("/moderations", {"model": self.model, "input": text})
        try:
            result = body["results"][0]
            scores = {str(k): float(v) for k, v in result.get("category_scores", {}).items()}
            flagged = {str(k) for k, v in result.get("categories", {}).items() if v}
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            raise ScreeningUnavailable("/moderations sent no results") from None
        score = max(scores.values(), default=1.0 if flagged else 0.0)
        reasons = _reasons(flagged or {k for k, v in scores.items() if v >= 0.5})
        return CheckResult("policy_model", score, reasons, {"categories": sorted(flagged)})

    def _chat(self, text: str, language: str | None) -> CheckResult:
        body = self._post("/chat/completions", {
            "model": self.model, "temperature": 0,
            "messages": [{"role": "system", "content": CHAT_PROMPT},
                         {"role": "user", "content": text}]})
        try:
            content = body["choices"][0]["message"]["content"]
            found = re.search(r"\{.*\}", content, re.DOTALL)
            verdict = json.loads(found.group(0) if found else content)
            score = min(max(float(verdict["score"]), 0.0), 1.0)
            categories = {str(c) for c in verdict.get("categories", [])}
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            raise ScreeningUnavailable("/chat/completions sent no usable verdict") from None
        return CheckResult("policy_model", score, _reasons(categories),
                           {"categories": sorted(categories)})


def _reasons(categories: set[str]) -> tuple[str, ...]:
    """Reason codes for model categories (unknown ones become "policy_model")."""
    return tuple(sorted({CATEGORY_REASONS.get(c, "policy_model") for c in categories}))


@dataclass
class ModerationProviders:
    """The configured classifiers; None where a check is turned off."""

    text: TextClassifier | None
    image: ImageClassifier | None
    policy: PolicyModel | None


_TEXT = {"profanity-check": ProfanityCheckClassifier}
_IMAGE = {"nudenet": NudeNetClassifier}


def moderation_providers() -> ModerationProviders:
    """The providers configured for the current app (built once per app)."""
    app = current_app._get_current_object()
    if _EXTENSION_KEY not in app.extensions:
        config = app.config
        text_name = (config.get("MODERATION_TEXT_CLASSIFIER") or "").strip()
        image_name = (config.get("MODERATION_IMAGE_CLASSIFIER") or "").strip()
        llm_url = (config.get("MODERATION_LLM_URL") or "").strip()
        if text_name and text_name not in _TEXT:
            raise LookupError(f"unknown MODERATION_TEXT_CLASSIFIER {text_name!r}")
        if image_name and image_name not in _IMAGE:
            raise LookupError(f"unknown MODERATION_IMAGE_CLASSIFIER {image_name!r}")
        app.extensions[_EXTENSION_KEY] = ModerationProviders(
            text=_TEXT[text_name]() if text_name else None,
            image=_IMAGE[image_name]() if image_name else None,
            policy=OpenAICompatibleModeration(
                llm_url, model=config.get("MODERATION_LLM_MODEL", ""),
                api_key=config.get("MODERATION_LLM_API_KEY", ""),
                mode=config.get("MODERATION_LLM_MODE", "chat"),
                timeout=float(config.get("MODERATION_TIMEOUT_SECONDS", 10)),
            ) if llm_url else None,
        )
    return app.extensions[_EXTENSION_KEY]


def set_moderation_providers(providers: ModerationProviders | None) -> None:
    """Use these providers (tests), or forget them so configuration is read again (None)."""
    if providers is None:
        current_app.extensions.pop(_EXTENSION_KEY, None)
    else:
        current_app.extensions[_EXTENSION_KEY] = providers
