"""Which duty-free allowance applied to a parcel, in words, for the quote and order pages and
the API. A quote keeps it in its assessment's "relief" entry; quotes made before that entry
existed are described by their amounts instead.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext

from app.money import Money

# Parcels that cross no border or meet no market rule: nothing to explain.
UNEXPLAINED = ("domestic", "no_rule")
NOT_RECORDED = "not_recorded"


def allowance_code(relief: dict[str, Any] | None) -> str:
    """The relief code of an assessment, `not_recorded` on quotes older than the record."""
    return relief.get("code", NOT_RECORDED) if relief else NOT_RECORDED


def allowance_sentence(relief: dict[str, Any] | None, *, duties_minor: int,
                       taxes_minor: int) -> str:
    """The sentence a shopper reads under the parcel's duty and import tax, or "", naming
    the preference whose allowance applied (CUSMA's follows where the parcel ships from).
    """
    sentence = _sentence(relief, duties_minor=duties_minor, taxes_minor=taxes_minor)
    preference = (relief or {}).get("preference")
    if sentence and preference:
        sentence += " " + gettext("Allowance of %(preference)s, for parcels shipped from "
                                  "where this one ships.", preference=preference)
    return sentence


def _sentence(relief: dict[str, Any] | None, *, duties_minor: int, taxes_minor: int) -> str:
    code = allowance_code(relief)
    if code in UNEXPLAINED:
        return ""
    if code == NOT_RECORDED:
        if duties_minor == 0 and taxes_minor == 0:
            return gettext("No duty or import tax is due on this parcel.")
        return gettext("Duty and import tax apply to this parcel.")
    locale = str(get_locale() or "en")
    values = {
        "goods": Money(relief["goods_minor"], relief["goods_currency"]).format(locale)
        if "goods_minor" in relief else "",
        "threshold": Money(relief["threshold_minor"], relief["currency"]).format(locale)
        if "threshold_minor" in relief else ""}
    if code == "exempt":
        return gettext("Exempt: the goods (%(goods)s) are within the %(threshold)s allowance, "
                       "so no duty or import tax is due.", **values)
    if code == "duty_exempt":
        return gettext("No duty: the goods (%(goods)s) are within the %(threshold)s duty-free "
                       "allowance. Import tax still applies.", **values)
    if code == "tax_exempt":
        return gettext("No import tax: the goods (%(goods)s) are within the %(threshold)s "
                       "tax-free allowance. Duty still applies.", **values)
    if code == "flat_duty":
        return gettext("The goods (%(goods)s) are within the %(threshold)s low-value "
                       "allowance: a flat duty applies instead of the tariff rate.", **values)
    if code == "over_allowance":
        return gettext("No exemption: the goods (%(goods)s) are worth more than the "
                       "%(threshold)s allowance, so duty and import tax apply.", **values)
    return gettext("No exemption: this destination has no duty-free allowance.")


def allowance_json(relief: dict[str, Any] | None, *, duties_minor: int,
                   taxes_minor: int) -> dict[str, Any]:
    """The allowance as the API shows it: its code, amounts and the sentence."""
    relief = relief or {}
    return {
        "code": allowance_code(relief or None),
        "threshold": Money(relief["threshold_minor"], relief["currency"]).to_api()
        if "threshold_minor" in relief else None,
        "goods": Money(relief["goods_minor"], relief["goods_currency"]).to_api()
        if "goods_minor" in relief else None,
        "preference": relief.get("preference"),
        "description": allowance_sentence(relief or None, duties_minor=duties_minor,
                                          taxes_minor=taxes_minor),
    }
