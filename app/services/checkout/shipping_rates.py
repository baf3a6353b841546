"""Shipping: per-store profiles (zones, weight tiers, free-over thresholds) and addresses.

A parcel's price comes from the first zone of the store's profile that lists the
destination, else its first zone without countries (the rest of the world). Within
the zone the lightest tier that holds the parcel's weight wins (a tier without a
maximum takes any weight). The parcel ships free when the item subtotal, in the
store's currency, reaches the zone's threshold. Amounts are the store's currency.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ShippingProfile, ShippingRate, ShippingZone, Store, User
from app.models.shipping_rates import MAX_TRANSIT_DAYS
from app.money import Money
from app.services.checkout.addresses import check_address_fields
from app.services.errors import NotFound, ValidationFailed
from app.services.fields import amount_rule
from app.services.permissions import require_store_staff
from app.services.regions import is_country

# Where carriers refuse a parcel without a phone number (Google's address data has no phones).
PHONE_REQUIRED = frozenset({"CN"})
ADDRESS_FIELDS = {"name": 120, "line1": 200, "line2": 200, "city": 120, "region": 120,
                  "postal_code": 20, "country": 2, "phone": 30}
MAX_ZONES = 20
MAX_RATES = 10
MAX_DELIVERY_DAYS = 180


class NoShippingRate(ValidationFailed):
    """The store's profile has no rate for this destination or parcel weight."""

    code = "no_shipping_rate"
    status = 422


@dataclass(frozen=True)
class ParcelPrice:
    """What one store charges to ship one parcel, in its own currency."""

    price: Money
    zone_name: str
    delivery_days_min: int
    delivery_days_max: int
    is_free: bool


# Profiles as quotes keep them (app.services.checkout.shipping_terms) ----------------------
@dataclass(frozen=True)
class RateTerms:
    """One weight tier of a zone."""

    max_weight_grams: int | None
    price_minor: int
    transit_days_min: int | None
    transit_days_max: int | None


@dataclass(frozen=True)
class ZoneTerms:
    """A zone as `price_parcel` reads it, its tiers lightest first."""

    name: str
    countries: tuple[str, ...]
    free_over_minor: int | None
    delivery_days_min: int
    delivery_days_max: int
    rates: tuple[RateTerms, ...]


@dataclass(frozen=True)
class ProfileTerms:
    """A store's shipping profile, its zones in position order."""

    store_id: int
    zones: tuple[ZoneTerms, ...]


