"""The countries Qiao ships to and the currencies it shows prices in, shared by every domain."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from pypinyin import Style, lazy_pinyin

# Presentment currencies offered to shoppers.
SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "JPY", "KRW", "HKD", "SGD", "AUD", "CAD")
# The 27 member states of the European Union (one VAT area, IOSS on customs documents).
EU_COUNTRIES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
                          "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL",
                          "PT", "RO", "SE", "SI", "SK"})
# CLDR territory codes that are not countries one can ship to (unions, pseudo-locales,
# "unknown", and codes ISO 3166 only reserves).
NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA",
                           "XB", "ZZ"})


@cache
def country_names(locale: str = "en") -> dict[str, str]:
    """ISO 3166 alpha-2 code -> country name in `locale`, in that language's order.

    Chinese readers look a country up by its pinyin (日本 under R), not by code point, which
    would put 不丹 and 东帝汶 first.
    """
    parsed = Locale.parse(locale)
    codes = {code: name for code, name in parsed.territories.items()
             if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES}
    if parsed.language == "zh":
        return dict(sorted(codes.items(), key=lambda item: _pinyin_key(item[1])))
    return dict(sorted(codes.items(), key=lambda item: _latin_key(item[1])))


def _latin_key(name: str) -> str:
    """Accents ignored, as a dictionary does: Åland beside Albania, not after Zimbabwe."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _pinyin_key(name: str) -> tuple[str, str]:
    """Toneless pinyin syllables, then tone numbers, then the name: 阿 < 爱 < 巴."""
    toneless = " ".join(lazy_pinyin(name, style=Style.NORMAL))
    toned = " ".join(lazy_pinyin(name, style=Style.TONE3))
    return (toneless, toned + name)


def is_country(code: str | None) -> bool:
    """Whether `code` is an ISO 3166 alpha-2 country code."""
    return isinstance(code, str) and code.upper() in country_names("en")
