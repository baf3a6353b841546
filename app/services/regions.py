"""The countries Qiao ships to and the currencies it shows prices in, shared by every domain."""

from __future__ import annotations

from functools import cache

from babel import Locale

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
    """ISO 3166 alpha-2 code -> country name in `locale`, sorted by name."""
    territories = Locale.parse(locale).territories
    codes = {code: name for code, name in territories.items()
             if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES}
    return dict(sorted(codes.items(), key=lambda item: item[1]))


def is_country(code: str | None) -> bool:
    """Whether `code` is an ISO 3166 alpha-2 country code."""
    return isinstance(code, str) and code.upper() in country_names("en")
