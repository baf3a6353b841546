"""The carrier registry: check digits, formats, detection, normalisation and tracking URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.errors import ValidationFailed
from app.services.logistics import check_digits as cd
from app.services.logistics.carriers import (
    detect_carriers,
    get_carrier,
    list_carriers,
    normalize_tracking_number,
    tracking_url,
    validate_tracking_number,
)

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


# --- S10 property: a computed check digit validates, a mistyped digit almost never does -----

serials = st.text(alphabet="0123456789", min_size=8, max_size=8)
letter_pairs = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)


def _s10_sum(serial: str) -> int:
    return sum(int(d) * w for d, w in zip(serial, cd.S10_WEIGHTS, strict=True))


@given(serials, letter_pairs, letter_pairs)
def test_s10_check_digit_validates_and_single_digit_changes_are_caught(serial, service, country):
    # Cainiao takes S10 items of any country and has no other format of that shape (Yanwen's
    # "…YP" numbers would hide a wrong check digit when the country letters are YP).
    number = f"{service}{serial}{cd.s10_check_digit(serial)}{country}"
    assert validate_tracking_number("cainiao", number) == number
    for position in range(8):
        for digit in "0123456789":
            if digit == serial[position]:
                continue
            changed = serial[:position] + digit + serial[position + 1:]
            wrong = f"{service}{changed}{cd.s10_check_digit(serial)}{country}"
            # Every weight is prime to 11, so a changed digit always changes S mod 11; but
            # the standard maps both remainders 0 and 6 to check digit 5, so a change between
            # those two remainders is the one single-digit error S10 cannot see.
            if {_s10_sum(serial) % 11, _s10_sum(changed) % 11} == {0, 6}:
                continue
            with pytest.raises(ValidationFailed) as raised:
                validate_tracking_number("cainiao", wrong)
            assert "check digit is wrong" in raised.value.message


def test_s10_blind_spot_is_real():
    # 10000002: S = 8 + 14 = 22 (mod 11 = 0); 11000002: S = 28 (mod 11 = 6); both give 5.
    assert validate_tracking_number("china_post", "RR100000025CN")
    assert validate_tracking_number("china_post", "RR110000025CN")


@given(serials, st.integers(min_value=0, max_value=9))
def test_s10_every_other_check_digit_is_rejected(serial, digit):
    right = cd.s10_check_digit(serial)
    number = f"RR{serial}{digit}CN"
    if digit == right:
        assert validate_tracking_number("china_post", number) == number
    else:
        with pytest.raises(ValidationFailed, match="check digit is wrong"):
            validate_tracking_number("china_post", number)


# --- every carrier: a valid number, a wrong check digit, a wrong format ---------------------

def _s10(service: str, serial: str, country: str) -> str:
    return f"{service}{serial}{cd.s10_check_digit(serial)}{country}"


def _ups(body: str) -> str:
    return f"1Z{body}{cd.ups_check_digit(body)}"


VALID = [
    ("ups", "1Z999AA10123456784"),
    ("ups", "1Z5R89390357567127"),
    ("ups", _ups("A1B2C3010000001")),
    ("usps", "9400111201080805483016"),  # IMpb 22 digits
    ("usps", "92748931507708513018050063"),  # IMpb 26 digits
    ("usps", "71969010756003077385"),  # Certified Mail, checked with "91" in front
    ("usps", "03071790000523483741"),  # 20 digits, checked as printed
    ("usps", "LZ123456785US"),
    ("usps", _s10("EA", "00000008", "US")),
    ("fedex", "012345678983"),
    ("fedex", "123456789012"),
    ("fedex", "799531274483"),
    ("fedex", "041441760228964"),  # Ground 15 digits
    ("fedex", "9611020987654312345672"),  # Ground 96 barcode, last 15 digits checked
    ("fedex", "61299998820821171811"),  # SmartPost, checked with "92" in front
    ("dhl_express", "3318810025"),
    ("dhl_express", "8487135506"),
    ("dhl_express", "JJD0099999999"),
    ("china_post", "RR473124829CN"),
    ("china_post", "EE123456785CN"),
    ("china_post", _s10("LK", "00000000", "CN")),
    ("ems", "EE123456785CN"),
    ("ems", _s10("EA", "98765432", "CN")),
    ("japan_post", _s10("EJ", "12345678", "JP")),
    ("japan_post", _s10("RR", "47312482", "JP")),
    ("sf_express", "SF1234567890123"),
    ("sf_express", "SF123456789012"),
    ("sf_express", "123456789012"),
    ("cainiao", "LP00492755414105"),
    ("cainiao", "RR473124829GB"),
    ("yunexpress", "YT2229521272164446"),
    ("yanwen", "UG123456789YP"),
    ("yanwen", "VR123456789YP"),
    ("yanwen", "RR473124829GB"),
    ("fourpx", "4PX300184920194"),
    ("fourpx", "4PX3001849201941CN"),
]


@pytest.mark.parametrize("carrier, number", VALID)
def test_valid_numbers_are_accepted_and_normalised(carrier, number):
    assert validate_tracking_number(carrier, number) == number
    spaced = " ".join(number[i:i + 4] for i in range(0, len(number), 4)).lower()
    assert validate_tracking_number(carrier, spaced) == number


def test_every_carrier_has_a_valid_sample():
    assert {c.code for c in list_carriers()} == {carrier for carrier, _ in VALID}


WRONG_CHECK_DIGIT = [
    ("ups", "1Z999AA10123456785", "UPS 1Z"),
    ("ups", "1Z5R89390357567128", "UPS 1Z"),
    ("usps", "9400111201080805483017", "USPS IMpb"),
    ("usps", "LZ123456784US", "UPU S10 (USPS)"),
    ("fedex", "012345678984", "FedEx Express"),
    ("fedex", "041441760228965", "FedEx Ground"),
    ("fedex", "9611020987654312345673", "FedEx Ground 96"),
    ("dhl_express", "3318810026", "DHL Express waybill"),
    ("china_post", "RR473124828CN", "UPU S10 (China Post)"),
    ("ems", "EE123456784CN", "UPU S10 EMS (China)"),
    ("japan_post", "RR473124828JP", "UPU S10 (Japan Post)"),
    ("yanwen", "RR473124828GB", "UPU S10"),
    ("cainiao", "RR473124828GB", "UPU S10"),
]


@pytest.mark.parametrize("carrier, number, label", WRONG_CHECK_DIGIT)
def test_a_wrong_check_digit_is_refused_as_such(carrier, number, label):
    with pytest.raises(ValidationFailed) as raised:
        validate_tracking_number(carrier, number)
    error = raised.value
    assert error.code == "invalid_tracking_number"
    assert error.status == 422
    assert error.message == (f"{number} has the shape of a {label} number but its check digit "
                             "is wrong; a character is probably mistyped.")
    assert error.fields == {"tracking_number": [error.message]}


WRONG_FORMAT = [
    ("ups", "1Z999AA1012345678"),  # one character short
    ("ups", "2Z999AA10123456784"),
    ("usps", "9400111201080805483"),
    ("usps", "RR473124829GB"),  # an S10 item of another post
    ("fedex", "12345678901"),
    ("fedex", "1Z999AA10123456784"),
    ("dhl_express", "123456789"),
    ("dhl_express", "ABC1234567"),
    ("china_post", "RR473124829GB"),
    ("china_post", "RR47312482CN"),
    ("ems", "RR473124829CN"),  # registered, not EMS
    ("japan_post", "EE123456785CN"),
    ("sf_express", "SF12345678901"),
    ("sf_express", "SX1234567890123"),
    ("cainiao", "LP123"),
    ("yunexpress", "YT123456789012345"),  # 15 digits
    ("yunexpress", "YT22295212721644461"),  # 17 digits
    ("yanwen", "UG123456789XX1"),
    ("fourpx", "4PX123"),
    ("fourpx", "PX3001849201941"),
]


@pytest.mark.parametrize("carrier, number", WRONG_FORMAT)
def test_a_wrong_format_is_refused_as_such(carrier, number):
    name = get_carrier(carrier).name_en
    with pytest.raises(ValidationFailed) as raised:
        validate_tracking_number(carrier, number)
    error = raised.value
    assert error.code == "invalid_tracking_number"
    assert error.message.startswith(f"{number} is not a {name} tracking number: expected ")
    assert error.fields == {"tracking_number": [error.message]}


@pytest.mark.parametrize("number", ["", "   ", "-\u200b-"])
def test_an_empty_number_is_refused(number):
    with pytest.raises(ValidationFailed) as raised:
        validate_tracking_number("ups", number)
    assert raised.value.code == "invalid_tracking_number"
    assert raised.value.message == "Enter a tracking number."


def test_a_pasted_page_is_not_echoed_whole():
    with pytest.raises(ValidationFailed) as raised:
        validate_tracking_number("ups", "X" * 5000)
    assert len(raised.value.message) < 200


# --- unknown carrier --------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["dhl", "UPS", "", "4px"])
def test_unknown_carrier(code):
    with pytest.raises(ValidationFailed) as raised:
        validate_tracking_number(code, "1Z999AA10123456784")
    error = raised.value
    assert error.code == "unknown_carrier"
    assert error.fields == {"carrier": [error.message]}
    assert repr(code) in error.message
    with pytest.raises(ValidationFailed, match="Unknown carrier"):
        tracking_url(code, "1Z999AA10123456784")


# --- detection ---------------------------------------------------------------------------------

def _codes(number: str) -> list[str]:
    return [c.code for c in detect_carriers(number)]


@pytest.mark.parametrize("number, expected", [
    ("1Z999AA10123456784", ["ups"]),
    ("1z 999 aa1 0123 4567 84", ["ups"]),
    ("3318810025", ["dhl_express"]),
    ("JJD0099999999", ["dhl_express"]),
    ("041441760228964", ["fedex"]),
    ("9611020987654312345672", ["fedex"]),
    ("9400111201080805483016", ["usps"]),
    ("71969010756003077385", ["usps"]),
    ("SF1234567890123", ["sf_express"]),
    ("YT2229521272164446", ["yunexpress"]),
    ("LP00492755414105", ["cainiao"]),
    ("4PX300184920194", ["fourpx"]),
    ("UG123456789YP", ["yanwen"]),
])
def test_detection_of_distinctive_numbers(number, expected):
    assert _codes(number) == expected


def test_detection_of_s10_puts_the_issuing_post_first():
    assert _codes("EE123456785CN") == ["ems", "china_post", "cainiao", "yanwen"]
    assert _codes("RR473124829CN") == ["china_post", "cainiao", "yanwen"]
    assert _codes("LZ123456785US") == ["usps", "cainiao", "yanwen"]
    assert _codes(_s10("EJ", "12345678", "JP")) == ["japan_post", "cainiao", "yanwen"]
    # An S10 item of a post outside the registry is still one the consolidators carry.
    assert _codes("RR473124829GB") == ["cainiao", "yanwen"]


def test_detection_of_twelve_digits_puts_the_check_digit_first():
    # SF Express's older 12-digit waybills have no public check digit, so any 12 digits could
    # be one; a FedEx Express number whose check digit holds is the likelier reading.
    assert _codes("012345678983") == ["fedex", "sf_express"]
    assert _codes("012345678984") == ["sf_express"]


def test_detection_needs_a_right_check_digit():
    assert _codes("1Z999AA10123456785") == []
    assert _codes("3318810026") == []
    assert _codes("RR473124828CN") == []


@pytest.mark.parametrize("number", ["", "hello", "12345", "ÄÖÜ"])
def test_detection_of_nothing(number):
    assert detect_carriers(number) == ()


# --- normalisation -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (" 1z999aa1 0123 4567 84 ", "1Z999AA10123456784"),
    ("1Z-999-AA1-012-345-678-4", "1Z999AA10123456784"),
    ("RR\u200b473\u200d124\ufeff829\u2060GB", "RR473124829GB"),  # zero-width characters
    ("RR\u00a0473\u3000124\t829\nGB", "RR473124829GB"),  # no-break and ideographic spaces
    ("RR\u2013473\u2014124\u2212829\u2010GB", "RR473124829GB"),  # typographic dashes
    ("ＳＦ１２３４５６７８９０１２３", "SF1234567890123"),  # full-width input-method text
    ("sf1234567890123", "SF1234567890123"),
])
def test_normalisation(raw, expected):
    assert normalize_tracking_number(raw) == expected


def test_normalisation_leaves_other_punctuation_for_validation_to_refuse():
    assert normalize_tracking_number("1Z/999") == "1Z/999"
    with pytest.raises(ValidationFailed, match="is not a UPS tracking number"):
        validate_tracking_number("ups", "1Z999AA1012345678/4")


# --- tracking URLs -----------------------------------------------------------------------------

def test_tracking_urls_carry_the_normalised_number():
    assert tracking_url("ups", "1z 999 aa1 0123 4567 84") == (
        "https://www.ups.com/track?tracknum=1Z999AA10123456784")
    assert tracking_url("sf_express", "SF1234567890123") == (
        "https://www.sf-express.com/chn/en/waybill/waybill-detail/SF1234567890123")
    assert tracking_url("fourpx", "4PX300184920194") == (
        "https://track.4px.com/#/result/0/4PX300184920194")


def test_tracking_urls_encode_the_number():
    # A number is validated before it is stored, but a URL must never be broken by one.
    assert tracking_url("ups", "A&B=C") == "https://www.ups.com/track?tracknum=A%26B%3DC"
    assert tracking_url("sf_express", "SF1/../2?x#y") == (
        "https://www.sf-express.com/chn/en/waybill/waybill-detail/SF1%2F..%2F2%3FX%23Y")
    assert tracking_url("usps", "é") == "https://tools.usps.com/go/TrackConfirmAction?tLabels=%C3%89"


@pytest.mark.parametrize("carrier", [c.code for c in list_carriers()])
def test_every_tracking_url_is_https_and_holds_the_number(carrier):
    url = tracking_url(carrier, "AB12")
    assert url.startswith("https://")
    assert url.endswith("AB12")


# --- the registry ------------------------------------------------------------------------------

def test_registry_order_and_codes_are_stable():
    assert [c.code for c in list_carriers()] == [
        "ups", "usps", "fedex", "dhl_express", "china_post", "ems", "japan_post",
        "sf_express", "cainiao", "yunexpress", "yanwen", "fourpx",
    ]


def test_registry_has_the_api_codes_and_names():
    # API.md names these codes for shipments.
    for code in ["usps", "ups", "dhl_express", "china_post", "sf_express", "cainiao",
                 "yunexpress"]:
        assert get_carrier(code).code == code
    names = {c.code: (c.name_en, c.name_zh) for c in list_carriers()}
    assert names["sf_express"] == ("SF Express", "顺丰速运")
    assert names["cainiao"] == ("Cainiao", "菜鸟")
    assert names["china_post"] == ("China Post", "中国邮政")
    assert names["yunexpress"] == ("YunExpress", "云途物流")
    assert names["yanwen"] == ("Yanwen", "燕文物流")
    assert names["fourpx"] == ("4PX", "递四方")


def test_display_name_follows_the_locale():
    carrier = get_carrier("sf_express")
    assert carrier.display_name("zh_Hans_CN") == "顺丰速运"
    assert carrier.display_name("zh") == "顺丰速运"
    assert carrier.display_name("en") == "SF Express"
    assert carrier.display_name(None) == "SF Express"


def test_carriers_are_frozen():
    carrier = get_carrier("ups")
    with pytest.raises(AttributeError):
        carrier.code = "other"  # type: ignore[misc]


def test_a_wrong_number_is_explained_in_the_readers_language(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("zh"):
        with pytest.raises(ValidationFailed) as caught:
            validate_tracking_number("yunexpress", "XX123")
    assert "云途物流" in str(caught.value) and "YT 加 16 位数字" in str(caught.value)
