"""The carrier registry: check digits, formats, detection, normalisation and tracking URLs."""

from __future__ import annotations

import pytest

from app.services.logistics import check_digits as cd

# --- check digits: published worked examples ------------------------------------------------


def test_s10_published_example():
    # Wikipedia "S10 (UPU standard)": serial 47312482, S = 200, 200 mod 11 = 2, C = 9.
    assert cd.s10_check_digit("47312482") == 9


def test_s10_maps_ten_to_zero_and_eleven_to_five():
    # By hand: 12345678 -> S = 8+12+12+8+15+30+63+56 = 204, 204 mod 11 = 6, C = 5
    # (EE123456785CN); 00000000 -> S = 0, C = 11 -> 5; 00000001 -> S = 7, C = 4;
    # 00000008 -> S = 56, 56 mod 11 = 1, C = 10 -> 0.
    assert cd.s10_check_digit("12345678") == 5
    assert cd.s10_check_digit("00000000") == 5
    assert cd.s10_check_digit("00000001") == 4
    assert cd.s10_check_digit("00000008") == 0


def test_ups_published_examples():
    # 1Z999AA10123456784 is UPS's own sample number; 1Z5R89390357567127 was worked by hand:
    # odd positions 5+8+3+0+5+5+7+2 = 35, even positions (R=9) 9+9+9+3+7+6+1 = 44, doubled
    # 88, total 123, check 7.
    assert cd.ups_check_digit("999AA1012345678") == 4
    assert cd.ups_check_digit("5R8939035756712") == 7


def test_ups_letters_convert_as_ups_defines():
    # A=2 ... H=9, I=0, J=1 ... : a letter and the digit it stands for give the same check.
    assert cd.ups_check_digit("A00000000000000") == cd.ups_check_digit("200000000000000")
    assert cd.ups_check_digit("I00000000000000") == cd.ups_check_digit("000000000000000")
    assert cd.ups_check_digit("Z00000000000000") == cd.ups_check_digit("700000000000000")


def test_fedex_express_published_examples():
    # FedEx's worked examples: 01234567898 -> 179 mod 11 = 3; 12345678901 -> 178 mod 11 = 2.
    assert cd.fedex_express_check_digit("01234567898") == 3
    assert cd.fedex_express_check_digit("12345678901") == 2


def test_fedex_express_remainder_ten_becomes_zero():
    # A 3 third from the right weighs 7: 21 mod 11 = 10, which becomes 0.
    assert cd.fedex_express_check_digit("00000000300") == 0


def test_mod10_3_1_examples():
    # USPS IMpb 9400 1112 0108 0805 4830 16 and FedEx Ground 0414 4176 0228 964, samples of
    # jkeen/tracking_number_data; 036000241457 is the UPC-A example of the same GS1 rule.
    assert cd.mod10_3_1_check_digit("940011120108080548301") == 6
    assert cd.mod10_3_1_check_digit("04144176022896") == 4
    assert cd.mod10_3_1_check_digit("03600024145") == 7


def test_dhl_mod7_example():
    # 331881002 = 7 x 47411571 + 5.
    assert cd.dhl_mod7_check_digit("331881002") == 5


@pytest.mark.parametrize("func, body", [
    (cd.s10_check_digit, "1234567"),
    (cd.s10_check_digit, "1234567A"),
    (cd.ups_check_digit, "12345"),
    (cd.fedex_express_check_digit, "1234567890"),
    (cd.mod10_3_1_check_digit, "12a4"),
    (cd.dhl_mod7_check_digit, "١٢٣"),  # Arabic-Indic digits are digits, but not ASCII ones
])
def test_malformed_bodies_raise_value_error(func, body):
    with pytest.raises(ValueError):
        func(body)
