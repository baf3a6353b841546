"""The carrier registry: names, tracking pages and tracking-number rules of each carrier.

Registry codes are stable snake_case identifiers (they are stored on shipments and sent by
API clients), so 4PX's code is "fourpx": an identifier may not start with a digit.

A carrier has one or more number formats. A number is valid for a carrier when it matches
one of the carrier's formats exactly and, where that format defines a check digit, the check
digit is right. Sources of the formats (the check-digit sources are in `check_digits`):
- UPS: "1Z" + 6-character shipper number + 2-character service + 7 characters + check digit
  (UPS; jkeen/tracking_number_data couriers/ups.json).
- USPS: IMpb of 22 or 26 digits starting 91-95 (USPS Publication 199); legacy 20-digit
  numbers, checked both as they are and with the "91" application identifier in front,
  because USPS printed both kinds (a real Certified Mail number 7196 9010 7560 0307 7385 only
  passes with "91"); and S10 items issued by USPS (country "US").
- FedEx: Express 12 digits (mod 11); Ground 15 digits (mod 10); the 22-digit Ground barcode
  "96" + 2 + 3 + 15 digits, whose last 15 digits are the Ground number and carry its check
  digit; SmartPost 20 digits, checked with "92" in front as an IMpb number (FedEx SmartPost
  job aid, via jkeen/tracking_number_data couriers/fedex.json).
- DHL Express: 10-digit waybill (mod 7); piece IDs starting JJD00, JJD01 or JVGL, format only
  (DHL's "tracking ID labels" page lists these prefixes; the digit counts are not published).
- China Post, China EMS, Japan Post: UPU S10 items of their country; China EMS items are the
  S10 "E" (EMS) service indicators.
- SF Express: "SF" + 12 or 13 digits, or the older 12-digit waybills; no public check digit.
- Cainiao: "LP" + 12-18 digits (e.g. LP00492755414105), and the S10 items of posts it hands
  parcels to; no public check digit.
- YunExpress: "YT" + 16 digits (jkeen/tracking_number_data couriers/yunexpress.json).
- Yanwen: S10 items of any post, and its own 2 letters + 9 digits + "YP" (e.g. UG…YP, VR…YP).
- 4PX: "4PX" + 10-16 digits, optionally followed by "CN".
The formats without a check digit come from carriers' examples and third-party detection
tables, not from a carrier specification; they are deliberately lenient on lengths so that a
real number is not refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.services.errors import ValidationFailed
from app.services.logistics import check_digits as cd

# Higher ranks first in `detect_carriers`: a prefix with a check digit says more than a bare
# run of digits that many carriers could have printed.
RANK_UPS = 100
RANK_S10_SERVICE_AND_COUNTRY = 90
RANK_S10_COUNTRY = 85
RANK_PREFIX = 80
RANK_S10_ANY_COUNTRY = 60
RANK_DIGITS_WITH_CHECK = 50
RANK_DIGITS_ONLY = 10


@dataclass(frozen=True)
class NumberFormat:
    """One shape of tracking number a carrier prints, with its check digit if it has one."""

    label: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None
    rank: int

    def matches(self, number: str) -> bool:
        """Whether the normalised number has this format's shape (check digit not looked at)."""
        return self.pattern.fullmatch(number) is not None

    def accepts(self, number: str) -> bool:
        """Whether the normalised number has this shape and a right check digit."""
        return self.matches(number) and (self.check is None or self.check(number))


@dataclass(frozen=True)
class Carrier:
    """A carrier of the registry: code, names, public tracking page and number formats."""

    code: str
    name_en: str
    name_zh: str
    url_template: str  # "{number}" is replaced by the URL-encoded tracking number
    formats: tuple[NumberFormat, ...]
    format_hint: LazyString  # what a valid number looks like, in the reader's language

    def display_name(self, locale: str | None = None) -> str:
        """The carrier's name in Chinese for a "zh" locale, otherwise in English."""
        return self.name_zh if (locale or "").lower().startswith("zh") else self.name_en

    def accepts(self, number: str) -> bool:
        """Whether an already normalised number is valid for this carrier."""
        return any(f.accepts(number) for f in self.formats)

    def rank_for(self, number: str) -> int:
        """How specific this carrier's best accepting format is for the number (0 if none)."""
        return max((f.rank for f in self.formats if f.accepts(number)), default=0)


# --- check-digit predicates over whole normalised numbers ------------------------------------

def _s10_ok(number: str) -> bool:
    return cd.s10_check_digit(number[2:10]) == int(number[10])


def _ups_ok(number: str) -> bool:
    return cd.ups_check_digit(number[2:17]) == int(number[17])


def _fedex_express_ok(number: str) -> bool:
    return cd.fedex_express_check_digit(number[:11]) == int(number[11])