# Addresses ----------------------------------------------------------------------------------
def validate_address(raw: Any) -> dict[str, str]:
    """A clean shipping address, or ValidationFailed naming each bad field.

    Errors are keyed `shipping_address.<field>`, the name the API and the form use.
    """
    if not isinstance(raw, Mapping):
        raise ValidationFailed("Give the shipping address.", code="invalid_address",
                               fields={"shipping_address": ["Send the address as an object."]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name, limit in ADDRESS_FIELDS.items():
        value = raw.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[f"shipping_address.{name}"] = ["Must be text."]
            continue
        value = " ".join(value.split())
        if len(value) > limit:
            errors[f"shipping_address.{name}"] = [f"Use at most {limit} characters."]
        clean[name] = value
    country = clean.get("country", "").upper()
    clean["country"] = country
    if not country:
        errors.setdefault("shipping_address.country", ["Choose the country."])
    elif not is_country(country):
        errors.setdefault("shipping_address.country",
                          ["Use a two-letter ISO 3166 country code such as US."])
    for name, message in (("name", _("Enter the recipient's name.")),
                          ("line1", _("Enter the street address."))):
        if not clean.get(name) and f"shipping_address.{name}" not in errors:
            errors[f"shipping_address.{name}"] = [message]
    if country and "shipping_address.country" not in errors:
        _check_country_rules(country, clean, errors)
    elif not clean.get("city") and "shipping_address.city" not in errors:
        errors["shipping_address.city"] = [_("Enter the city.")]
    if errors:
        raise ValidationFailed("Check the shipping address.", code="invalid_address",
                               fields=errors)
    return clean


def _check_country_rules(country: str, clean: dict[str, str],
                         errors: dict[str, list[str]]) -> None:
    """Fields, region, postal code (Google's address data) and phone (libphonenumber)."""
    for field, messages in check_address_fields(country, clean).items():
        errors.setdefault(f"shipping_address.{field}", messages)


# Pricing a parcel -----------------------------------------------------------------------------
def profiles_for(store_ids: Sequence[int]) -> dict[int, ShippingProfile]:
    """The stores' profiles with zones and rates, in one query whatever the count."""
    if not store_ids:
        return {}
    profiles = db.session.scalars(
        select(ShippingProfile).where(ShippingProfile.store_id.in_(set(store_ids)))
        .options(joinedload(ShippingProfile.zones).joinedload(ShippingZone.rates))).unique()
    return {p.store_id: p for p in profiles}


def zone_for(profile: ShippingProfile | ProfileTerms | None, country: str
             ) -> ShippingZone | ZoneTerms | None:
    """The zone serving `country`: one that lists it, else the first catch-all zone."""
    if profile is None:
        return None
    country = country.upper()
    listed = next((z for z in profile.zones if z.countries and country in z.countries), None)
    return listed or next((z for z in profile.zones if not z.countries), None)


def price_parcel(store: Store, profile: ShippingProfile | ProfileTerms | None, country: str,
                 weight_grams: int, subtotal: Money) -> ParcelPrice:
    """The shipping price of one parcel of `store` to `country` (NoShippingRate if none)."""
    zone = zone_for(profile, country)
    if zone is None:
        raise NoShippingRate(_("%(store)s has no shipping rate to %(country)s.",
                               store=store.name, country=country),
                             fields={"shipping_address.country": [
                                 _("%(store)s does not ship to %(country)s.", store=store.name,
                                   country=country)]})
    rate = next((r for r in zone.rates
                 if r.max_weight_grams is None or weight_grams <= r.max_weight_grams), None)
    if rate is None:
        heaviest = max(r.max_weight_grams or 0 for r in zone.rates) if zone.rates else 0
        raise NoShippingRate(
            _("%(store)s ships parcels of at most %(max)d g to %(country)s; this one weighs "
              "%(weight)d g. Remove some items.", store=store.name, max=heaviest,
              country=country, weight=weight_grams),
            fields={"items": [_("Too heavy to ship from %(store)s to %(country)s.",
                                store=store.name, country=country)]})
    free = zone.free_over_minor is not None and subtotal.minor >= zone.free_over_minor
    own = rate.transit_days_min is not None and rate.transit_days_max is not None
    return ParcelPrice(price=Money(0 if free else rate.price_minor, store.base_currency),
                       zone_name=zone.name,
                       delivery_days_min=rate.transit_days_min if own else zone.delivery_days_min,
                       delivery_days_max=rate.transit_days_max if own else zone.delivery_days_max,
                       is_free=free)


# The merchant's profile ----------------------------------------------------------------------
def get_shipping_profile(actor: User, store_id: int) -> tuple[Store, ShippingProfile | None]:
    """The store and its profile (None before the first zone is saved), for its staff."""
    store = require_store_staff(actor, store_id)
    return store, profiles_for([store.id]).get(store.id)


def _zone_of(profile: ShippingProfile | None, zone_id: int) -> ShippingZone:
    zone = next((z for z in profile.zones if z.id == zone_id), None) if profile else None
    if zone is None:
        raise NotFound(_("No such shipping zone."))
    return zone


def get_shipping_zone(actor: User, store_id: int, zone_id: int
                      ) -> tuple[Store, ShippingZone]:
    """One zone of the store's profile, for its staff (another store's zone: 404)."""
    store, profile = get_shipping_profile(actor, store_id)
    return store, _zone_of(profile, zone_id)


def save_shipping_zone(actor: User, store_id: int, data: Mapping[str, Any],
                       zone_id: int | None = None) -> ShippingZone:
    """Create or replace a zone of the store's profile (store admins and owners).

    `data`: name, countries (codes), free_over (decimal string or None),
    delivery_days_min, delivery_days_max, rates ([{"max_weight_grams", "price",
    "transit_days_min", "transit_days_max"}], the tier's own transit days optional).
    """
    store = require_store_staff(actor, store_id, min_role="admin")
    profile = profiles_for([store.id]).get(store.id)
    zone = _zone_of(profile, zone_id) if zone_id is not None else None
    if profile is None:
        profile = ShippingProfile(store_id=store.id, name="Standard")
        db.session.add(profile)
    clean = _clean_zone(data, store.base_currency)
    _check_overlap(profile, zone, clean["countries"])
    if zone is None:
        if len(profile.zones) >= MAX_ZONES:
            raise ValidationFailed(_("A profile has at most %(n)d zones.", n=MAX_ZONES),
                                   fields={"name": [_("At most %(n)d zones.", n=MAX_ZONES)]})
        zone = ShippingZone(position=len(profile.zones))
        profile.zones.append(zone)
    zone.name = clean["name"]
    zone.countries = clean["countries"]
    zone.free_over_minor = clean["free_over_minor"]
    zone.delivery_days_min = clean["delivery_days_min"]
    zone.delivery_days_max = clean["delivery_days_max"]
    zone.rates.clear()
    db.session.flush()  # the old tiers go before new ones reuse their weights
    zone.rates.extend(ShippingRate(max_weight_grams=weight, price_minor=price,
                                   transit_days_min=days[0], transit_days_max=days[1])
                      for weight, price, days in clean["rates"])
    db.session.flush()
    return zone


def delete_shipping_zone(actor: User, store_id: int, zone_id: int) -> None:
    """Remove a zone (store admins and owners); the others keep their order."""
    store = require_store_staff(actor, store_id, min_role="admin")
    profile = profiles_for([store.id]).get(store.id)
    zone = _zone_of(profile, zone_id)
    profile.zones.remove(zone)
    for position, remaining in enumerate(profile.zones):
        remaining.position = position
    db.session.flush()


def _check_overlap(profile: ShippingProfile, zone: ShippingZone | None,
                   countries: list[str]) -> None:
    """A country belongs to one zone; a second catch-all zone would never be used."""
    others = [z for z in profile.zones if z is not zone]
    taken = sorted({c for z in others for c in z.countries} & set(countries))
    if taken:
        raise ValidationFailed(_("Some countries are already in another zone."),
                               fields={"countries": [_("Already in another zone: %(codes)s.",
                                                       codes=", ".join(taken))]})
    if not countries and any(not z.countries for z in others):
        raise ValidationFailed(_("There is already a rest-of-the-world zone."),
                               fields={"countries": [_("List the countries of this zone; "
                                                       "another zone already covers the rest "
                                                       "of the world.")]})


def _whole(value: Any, field: str, errors: dict[str, list[str]], *, minimum: int,
           maximum: int) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        errors[field] = [_("Use a whole number from %(min)d to %(max)d.", min=minimum,
                           max=maximum)]
        return None
    return value


def _amount(value: Any, currency: str, field: str, errors: dict[str, list[str]]
            ) -> int | None:
    if not isinstance(value, str) or not value.strip():
        errors[field] = [_("Enter an amount in %(currency)s, e.g. 5.", currency=currency)]
        return None
    try:
        minor = Money.from_decimal(value.strip(), currency).minor
    except ValueError:
        errors[field] = [amount_rule(currency)]
        return None
    if minor < 0:
        errors[field] = [_("Must not be negative.")]
        return None
    return minor


def _clean_zone(data: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """Validate a zone's fields; ValidationFailed names each bad one."""
    errors: dict[str, list[str]] = {}
    name = data.get("name")
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not name or len(name) > 80:
        errors["name"] = [_("Give the zone a name of up to 80 characters.")]
    countries: list[str] = []
    raw_countries = data.get("countries") or []
    if isinstance(raw_countries, str):
        raw_countries = re.split(r"[\s,;]+", raw_countries)
    for code in raw_countries:
        if not isinstance(code, str) or not code.strip():
            continue
        if not is_country(code.strip()):
            errors.setdefault("countries", []).append(_("'%(code)s' is not a country "
                                                        "code such as US or JP.",
                                                        code=code.strip()))
        elif code.strip().upper() not in countries:
            countries.append(code.strip().upper())
    free_over = data.get("free_over")
    free_over_minor = None
    if isinstance(free_over, str) and free_over.strip():
        free_over_minor = _amount(free_over, currency, "free_over", errors)
    days_min = _whole(data.get("delivery_days_min"), "delivery_days_min", errors,
                      minimum=0, maximum=MAX_DELIVERY_DAYS)
    days_max = _whole(data.get("delivery_days_max"), "delivery_days_max", errors,
                      minimum=0, maximum=MAX_DELIVERY_DAYS)
    if days_min is not None and days_max is not None and days_max < days_min:
        errors["delivery_days_max"] = [_("Must not be less than the minimum.")]
    rates = _clean_rates(data.get("rates") or [], currency, errors)
    if errors:
        raise ValidationFailed(_("Check the shipping zone."), fields=errors)
    return {"name": name, "countries": countries, "free_over_minor": free_over_minor,
            "delivery_days_min": days_min, "delivery_days_max": days_max, "rates": rates}


def _clean_transit(row: Mapping[str, Any], path: str, errors: dict[str, list[str]]
                   ) -> tuple[int | None, int | None]:
    """A tier's own transit days: both or neither, 0 <= min <= max <= MAX_TRANSIT_DAYS."""
    low, high = row.get("transit_days_min"), row.get("transit_days_max")
    if low in (None, "") and high in (None, ""):
        return None, None
    if low in (None, "") or high in (None, ""):
        field = f"{path}.transit_days_min" if low in (None, "") else f"{path}.transit_days_max"
        errors[field] = [_("Give both transit days, or leave both empty to use the zone's.")]
        return None, None
    low = _whole(low, f"{path}.transit_days_min", errors, minimum=0, maximum=MAX_TRANSIT_DAYS)
    high = _whole(high, f"{path}.transit_days_max", errors, minimum=0,
                  maximum=MAX_TRANSIT_DAYS)
    if low is not None and high is not None and high < low:
        errors[f"{path}.transit_days_max"] = [_("Must not be less than the minimum.")]
        return None, None
    return low, high


def _clean_rates(raw: Any, currency: str, errors: dict[str, list[str]]
                 ) -> list[tuple[int | None, int, tuple[int | None, int | None]]]:
    """Weight tiers, lightest first: (max grams or None, price minor, (transit days))."""
    rates: list[tuple[int | None, int, tuple[int | None, int | None]]] = []
    for index, row in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(row, Mapping):
            continue
        weight, price = row.get("max_weight_grams"), row.get("price")
        if (weight in (None, "") and price in (None, "")):
            continue  # an empty row of the form
        grams = None
        if weight not in (None, ""):
            grams = _whole(weight, f"rates.{index}.max_weight_grams", errors, minimum=1,
                           maximum=1_000_000)
        minor = _amount(price, currency, f"rates.{index}.price", errors)
        days = _clean_transit(row, f"rates.{index}", errors)
        if minor is not None and f"rates.{index}.max_weight_grams" not in errors:
            rates.append((grams, minor, days))
    if not rates and not any(k.startswith("rates.") for k in errors):
        errors["rates"] = [_("Add at least one rate.")]
    weights = [w for w, _price, _days in rates]
    if len(set(weights)) != len(weights):
        errors["rates"] = [_("Each weight limit may appear once.")]
    if len(rates) > MAX_RATES:
        errors["rates"] = [_("At most %(n)d rates per zone.", n=MAX_RATES)]
    return sorted(rates, key=lambda r: (r[0] is None, r[0] or 0))
