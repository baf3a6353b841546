"""Reading a campaign from API or form input: every bad field named with its own code.

Flight dates are entered in the account's time zone (a naive datetime is read in it,
an ISO string with an offset is taken as given) and returned in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel import Locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import AUDIENCES, OBJECTIVES, PRICING_BY_OBJECTIVE, AdAccount, Campaign, Topic
from app.money import Money
from app.services.ads.accounts import account_zone
from app.services.fields import FieldErrors, clean_countries, clean_int, clean_money, clean_text

MAX_NOTES = 10
MAX_TARGETS = 50
MAX_FREQUENCY = 100
# Seconds of slack for "starts in the past": a form filled in a minute ago still counts.
PAST_SLACK = timedelta(minutes=5)
MAX_FLIGHT = timedelta(days=366)
# The smallest bid per pricing model, in major units of the billing currency. Set so a
# bid is worth serving in every market Qiao bills in (about USD 0.50 CPM / 0.05 CPC).
MINIMUM_BIDS: dict[str, dict[str, Decimal]] = {
    "cpm": {"USD": Decimal("0.50"), "EUR": Decimal("0.50"), "GBP": Decimal("0.40"),
            "CNY": Decimal("3.00"), "JPY": Decimal("70"), "KRW": Decimal("650"),
            "HKD": Decimal("4.00"), "SGD": Decimal("0.70"), "AUD": Decimal("0.80"),
            "CAD": Decimal("0.70")},
    "cpc": {"USD": Decimal("0.05"), "EUR": Decimal("0.05"), "GBP": Decimal("0.04"),
            "CNY": Decimal("0.30"), "JPY": Decimal("7"), "KRW": Decimal("65"),
            "HKD": Decimal("0.40"), "SGD": Decimal("0.07"), "AUD": Decimal("0.08"),
            "CAD": Decimal("0.07")},
}

def minimum_bid(pricing: str, currency: str) -> Money:
    """The lowest bid accepted for `pricing` in `currency`."""
    major = MINIMUM_BIDS[pricing].get(currency, MINIMUM_BIDS[pricing]["USD"])
    return Money.from_decimal(major, currency)


def language_codes() -> dict[str, str]:
    """ISO 639-1 code -> English name, for targeting."""
    return {code: name for code, name in Locale.parse("en").languages.items()
            if len(code) == 2 and code.isalpha()}


def _clean_list(value: Any, field: str, errors: FieldErrors) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Must be a list of codes."))
        return None
    if len(value) > MAX_TARGETS:
        errors.add(field, _("List at most %(n)d.", n=MAX_TARGETS))
        return None
    return value


def _clean_languages(value: Any, errors: FieldErrors) -> list[str]:
    items = _clean_list(value, "targeting.languages", errors)
    if not items:
        return []
    known = language_codes()
    bad = [v for v in items if v.lower() not in known]
    if bad:
        errors.add("targeting.languages",
                   _("Unknown language codes: %(codes)s. Use ISO 639-1 codes such as en, "
                     "ja, zh.", codes=", ".join(bad)), "unknown_language")
        return []
    return sorted({v.lower() for v in items})


def _clean_topics(value: Any, errors: FieldErrors) -> list[str]:
    items = _clean_list(value, "targeting.topics", errors)
    if not items:
        return []
    names = sorted({v.strip().lstrip("#").casefold() for v in items if v.strip().lstrip("#")})
    known = set(db.session.scalars(select(Topic.name).where(Topic.name.in_(names))))
    bad = [name for name in names if name not in known]
    if bad:
        errors.add("targeting.topics",
                   _("Nobody has posted with these topics yet: %(names)s.",
                     names=", ".join(f"#{b}" for b in bad)), "unknown_topic")
        return []
    return names


def _clean_countries(value: Any, errors: FieldErrors) -> list[str]:
    if value in (None, "", []):
        return []
    countries = clean_countries(value, "targeting.countries", errors)
    return countries or []


def _clean_when(value: Any, field: str, errors: FieldErrors, account: AdAccount
                ) -> datetime | None:
    """A datetime: ISO text with an offset, or a naive one read in the account's zone."""
    if value is None or value == "":
        errors.add(field, _("This field is required."))
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            errors.add(field, _("Use a date and time such as 2027-03-01T09:00+08:00."))
            return None
    if not isinstance(value, datetime):
        errors.add(field, _("Use a date and time such as 2027-03-01T09:00+08:00."))
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=account_zone(account))
    return value.astimezone(UTC)


def _clean_money(value: Any, field: str, errors: FieldErrors, account: AdAccount, *,
                 required: bool) -> Money | None:
    before = len(errors.fields.get(field, []))
    money = clean_money(value, field, errors, default_currency=account.currency,
                        required=required, exact=isinstance(value, dict))
    if money is None:
        return None
    if money.currency != account.currency:
        errors.add(field, _("Amounts are in the account's billing currency %(currency)s.",
                            currency=account.currency), "currency_mismatch")
        return None
    if money.minor == 0 and len(errors.fields.get(field, [])) == before:
        errors.add(field, _("Must be more than zero."))
        return None
    return money


