"""Check-digit algorithms of tracking numbers, as pure functions over digit strings.

Each `*_check_digit` function takes the body (the characters the check digit covers, without
the check digit) and returns the expected check digit as an int 0-9. The callers in
`carriers` match the shape with a regular expression first, so these functions assume
well-formed input and raise ValueError otherwise.

Sources (each checked against the published worked example noted beside it):
- UPU S10: UPU standard S10, as summarised in the Wikipedia article "S10 (UPU standard)";
  worked example 47312482 -> 9, i.e. RR473124829GB.
- UPS 1Z: UPS's "modified MOD 10" as UPS described it to developers (quoted in Google
  Answers thread 207899): drop "1Z", letters to digits, odd positions from the left summed,
  even positions summed and doubled, check = distance to the next multiple of 10.
- FedEx Express 12-digit: FedEx's mod-11 rule from the same thread (FedEx Web API
  department): weights 1, 3, 7 repeating from the rightmost body digit leftwards, sum mod 11,
  10 -> 0; worked examples 012345678983 (sum 179) and 123456789012 (sum 178).
- Mod 10 with weights 3 and 1: USPS Publication 199 (IMpb) and the FedEx Ground label
  specification, the same rule as GS1: from the rightmost body digit leftwards, weights
  3, 1, 3, 1 ...; check = (10 - sum mod 10) mod 10.
- DHL Express 10-digit waybill: the first nine digits read as one number, mod 7. DHL does not
  publish this on its own pages; it is the rule of the jkeen/tracking_number_data registry,
  whose sample waybills (e.g. 3318810025, 8487135506) all agree with it.
"""

from __future__ import annotations

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
FEDEX_EXPRESS_WEIGHTS = (1, 3, 7)  # applied from the rightmost body digit leftwards


def _digits(body: str, length: int | None = None) -> list[int]:
    if not body.isascii() or not body.isdigit() or (length is not None and len(body) != length):
        raise ValueError(f"expected {length or 'some'} ASCII digits, got {body!r}")
    return [int(c) for c in body]


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial number (weights 8 6 4 2 3 5 9 7, mod 11)."""
    total = sum(d * w for d, w in zip(_digits(serial, 8), S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    # The standard maps the two values that are not single digits: 10 -> 0 and 11 -> 5.
    return {10: 0, 11: 5}.get(check, check)


def ups_check_digit(body: str) -> int:
    """UPS 1Z check digit of the 15 characters between "1Z" and the check digit."""
    if len(body) != 15 or not body.isascii() or not body.isalnum():
        raise ValueError(f"expected 15 ASCII letters or digits, got {body!r}")
    total = 0
    for index, char in enumerate(body.upper()):
        # UPS maps letters onto digits cyclically from A=2 (A-H 2-9, I=0, J=1, ...), which is
        # the letter's ordinal minus 63, mod 10.
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        # index 0 is position 1 (odd, summed as is); odd indexes are the even positions.
        total += value * 2 if index % 2 else value
    return (10 - total % 10) % 10


def fedex_express_check_digit(body: str) -> int:
    """FedEx Express check digit of the first 11 digits of a 12-digit number (mod 11)."""
    digits = _digits(body, 11)
    total = sum(d * FEDEX_EXPRESS_WEIGHTS[i % 3] for i, d in enumerate(reversed(digits)))
    return total % 11 % 10  # a remainder of 10 becomes 0


def mod10_3_1_check_digit(body: str) -> int:
    """Mod-10 check digit with weights 3, 1, 3 ... from the right (USPS IMpb, FedEx Ground)."""
    digits = _digits(body)
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def dhl_mod7_check_digit(body: str) -> int:
    """DHL Express waybill check digit: the body read as a number, mod 7."""
    return int("".join(str(d) for d in _digits(body))) % 7
