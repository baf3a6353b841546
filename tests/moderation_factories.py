"""Helpers for the moderation tests: rule rows, textured test photos, fake classifiers."""

from __future__ import annotations

import io
import random
from contextlib import contextmanager

from PIL import Image, ImageDraw, ImageFilter

from app.extensions import celery
from app.providers.moderation import CheckResult, ModerationProviders, ScreeningUnavailable
from app.services.moderation import rules


def add_rule(admin, term: str = "qiaotestban", *, market: str = "ALL", **extra):
    """Add one rule through the service (a new version of the market's rules)."""
    data = {"market": market, "kind": "keyword", "term": term, "language": "any",
            "severity": "high", "reason_code": "test_term", **extra}
    return rules.add_moderation_rule(admin, data)


def photo(seed: int = 1, size: tuple[int, int] = (800, 600)) -> Image.Image:
    """A photo-like test image: soft shapes of many colours on a gradient, reproducible."""
    rng = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _shape in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, max(21, width // 4))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x - r, y - r, x + r, y + r),
                                                                fill=colour)
    return image.filter(ImageFilter.GaussianBlur(2))


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


class FakeTextClassifier:
    """Scores texts by a table; `fail` makes it raise like a broken provider."""

    name = "fake-text"

    def __init__(self, scores: dict[str, float] | None = None, *, fail: bool = False) -> None:
        self.scores = scores or {}
        self.fail = fail
        self.calls: list[str] = []

    def classify(self, text: str) -> CheckResult:
        self.calls.append(text)
        if self.fail:
            raise ScreeningUnavailable("fake text classifier timed out")
        score = max((v for k, v in self.scores.items() if k in text), default=0.01)
        return CheckResult("text_classifier", score, ("offensive",) if score > 0.5 else ())


class FakeImageClassifier:
    """Scores every image the same."""

    name = "fake-image"

    def __init__(self, score: float = 0.0) -> None:
        self.score = score

    def classify(self, image) -> CheckResult:
        return CheckResult("image_classifier", self.score, ("nudity",) if self.score else ())


def providers(text=None, image=None, policy=None) -> ModerationProviders:
    return ModerationProviders(text=text, image=image, policy=policy)


@contextmanager
def queued_jobs():
    """Jobs go to a broker (Celery's in-memory one) instead of running after the commit."""
    celery.conf.task_always_eager = False
    try:
        yield
    finally:
        celery.conf.task_always_eager = True
