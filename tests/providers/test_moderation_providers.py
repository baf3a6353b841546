"""Screening providers: the OpenAI-compatible policy model over real HTTP, the offline models."""

from __future__ import annotations

import pytest
from PIL import Image

from app.providers.moderation import (
    NudeNetClassifier,
    OpenAICompatibleModeration,
    ProfanityCheckClassifier,
    ScreeningUnavailable,
)
from tests.moderation_llm_server import FakePolicyModel


@pytest.fixture
def fake():
    with FakePolicyModel() as server:
        yield server


def test_chat_mode_sends_the_policy_prompt_and_reads_the_verdict(fake):
    model = OpenAICompatibleModeration(fake.base_url, model="qwen-guard", api_key="k",
                                       mode="chat", timeout=2)
    verdict = model.classify("I will qiaotestharm you", "en")
    assert verdict.score == pytest.approx(0.97)
    assert verdict.reasons == ("violence",)
    (request,) = fake.requests
    assert request["path"] == "/v1/chat/completions" and request["model"] == "qwen-guard"
    assert request["messages"][0]["role"] == "system"
    assert request["messages"][1]["content"] == "I will qiaotestharm you"
    clean = model.classify("我喜欢这支口红", "zh")
    assert clean.score == pytest.approx(0.02) and clean.reasons == ()


def test_moderations_mode_maps_categories_to_reason_codes(fake):
    model = OpenAICompatibleModeration(fake.base_url + "/v1", model="omni", mode="moderations",
                                       timeout=2)
    verdict = model.classify("这是测试有害内容")
    assert verdict.reasons == ("hate",) and verdict.score == pytest.approx(0.97)
    assert fake.requests[0]["path"] == "/v1/moderations"
    assert fake.requests[0]["input"] == "这是测试有害内容"


@pytest.mark.parametrize("switch", ["slow", "error", "garbage"])
def test_a_model_that_cannot_answer_raises_unavailable(fake, switch):
    if switch == "slow":
        fake.delay = 1.0
    elif switch == "error":
        fake.fail_with = 503
    else:
        fake.garbage = True
    model = OpenAICompatibleModeration(fake.base_url, model="m", mode="chat", timeout=0.3)
    with pytest.raises(ScreeningUnavailable):
        model.classify("hello")


def test_nothing_listening_is_unavailable():
    model = OpenAICompatibleModeration("http://127.0.0.1:9", model="m", timeout=0.5)
    with pytest.raises(ScreeningUnavailable):
        model.classify("hello")


def test_bundled_text_classifier_scores_abuse_high_and_praise_low():
    classifier = ProfanityCheckClassifier()
    assert classifier.classify("you are a fucking idiot").score > 0.9
    assert classifier.classify("This serum made my skin glow, love it").score < 0.3


def test_the_same_picture_is_run_through_the_image_model_once():
    classifier = NudeNetClassifier()
    detector = classifier._load()
    runs = []
    real_detect = detector.detect
    detector.detect = lambda array: runs.append(array.shape) or real_detect(array)
    classifier.KEPT_VERDICTS = 2
    blue, red, green = ((Image.new("RGB", (64, 48), colour))
                        for colour in ((90, 140, 200), (200, 40, 40), (40, 200, 40)))
    first = classifier.classify(blue)
    again = classifier.classify(Image.new("RGB", (64, 48), (90, 140, 200)))  # same pixels
    assert again == first and len(runs) == 1
    classifier.classify(red)
    classifier.classify(green)  # the oldest verdict (blue) makes room
    assert len(runs) == 3
    classifier.classify(blue)
    assert len(runs) == 4


def test_bundled_image_classifier_runs_offline_on_a_plain_image():
    verdict = NudeNetClassifier().classify(Image.new("RGB", (640, 480), (90, 140, 200)))
    assert verdict.check == "image_classifier"
    assert verdict.score == 0.0 and verdict.reasons == ()