def _mod10_ok(number: str) -> bool:
    return cd.mod10_3_1_check_digit(number[:-1]) == int(number[-1])


def _usps_20_ok(number: str) -> bool:
    return _mod10_ok(number) or _mod10_ok("91" + number)


def _fedex_96_ok(number: str) -> bool:
    return _mod10_ok(number[-15:])


def _smartpost_ok(number: str) -> bool:
    return _mod10_ok("92" + number)


def _dhl_ok(number: str) -> bool:
    return cd.dhl_mod7_check_digit(number[:-1]) == int(number[-1])


def _fmt(label: str, regex: str, check: Callable[[str], bool] | None, rank: int) -> NumberFormat:
    return NumberFormat(label, re.compile(regex), check, rank)


def _s10(label: str, *, country: str = "[A-Z]{2}", service: str = "[A-Z]{2}",
         rank: int = RANK_S10_COUNTRY) -> NumberFormat:
    # 2 service-indicator letters, 8-digit serial, check digit, 2-letter ISO country code.
    return _fmt(label, rf"{service}\d{{8}}\d{country}", _s10_ok, rank)


def _s10_hint(country: str):
    return _l("a UPU S10 number such as RR473124829%(country)s (2 letters, 9 digits, "
              "%(country)s)", country=country)


CARRIERS: tuple[Carrier, ...] = (
    Carrier(
        "ups", "UPS", "UPS", "https://www.ups.com/track?tracknum={number}",
        (_fmt("UPS 1Z", r"1Z[A-Z0-9]{15}\d", _ups_ok, RANK_UPS),),
        _l("1Z followed by 16 letters or digits"),
    ),
    Carrier(
        "usps", "USPS", "美国邮政", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        (
            _fmt("USPS IMpb", r"9[1-5]\d{20}|9[1-5]\d{24}", _mod10_ok, RANK_DIGITS_WITH_CHECK + 5),
            _fmt("USPS 20-digit", r"\d{20}", _usps_20_ok, RANK_DIGITS_WITH_CHECK),
            _s10("UPU S10 (USPS)", country="US"),
        ),
        _l("22 or 26 digits starting 91-95, 20 digits, or a UPU S10 number ending in US"),
    ),
    Carrier(
        "fedex", "FedEx", "联邦快递", "https://www.fedex.com/fedextrack/?trknbr={number}",
        (
            _fmt("FedEx Express", r"\d{12}", _fedex_express_ok, RANK_DIGITS_WITH_CHECK),
            _fmt("FedEx Ground", r"\d{15}", _mod10_ok, RANK_DIGITS_WITH_CHECK),
            _fmt("FedEx Ground 96", r"96\d{20}", _fedex_96_ok, RANK_DIGITS_WITH_CHECK + 5),
            _fmt("FedEx SmartPost", r"\d{20}", _smartpost_ok, RANK_DIGITS_WITH_CHECK),
        ),
        _l("12, 15, 20 or 22 digits"),
    ),
    Carrier(
        "dhl_express", "DHL Express", "DHL 快递",
        "https://www.dhl.com/global-en/home/tracking/tracking-express.html"
        "?submit=1&tracking-id={number}",
        (
            _fmt("DHL Express waybill", r"\d{10}", _dhl_ok, RANK_DIGITS_WITH_CHECK),
            _fmt("DHL Express piece ID", r"(?:JJD0[01]|JVGL)\d{8,20}", None, RANK_PREFIX),
        ),
        _l("a 10-digit waybill number, or a piece ID starting JJD or JVGL"),
    ),
    Carrier(
        "china_post", "China Post", "中国邮政", "https://www.ems.com.cn/queryList?mailNum={number}",
        (_s10("UPU S10 (China Post)", country="CN"),),
        _s10_hint("CN"),
    ),
    Carrier(
        "ems", "China EMS", "中国邮政速递物流 EMS",
        "https://www.ems.com.cn/queryList?mailNum={number}",
        (_s10("UPU S10 EMS (China)", country="CN", service="E[A-Z]",
              rank=RANK_S10_SERVICE_AND_COUNTRY),),
        _l("a UPU S10 EMS number such as EE123456785CN (E + letter, 9 digits, CN)"),
    ),
    Carrier(
        "japan_post", "Japan Post", "日本邮政",
        "https://trackings.post.japanpost.jp/services/srv/search/direct"
        "?searchKind=S004&locale=en&reqCodeNo1={number}",
        (_s10("UPU S10 (Japan Post)", country="JP"),),
        _s10_hint("JP"),
    ),
    Carrier(
        "sf_express", "SF Express", "顺丰速运",
        "https://www.sf-express.com/chn/en/waybill/waybill-detail/{number}",
        (
            _fmt("SF Express", r"SF\d{12,13}", None, RANK_PREFIX),
            _fmt("SF Express 12-digit", r"\d{12}", None, RANK_DIGITS_ONLY),
        ),
        _l("SF followed by 12 or 13 digits, or 12 digits"),
    ),
    Carrier(
        "cainiao", "Cainiao", "菜鸟", "https://global.cainiao.com/newDetail.htm?mailNoList={number}",
        (
            _fmt("Cainiao LP", r"LP\d{12,18}", None, RANK_PREFIX),
            _s10("UPU S10", rank=RANK_S10_ANY_COUNTRY),
        ),
        _l("LP followed by 12 to 18 digits, or a UPU S10 number"),
    ),
    Carrier(
        "yunexpress", "YunExpress", "云途物流", "https://www.yuntrack.com/parcelTracking?id={number}",
        (_fmt("YunExpress", r"YT\d{16}", None, RANK_PREFIX),),
        _l("YT followed by 16 digits"),
    ),
    Carrier(
        "yanwen", "Yanwen", "燕文物流", "https://track.yw56.com.cn/en/querydel?nums={number}",
        (
            _fmt("Yanwen YP", r"[A-Z]{2}\d{9}YP", None, RANK_PREFIX),
            _s10("UPU S10", rank=RANK_S10_ANY_COUNTRY),
        ),
        _l("2 letters, 9 digits and YP, or a UPU S10 number"),
    ),
    Carrier(
        "fourpx", "4PX", "递四方", "https://track.4px.com/#/result/0/{number}",
        (_fmt("4PX", r"4PX\d{10,16}(?:CN)?", None, RANK_PREFIX),),
        _l("4PX followed by 10 to 16 digits, optionally ending in CN"),
    ),
)

