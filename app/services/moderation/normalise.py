"""Text normalisation before rule matching: undo the tricks people use to slip past a list.

Pure functions, no database. Every normalised form keeps, for each of its characters, the
offset of the original character it came from, so a match found in the normalised text can
be highlighted in the text the author wrote.

The steps, per character: NFKC (full-width Ａ → A, ligatures, compatibility forms), case
folding, invisible characters dropped (zero-width spaces and joiners, soft hyphens, bidi
controls, variation selectors, combining marks, Hangul fillers), Cyrillic and Greek
look-alikes folded to Latin, traditional Chinese folded to simplified (OpenCC `t2s`),
and, when asked, leetspeak digits and symbols read as letters (`5ex` → `sex`), Han
characters read as toneless pinyin (`毒品` → `dupin`, which also catches homophones).
The compact forms drop spaces and punctuation (`s.e.x`, `f u c k` → `sex`, `fuck`) and
remember where word boundaries were, so the matcher can refuse `sex` inside `Essex`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin

# Characters that render as nothing (or as blank space) but are letters or symbols to
# Unicode, so the category test below does not catch them.
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f\u17b4\u17b5")

# Cyrillic and Greek letters that look like Latin ones (after case folding).
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "н": "h",
    "і": "i", "ї": "i", "ј": "j", "к": "k", "ӏ": "l", "м": "m", "п": "n", "о": "o",
    "р": "p", "ԛ": "q", "г": "r", "ѕ": "s", "т": "t", "ц": "u", "ѵ": "v", "ш": "w",
    "ԝ": "w", "х": "x", "у": "y", "з": "3", "ь": "b", "ы": "bi",
    # Greek
    "α": "a", "β": "b", "ϲ": "c", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w",
    "ϳ": "j", "ѡ": "w", "μ": "u", "σ": "o", "ς": "s", "θ": "o", "λ": "l",
    # Armenian
    "ս": "u", "օ": "o", "հ": "h", "ո": "n", "ց": "g", "զ": "q", "ա": "w",
    # Latin look-alikes outside ASCII that NFKC keeps
    "ı": "i", "ɩ": "i", "ɑ": "a", "ɡ": "g", "ʀ": "r", "ꜱ": "s", "ᴏ": "o", "ᴄ": "c",
    "ø": "o", "ß": "ss", "đ": "d", "ł": "l", "ħ": "h",
}

# Digits and symbols read as letters, for rules that ask for it (`match_leet`).
LEET: dict[str, str] = {
    "0": "o", "1": "i", "2": "z", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t",
    "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e",
    "£": "l", "(": "c", "<": "c",
}

_T2S = opencc.OpenCC("t2s")


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A normalised form of a text and, per character, where it came from in the original.

    `origins[i]` is the offset in the original of the character that produced `text[i]`;
    `word_start[i]` says a separator (space, punctuation, the text's start) or a Han
    character stood right before `text[i]` in the original, so a match may begin there.
    """

    text: str
    origins: tuple[int, ...]
    word_start: tuple[bool, ...]
    original_length: int

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets `[begin, finish)` covered by normalised `text[start:end]`."""
        if start >= end:
            return (self.origins[start] if start < len(self.origins)
                    else self.original_length,) * 2
        return self.origins[start], self.origins[end - 1] + 1

    def is_word_end(self, end: int) -> bool:
        """Whether a match ending before `text[end]` ends on a word boundary."""
        return end >= len(self.text) or self.word_start[end]


def is_invisible(char: str) -> bool:
    """Zero-width, formatting, combining and blank-filler characters."""
    if char in _INVISIBLE_EXTRA:
        return True
    category = unicodedata.category(char)
    return category in ("Cf", "Mn", "Me", "Cs", "Co") or (
        category == "Cc" and char not in "\t\n\r")


def is_han(char: str) -> bool:
    """A CJK ideograph (unified or compatibility)."""
    code = ord(char)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF
            or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F)


def is_word_char(char: str) -> bool:
    """Letters and digits of any script; everything else separates words."""
    return char.isalnum()


@lru_cache(maxsize=65536)
def fold_char(char: str) -> str:
    """One original character folded: NFKC, case-folded, homoglyphs, invisible → ''."""
    if char.isascii():
        return char.lower() if char.isalpha() else (
            "" if unicodedata.category(char) == "Cc" and char not in "\t\n\r" else char)
    if is_invisible(char):
        return ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    out = []
    for piece in unicodedata.normalize("NFKD", folded):
        if is_invisible(piece):  # accents split off by NFKD: "é" → "e"
            continue
        out.append(HOMOGLYPHS.get(piece, piece))
    result = "".join(out)
    return unicodedata.normalize("NFC", result) if not result.isascii() else result


@lru_cache(maxsize=16384)
def pinyin_of(char: str) -> str:
    """The toneless pinyin of one Han character (its most common reading)."""
    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()


def simplify(text: str) -> str:
    """Traditional → simplified Chinese, character for character where OpenCC keeps length."""
    if text.isascii():
        return text
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_T2S.convert(ch) if len(_T2S.convert(ch)) == 1 else ch for ch in text)


def normalise(text: str, *, compact: bool = True, leet: bool = False,
              simplified: bool = True, pinyin: bool = False) -> NormalisedText:
    """One normalised form of `text` (see the module docstring for the steps).

    `compact` drops separators (spaces, punctuation, symbols); without it punctuation
    stays and each run of white space becomes one space (the form regex patterns run on).
    `leet` reads digits and symbols as letters; `simplified` folds traditional Chinese;
    `pinyin` spells Han characters as toneless pinyin.
    """
    source = simplify(text) if simplified else text
    chars: list[str] = []
    origins: list[int] = []
    starts: list[bool] = []
    boundary = True  # a match may start at the very beginning
    for index, original in enumerate(source):
        folded = fold_char(original)
        if not folded:
            continue  # invisible: leaves no trace, not even a word boundary
        for char in folded:
            if leet and char in LEET:
                char = LEET[char]
            if not is_word_char(char):
                boundary = True
                if compact:
                    continue
                if char.isspace():
                    if not chars or chars[-1] == " ":
                        continue
                    char = " "
                chars.append(char)
                origins.append(index)
                starts.append(True)
                continue
            if pinyin and is_han(char):
                syllable = pinyin_of(char)
                for position, letter in enumerate(syllable):
                    chars.append(letter)
                    origins.append(index)
                    starts.append(position == 0)
                boundary = True
                continue
            if is_han(char):
                boundary = True
            chars.append(char)
            origins.append(index)
            starts.append(boundary)
            boundary = is_han(char)
    if not compact and chars and chars[-1] == " ":
        chars.pop()
        origins.pop()
        starts.pop()
    return NormalisedText("".join(chars), tuple(origins), tuple(starts), len(text))


def normalise_term(term: str, *, leet: bool = False, pinyin: bool = False,
                   simplified: bool = True) -> str:
    """A rule's keyword in the same compact form the text is matched in."""
    return normalise(term, compact=True, leet=leet, pinyin=pinyin, simplified=simplified).text
