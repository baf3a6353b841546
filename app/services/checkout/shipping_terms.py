"""Stores' shipping profiles as quotes read them, kept in each process between quotes.

A merchant edits zones and rates now and then; every quote read all of its stores'
profiles again (one query joining profiles, zones and rates, and its ORM loading). Each
process keeps frozen copies by store id under the `shipping` token of
app.core.cache_versions: a write to `shipping_profiles`, `shipping_zones` or
`shipping_rates` anywhere gives the token a new value in its own transaction, so the
next quote on every server prices with the edit.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from app.core.cache_versions import shelf, track_table_writes
from app.models import ShippingProfile
from app.services.checkout.shipping_rates import (
    ProfileTerms,
    RateTerms,
    ZoneTerms,
    profiles_for,
)

SHIPPING_VERSION = "shipping"
SHIPPING_TABLES = frozenset({"shipping_profiles", "shipping_zones", "shipping_rates"})


def profile_terms(profile: ShippingProfile) -> ProfileTerms:
    """A frozen copy of a profile with its zones and rates (loaded with it)."""
    return ProfileTerms(profile.store_id, tuple(
        ZoneTerms(zone.name, tuple(zone.countries or ()), zone.free_over_minor,
                  zone.delivery_days_min, zone.delivery_days_max,
                  tuple(RateTerms(rate.max_weight_grams, rate.price_minor,
                                  rate.transit_days_min, rate.transit_days_max)
                        for rate in zone.rates))
        for zone in profile.zones))


def shipping_terms_for(store_ids: Sequence[int]) -> dict[int, ProfileTerms]:
    """The stores' profiles (a store without one is left out), kept ones without a query."""
    kept = shelf(SHIPPING_VERSION)
    wanted = list(dict.fromkeys(store_ids))
    missing = [s for s in wanted if kept is None or s not in kept]
    read = {store_id: profile_terms(profile)
            for store_id, profile in profiles_for(missing).items()} if missing else {}
    if kept is not None:
        kept.update({store_id: read.get(store_id) for store_id in missing})
        read = {store_id: kept[store_id] for store_id in wanted}
    return {store_id: terms for store_id, terms in read.items() if terms is not None}


def track_shipping_writes(app: Flask) -> None:
    """Move the shipping token on with every transaction that writes a profile."""
    track_table_writes(app, SHIPPING_VERSION, SHIPPING_TABLES)
