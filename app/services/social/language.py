"""Offline language detection, restricted to the languages Qiao serves.

Lingua (a statistical detector shipped with its models, no network) decides when it is
installed; otherwise a script-based fallback tells CJK scripts apart and calls other
Latin text English. The detector loads its models on first use (about 2 s, once per
process).
"""

from __future__ import annotations

import re
from functools import cache

# ISO 639-1 codes Qiao detects (the profile languages).
DETECTABLE_LANGUAGES = ("en", "zh", "ja", "ko", "fr", "de", "es")
MIN_LETTERS = 2

_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
# Topics, mentions and links say little about the language of the text around them.
_NOISE = re.compile(r"https?://\S+|[#@][\w.-]+")


@cache
def _lingua_detector():
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua is a declared dependency
        return None
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                 for code in DETECTABLE_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text`'s language, or None when there is too little to tell."""
    cleaned = _NOISE.sub(" ", text or "")
    if sum(1 for ch in cleaned if ch.isalpha()) < MIN_LETTERS:
        return None
    # Scripts settle Japanese, Korean and Chinese outright (Lingua can call a short all-Han
    # phrase Japanese); a Chinese note with a few English brand names is still Chinese.
    if _KANA.search(cleaned):
        return "ja"
    if _HANGUL.search(cleaned):
        return "ko"
    han = len(_HAN.findall(cleaned))
    if han and han * 4 >= len(_LATIN.findall(cleaned)):
        return "zh"
    detector = _lingua_detector()
    found = detector.detect_language_of(cleaned) if detector is not None else None
    if found is None:
        return "zh" if han else ("en" if _LATIN.search(cleaned) else None)
    return found.iso_code_639_1.name.lower()