def clean_campaign(data: Mapping[str, Any], account: AdAccount, *, now: datetime,
                   partial: Campaign | None = None) -> tuple[dict[str, Any], list[int]]:
    """Campaign columns and note ids from API or form input; every bad field is named.

    `partial` (a draft being edited) supplies values the input leaves out.
    """
    errors = FieldErrors()
    current = _current_values(partial) if partial is not None else {}
    merged: dict[str, Any] = {**current, **{k: v for k, v in data.items() if v is not None
                                            or k == "daily_cap"}}
    targeting = merged.get("targeting") or {}
    if not isinstance(targeting, Mapping):
        errors.add("targeting", _("Must be an object with countries, languages and topics."))
        targeting = {}

    name = clean_text(merged.get("name"), "name", errors, max_len=120, required=True)
    objective = merged.get("objective")
    if objective not in OBJECTIVES:
        errors.add("objective", _("Choose awareness, traffic or sales."), "invalid_objective")
        objective = None
    pricing = PRICING_BY_OBJECTIVE.get(objective or "", "cpc")
    bid = _clean_money(merged.get("bid"), "bid", errors, account, required=True)
    budget = _clean_money(merged.get("budget"), "budget", errors, account, required=True)
    daily_cap = _clean_money(merged.get("daily_cap"), "daily_cap", errors, account,
                             required=False)
    if bid is not None:
        floor = minimum_bid(pricing, account.currency)
        if bid < floor:
            errors.add("bid", _("The lowest bid for %(pricing)s is %(amount)s.",
                                pricing=pricing.upper(), amount=floor.format()),
                       "bid_below_minimum")
        if budget is not None and budget < bid:
            errors.add("budget", _("The budget must cover at least one bid (%(amount)s).",
                                   amount=bid.format()), "budget_below_bid")
        if daily_cap is not None and daily_cap < bid:
            errors.add("daily_cap", _("The daily cap must cover at least one bid "
                                      "(%(amount)s).", amount=bid.format()),
                       "daily_cap_below_bid")
    if budget is not None and daily_cap is not None and daily_cap > budget:
        errors.add("daily_cap", _("The daily cap cannot be above the total budget."),
                   "daily_cap_above_budget")

    starts_at = _clean_when(merged.get("starts_at"), "starts_at", errors, account)
    ends_at = _clean_when(merged.get("ends_at"), "ends_at", errors, account)
    if starts_at is not None and starts_at < now - PAST_SLACK:
        errors.add("starts_at", _("The flight cannot start in the past."), "flight_in_past")
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors.add("ends_at", _("The flight must end after it starts."),
                       "flight_reversed")
        elif ends_at - starts_at > MAX_FLIGHT:
            errors.add("ends_at", _("A flight can last at most a year."), "flight_too_long")

    pacing = merged.get("pacing") or "even"
    if pacing not in ("even", "asap"):
        errors.add("pacing", _("Choose even or asap."))
    audience = merged.get("audience") or "all"
    if audience not in AUDIENCES:
        errors.add("audience", _("Choose all, new, returning or engaged."))
    frequency = clean_int(merged.get("frequency_cap_per_day"), "frequency_cap_per_day", errors,
                          minimum=1, maximum=MAX_FREQUENCY)

    countries = _clean_countries(targeting.get("countries"), errors)
    languages = _clean_languages(targeting.get("languages"), errors)
    topics = _clean_topics(targeting.get("topics"), errors)
    note_ids = _clean_note_ids(merged.get("note_ids"), errors)
    errors.raise_if_any(_("Please correct the highlighted fields."))
    values = {
        "name": name, "objective": objective, "pricing": pricing, "bid_minor": bid.minor,
        "budget_minor": budget.minor,
        "daily_cap_minor": daily_cap.minor if daily_cap is not None else None,
        "currency": account.currency, "starts_at": starts_at, "ends_at": ends_at,
        "pacing": pacing, "audience": audience, "frequency_cap_per_day": frequency,
        "countries": countries, "languages": languages, "topics": topics,
    }
    return values, note_ids


def _clean_note_ids(value: Any, errors: FieldErrors) -> list[int]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list) or not value:
        errors.add("note_ids", _("Choose at least one note to promote."))
        return []
    if len(value) > MAX_NOTES:
        errors.add("note_ids", _("Promote at most %(n)d notes.", n=MAX_NOTES))
        return []
    ids: list[int] = []
    for index, item in enumerate(value):
        number = clean_int(item, f"note_ids.{index}", errors, minimum=1, maximum=2**31 - 1)
        if number is not None and number not in ids:
            ids.append(number)
    return ids


def _current_values(campaign: Campaign) -> dict[str, Any]:
    def money(minor):
        return None if minor is None else Money(minor, campaign.currency)
    return {"name": campaign.name, "objective": campaign.objective,
            "bid": money(campaign.bid_minor), "budget": money(campaign.budget_minor),
            "daily_cap": money(campaign.daily_cap_minor), "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at, "pacing": campaign.pacing,
            "audience": campaign.audience,
            "frequency_cap_per_day": campaign.frequency_cap_per_day,
            "targeting": {"countries": campaign.countries, "languages": campaign.languages,
                          "topics": campaign.topics},
            "note_ids": campaign.note_ids}