CARRIERS_BY_CODE: dict[str, Carrier] = {c.code: c for c in CARRIERS}

# Characters people paste into a number by accident: zero-width ones from web pages and chat
# apps, and every dash. Spaces of every kind are removed after NFKC (which also turns the
# full-width letters and digits of Chinese and Japanese input methods into ASCII).
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_DASHES = "-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
_STRIP = str.maketrans("", "", _ZERO_WIDTH + _DASHES)


def list_carriers() -> tuple[Carrier, ...]:
    """Every carrier of the registry in a stable display order (e.g. for a form's select)."""
    return CARRIERS


def get_carrier(code: str) -> Carrier:
    """The carrier with this registry code; ValidationFailed `unknown_carrier` otherwise."""
    carrier = CARRIERS_BY_CODE.get(code) if isinstance(code, str) else None
    if carrier is None:
        message = _("Unknown carrier %(code)s; choose one of: %(codes)s.", code=repr(code),
                    codes=", ".join(CARRIERS_BY_CODE))
        raise ValidationFailed(message, code="unknown_carrier", fields={"carrier": [message]})
    return carrier


def normalize_tracking_number(text: str) -> str:
    """NFKC, then drop whitespace, dashes and zero-width characters, then upper-case."""
    text = unicodedata.normalize("NFKC", text).translate(_STRIP)
    return "".join(text.split()).upper()


def _shown(number: str) -> str:
    # Echo the number so the person sees what was read, but not a whole pasted page.
    return number if len(number) <= 40 else number[:37] + "..."


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_tracking_number",
                            fields={"tracking_number": [message]})


def validate_tracking_number(carrier_code: str, number: str) -> str:
    """The normalised number if it is valid for the carrier; ValidationFailed otherwise."""
    carrier = get_carrier(carrier_code)
    normalized = normalize_tracking_number(number or "")
    if not normalized:
        raise _invalid(_("Enter a tracking number."))
    shaped = [f for f in carrier.formats if f.matches(normalized)]
    if not shaped:
        raise _invalid(_("%(number)s is not a %(carrier)s tracking number: expected %(hint)s.",
                         number=_shown(normalized),
                         carrier=carrier.display_name(str(get_locale() or "en")),
                         hint=carrier.format_hint))
    if not any(f.accepts(normalized) for f in shaped):
        raise _invalid(_("%(number)s has the shape of a %(label)s number but its check digit "
                         "is wrong; a character is probably mistyped.",
                         number=_shown(normalized), label=shaped[0].label))
    return normalized


def detect_carriers(number: str) -> tuple[Carrier, ...]:
    """The carriers whose rules accept the number, most specific first (may be empty)."""
    normalized = normalize_tracking_number(number or "")
    if not normalized:
        return ()
    ranked = [(c.rank_for(normalized), i, c) for i, c in enumerate(CARRIERS)]
    return tuple(c for rank, _position, c in sorted(ranked, key=lambda r: (-r[0], r[1]))
                 if rank > 0)


def tracking_url(carrier_code: str, number: str) -> str:
    """The carrier's public tracking page for the number, the number URL-encoded."""
    carrier = get_carrier(carrier_code)
    encoded = quote(normalize_tracking_number(number or ""), safe="")
    return carrier.url_template.format(number=encoded)
